// End-to-end on the Kafka bus: librdkafka's mock cluster runs in this test
// process (kafka/mock_cluster.h, the same code as `connectrun broker`), the
// real binary runs against it and kcat is the outside client.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>

#include "kafka/mock_cluster.h"
#include "support.h"

using namespace testsupport;
using namespace std::chrono_literals;
using connectrun::MockCluster;

namespace {

// Everything in `topic` now, one line per record in `format` (kcat -f).
std::string kcat_read(const MockCluster& b, const std::string& topic, const std::string& format = "%k|%s|%h\\n") {
  return shell(fmt::format("kcat -b {} -C -t {} -e -q -f '{}' 2>/dev/null", b.bootstrap(), topic, format));
}

// The offsets `group` has committed for `topic`'s partitions (-1001: none), read by a plain
// librdkafka client rather than connectrun's own offsets command.
std::map<int32_t, int64_t> committed_offsets(const MockCluster& b, const std::string& group, const std::string& topic,
                                             int partitions) {
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  REQUIRE(rd_kafka_conf_set(conf, "bootstrap.servers", b.bootstrap().c_str(), err, sizeof err) == RD_KAFKA_CONF_OK);
  REQUIRE(rd_kafka_conf_set(conf, "group.id", group.c_str(), err, sizeof err) == RD_KAFKA_CONF_OK);
  std::unique_ptr<rd_kafka_t, decltype(&rd_kafka_destroy)> consumer(rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err),
                                                                   &rd_kafka_destroy);
  REQUIRE(consumer);
  std::unique_ptr<rd_kafka_topic_partition_list_t, decltype(&rd_kafka_topic_partition_list_destroy)> list(
      rd_kafka_topic_partition_list_new(partitions), &rd_kafka_topic_partition_list_destroy);
  for (int p = 0; p < partitions; ++p) rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), p);
  REQUIRE(rd_kafka_committed(consumer.get(), list.get(), 10000) == RD_KAFKA_RESP_ERR_NO_ERROR);
  std::map<int32_t, int64_t> out;
  for (int i = 0; i < list->cnt; ++i) {
    REQUIRE(list->elems[i].err == RD_KAFKA_RESP_ERR_NO_ERROR);
    out[list->elems[i].partition] = list->elems[i].offset;
  }
  return out;
}

size_t kcat_count(const MockCluster& b, const std::string& topic) {
  return split_lines(kcat_read(b, topic, "%o\\n")).size();
}

// librdkafka 2.0's mock cluster does not honour LeaveGroup: a restarted
// consumer waits out the previous member's session, so keep it short.
std::string worker(const TempDir& dir, const MockCluster& b, const std::string& conv = "StringConverter") {
  return fmt::format(R"(worker:
  bootstrap.servers: {1}
  consumer.session.timeout.ms: 6000
  consumer.heartbeat.interval.ms: 500
  offset.storage.file.filename: {0}/offsets.json
  offset.flush.interval.ms: 200
  key.converter: {2}
  value.converter: {2}
)",
                     dir.path(), b.bootstrap(), conv);
}

std::string sink_job(const TempDir& dir, const MockCluster& b, const std::string& topics, const std::string& extra = "") {
  return worker(dir, b) + fmt::format(R"(connectors:
  - name: snk
    connector.class: FileStreamSink
    file: {0}/out.txt
    topics: {1}
{2})",
                                      dir.path(), topics, extra);
}

std::string numbered(int from, int to) {
  std::string s;
  for (int i = from; i < to; ++i) s += fmt::format("k{0}:value {0:05d}\n", i);
  return s;
}

}  // namespace

TEST_CASE("kafka: source records on the wire are byte-identical to Kafka Connect's", "[kafka][e2e]") {
  TempDir dir;
  MockCluster b(1, {{"t1", 1}});
  auto line = [](int i) {
    return fmt::format(R"({{"id":{0},"user":"user-{0}","amount":{0},"ts":"2026-11-25T10:00:00Z","msg":"lorem ipsum dolor"}})", i);
  };
  write_file(dir / "in.txt", line(0) + "\na\nb\n" + line(1) + "\n" + line(2) + "\n");
  // connect-standalone's shipped worker defaults: JsonConverter with schemas.enable=true.
  write_file(dir / "job.yaml", worker(dir, b, "JsonConverter") + fmt::format(R"(connectors:
  - name: local-file-source
    connector.class: FileStreamSource
    file: {0}/in.txt
    topic: t1
)", dir.path()));
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"}, 30s);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::string expected = read_file(std::string(CONNECTRUN_SOURCE_DIR) + "/../shared/reference/samples/kafka-connect-3.6.2-filesource-json.kcat.txt");
  REQUIRE(!expected.empty());
  CHECK(kcat_read(b, "t1") == expected);
  // Record timestamps are set (CreateTime), as Kafka Connect's producer does.
  for (auto& ts : split_lines(kcat_read(b, "t1", "%T\\n"))) CHECK(std::stoll(ts) > 1600000000000LL);
}

TEST_CASE("kafka: kcat -P → sink → file, and a restart resumes from the committed group offsets", "[kafka][e2e]") {
  TempDir dir;
  MockCluster b(1, {{"in", 3}});
  write_file(dir / "batch1.txt", numbered(0, 300));
  kcat_write(b.bootstrap(), "in", dir / "batch1.txt", true);
  write_file(dir / "job.yaml", sink_job(dir, b, "in"));

  auto run_until = [&](size_t lines) {
    Process p({"run", dir / "job.yaml"}, dir / "log.txt");
    bool got = eventually([&] { return read_lines(dir / "out.txt").size() >= lines; }, 30s);
    p.signal(SIGTERM);
    int rc = p.wait(20s);
    INFO(read_file(dir / "log.txt"));
    REQUIRE(got);
    REQUIRE(rc == 0);
  };
  run_until(300);
  write_file(dir / "batch2.txt", numbered(300, 500));
  kcat_write(b.bootstrap(), "in", dir / "batch2.txt", true);
  run_until(500);

  // Exactly once after clean stops: no loss, no duplicates; in order per partition (by key hash).
  auto out = read_lines(dir / "out.txt");
  REQUIRE(out.size() == 500);
  std::set<std::string> seen(out.begin(), out.end());
  CHECK(seen.size() == 500);
  for (int i = 0; i < 500; ++i) CHECK(seen.count(fmt::format("value {:05d}", i)));
  // Each partition's records reach the file in the order kcat produced them (the values count up).
  std::map<std::string, std::string> partition_of;
  for (auto& line : split_lines(kcat_read(b, "in", "%p|%s\\n"))) {
    auto bar = line.find('|');
    partition_of[line.substr(bar + 1)] = line.substr(0, bar);
  }
  REQUIRE(partition_of.size() == 500);
  std::map<std::string, std::string> last_in;
  for (auto& v : out) {
    auto& last = last_in[partition_of.at(v)];
    INFO("partition " << partition_of.at(v) << ": " << v << " after " << last);
    CHECK(last < v);
    last = v;
  }
  CHECK(last_in.size() == 3);
  // The group connect-<name> has committed every partition's end: 500 records in all.
  auto committed = committed_offsets(b, "connect-snk", "in", 3);
  int64_t total = 0;
  for (auto& [partition, offset] : committed) total += offset;
  CHECK(total == 500);
  CHECK(committed_offsets(b, "connect-other", "in", 3) == std::map<int32_t, int64_t>{{0, -1001}, {1, -1001}, {2, -1001}});
}

TEST_CASE("kafka: --once reads up to the end offsets seen at start, then exits", "[kafka][e2e]") {
  TempDir dir;
  MockCluster b(1, {{"in", 4}, {"empty", 2}});
  write_file(dir / "in.txt", numbered(0, 200));
  kcat_write(b.bootstrap(), "in", dir / "in.txt", true);
  write_file(dir / "job.yaml", sink_job(dir, b, "in,empty"));
  auto r1 = run_connectrun({"run", "--once", dir / "job.yaml"}, 30s);
  INFO(r1.err);
  REQUIRE(r1.exit_code == 0);
  auto out = read_lines(dir / "out.txt");
  CHECK(out.size() == 200);
  CHECK(std::set<std::string>(out.begin(), out.end()).size() == 200);
  // Committed: a second run finds nothing new.
  auto r2 = run_connectrun({"run", "--once", dir / "job.yaml"}, 30s);
  INFO(r2.err);
  REQUIRE(r2.exit_code == 0);
  CHECK(read_lines(dir / "out.txt").size() == 200);
}

TEST_CASE("kafka: the same YAML gives byte-identical sink output on both buses", "[kafka][e2e]") {
  TempDir dir;
  MockCluster b(1, {{"lines", 1}});
  std::string in;
  for (int i = 0; i < 300; ++i) in += fmt::format("{{\"n\":{},\"s\":\"é ✓ {}\"}}\n", i, std::string(static_cast<size_t>(i % 7), 'x'));
  write_file(dir / "in.txt", in);
  auto job = [&](const std::string& bootstrap, const std::string& out) {
    return fmt::format(R"(worker:
{0}  offset.storage.file.filename: {1}/offsets-{2}.json
  offset.flush.interval.ms: 200
  key.converter: JsonConverter
  value.converter: JsonConverter
connectors:
  - name: src
    connector.class: FileStreamSource
    file: {1}/in.txt
    topic: lines
    transforms: h
    transforms.h.type: InsertHeader
    transforms.h.header: origin
    transforms.h.value.literal: file
  - name: snk
    connector.class: FileStreamSink
    file: {1}/{2}
    topics: lines
)", bootstrap, dir.path(), out);
  };
  write_file(dir / "inproc.yaml", job("", "out-inproc.txt"));
  auto r = run_connectrun({"run", "--once", dir / "inproc.yaml"}, 30s);
  REQUIRE(r.exit_code == 0);
  write_file(dir / "kafka.yaml", job(fmt::format("  bootstrap.servers: {}\n", b.bootstrap()), "out-kafka.txt"));
  Process p({"run", dir / "kafka.yaml"}, dir / "log.txt");
  bool got = eventually([&] { return read_lines(dir / "out-kafka.txt").size() >= 300; }, 30s);
  p.signal(SIGTERM);
  CHECK(p.wait(20s) == 0);
  INFO(read_file(dir / "log.txt"));
  REQUIRE(got);
  CHECK(read_file(dir / "out-kafka.txt") == read_file(dir / "out-inproc.txt"));
  CHECK(kcat_read(b, "lines", "%h\\n").find("origin=file") != std::string::npos);
}

// FileStreamSink never reads headers, so alone it leaves them undecoded (PluginInfo::reads_headers);
// a transform or predicate in its chain must still see them.
TEST_CASE("kafka: a sink's transforms see the messages' headers — FileStreamSink alone does not need them",
          "[kafka][e2e]") {
  TempDir dir;
  MockCluster b(1, {{"h", 1}});
  write_file(dir / "marked.txt", "a\nb\n");
  write_file(dir / "plain.txt", "c\nd\n");
  auto produce = [&](const std::string& file, const std::string& header) {
    int status = -1;
    std::string out = shell(fmt::format("kcat -b {} -P -t h {} -l {} 2>&1", b.bootstrap(), header, file), &status);
    INFO(out);
    REQUIRE(status == 0);
  };
  produce(dir / "marked.txt", "-H drop=yes");
  produce(dir / "plain.txt", "");
  REQUIRE(kcat_read(b, "h", "%h|%s\\n") == "drop=yes|a\ndrop=yes|b\n|c\n|d\n");

  write_file(dir / "plain.yaml", sink_job(dir, b, "h"));
  auto all = run_connectrun({"run", "--once", dir / "plain.yaml"}, 30s);
  INFO(all.err);
  REQUIRE(all.exit_code == 0);
  CHECK(read_file(dir / "out.txt") == "a\nb\nc\nd\n");

  std::filesystem::remove(dir / "out.txt");
  std::string yaml = sink_job(dir, b, "h", R"(    transforms: dropMarked
    transforms.dropMarked.type: Filter
    transforms.dropMarked.predicate: marked
    predicates: marked
    predicates.marked.type: HasHeaderKey
    predicates.marked.name: drop
)");
  // Another connector name: another consumer group, reading the topic from its start.
  yaml.replace(yaml.find("name: snk"), 9, "name: filtered");
  write_file(dir / "filtered.yaml", yaml);
  auto filtered = run_connectrun({"run", "--once", dir / "filtered.yaml"}, 30s);
  INFO(filtered.err);
  REQUIRE(filtered.exit_code == 0);
  CHECK(read_file(dir / "out.txt") == "c\nd\n");
}

TEST_CASE("kafka: request errors and a broker down and up lose and reorder nothing", "[kafka][e2e][faults]") {
  TempDir dir;
  MockCluster b(3, {{"f", 2}});
  const int n = 3000;
  std::string in;
  for (int i = 0; i < n; ++i) in += fmt::format("{:06d}\n", i);
  write_file(dir / "in.txt", in);
  write_file(dir / "job.yaml", worker(dir, b) + fmt::format(R"(connectors:
  - name: src
    connector.class: FileStreamSource
    file: {0}/in.txt
    topic: f
    producer.override.linger.ms: 5
    producer.override.batch.num.messages: 100
)", dir.path()));
  // Retriable produce errors first (NOT_LEADER_OR_FOLLOWER, REQUEST_TIMED_OUT), then a broker outage.
  rd_kafka_mock_push_request_errors(b.cluster(), 0 /* Produce */, 4, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION,
                                    RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_NOT_ENOUGH_REPLICAS,
                                    RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION);
  rd_kafka_mock_broker_set_down(b.cluster(), 1);
  rd_kafka_mock_broker_set_down(b.cluster(), 2);
  rd_kafka_mock_broker_set_down(b.cluster(), 3);
  Process p({"run", dir / "job.yaml"}, dir / "log.txt");
  std::this_thread::sleep_for(1500ms);
  for (int id = 1; id <= 3; ++id) rd_kafka_mock_broker_set_up(b.cluster(), id);
  std::this_thread::sleep_for(500ms);
  rd_kafka_mock_broker_set_down(b.cluster(), 1);
  std::this_thread::sleep_for(1000ms);
  rd_kafka_mock_broker_set_up(b.cluster(), 1);
  bool all = eventually([&] { return kcat_count(b, "f") >= static_cast<size_t>(n); }, 40s);
  p.signal(SIGTERM);
  CHECK(p.wait(20s) == 0);
  INFO(read_file(dir / "log.txt"));
  REQUIRE(all);
  std::map<std::string, std::vector<int>> per_partition;
  for (auto& l : split_lines(kcat_read(b, "f", "%p %s\\n"))) {
    auto sp = l.find(' ');
    per_partition[l.substr(0, sp)].push_back(std::stoi(l.substr(sp + 1)));
  }
  std::set<int> seen;
  for (auto& [partition, values] : per_partition) {
    INFO("partition " << partition);
    CHECK(std::is_sorted(values.begin(), values.end()));
    seen.insert(values.begin(), values.end());
  }
  size_t total = 0;
  for (auto& [partition, values] : per_partition) total += values.size();
  CHECK(total == static_cast<size_t>(n));  // idempotent: no duplicates
  CHECK(seen.size() == static_cast<size_t>(n));
  // The outage was logged, not a flood.
  auto log = read_file(dir / "log.txt");
  CHECK(std::count(log.begin(), log.end(), '\n') < 200);
}

TEST_CASE("kafka: validation of client keys", "[kafka][validate]") {
  TempDir dir;
  MockCluster b(1);
  auto check = [&](const std::string& extra_worker, const std::string& connector_extra, const std::string& needle,
                   const std::string& where) {
    write_file(dir / "job.yaml", worker(dir, b) + extra_worker + fmt::format(R"(connectors:
  - name: snk
    connector.class: FileStreamSink
    file: {0}/out.txt
    topics: in
{1})", dir.path(), connector_extra));
    auto r = run_connectrun({"validate", dir / "job.yaml"}, 20s);
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(needle) != std::string::npos);
    CHECK(r.err.find(where) != std::string::npos);
  };
  check("  producer.no.such.key: 1\n", "", "No such configuration property", "job.yaml:9:");
  check("", "    consumer.override.fetch.wait.max.ms: nope\n", "librdkafka: Invalid value", "job.yaml:14:");
  check("  ssl.truststore.location: /etc/kafka/truststore.jks\n", "", "ssl.ca.location", "ssl.truststore.location");
  check("  ssl.keystore.type: JKS\n", "", "ssl.certificate.location", "ssl.keystore.type");
  check("  sasl.jaas.config: x\n", "", "sasl.username", "sasl.jaas.config");
  check("  producer.key.serializer: org.apache.kafka.common.serialization.StringSerializer\n", "", "converters", "key.serializer");
  check("  consumer.max.poll.records: 10\n", "", "No such configuration property", "consumer.max.poll.records");
  check("", "    consumer.override.enable.auto.commit: true\n", "commits", "enable.auto.commit");
  write_file(dir / "job.yaml", worker(dir, b) + fmt::format(R"(  sasl.password: s3cret
  producer.sasl.username: me
connectors:
  - name: snk
    connector.class: FileStreamSink
    file: {0}/out.txt
    topics.regex: "in-(a"
)", dir.path()));
  auto r = run_connectrun({"validate", dir / "job.yaml"}, 20s);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("topics.regex") != std::string::npos);
  write_file(dir / "job.yaml", worker(dir, b) + fmt::format(R"(  sasl.password: s3cret
  producer.sasl.username: me
connectors:
  - name: snk
    connector.class: FileStreamSink
    file: {0}/out.txt
    topics.regex: "in-.*"
    consumer.override.fetch.wait.max.ms: 100
)", dir.path()));
  r = run_connectrun({"validate", dir / "job.yaml"}, 20s);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("s3cret") == std::string::npos);
  CHECK(r.out.find("sasl.password: \"[hidden]\"") != std::string::npos);
  CHECK(r.out.find("consumer.override.fetch.wait.max.ms: 100") != std::string::npos);
}

TEST_CASE("kafka: connectrun broker prints its address first and serves kcat", "[kafka][e2e]") {
  TempDir dir;
  Process broker({"broker", "--topic", "demo:3", "--topic", "other"}, dir / "log.txt", dir / "stdout.txt");
  REQUIRE(eventually([&] { return !read_lines(dir / "stdout.txt").empty(); }, 10s));
  std::string addr = read_lines(dir / "stdout.txt").front();
  CHECK(addr.rfind("127.0.0.1:", 0) == 0);
  auto meta = shell(fmt::format("kcat -b {} -L -t demo 2>&1", addr));
  CHECK(meta.find("topic \"demo\" with 3 partitions") != std::string::npos);
  CHECK(read_file(dir / "log.txt").find("5 MB") != std::string::npos);
  broker.signal(SIGTERM);
  CHECK(broker.wait(10s) == 0);
  auto bad = run_connectrun({"broker", "--port", "9092"}, 10s);
  CHECK(bad.exit_code == 2);
}

TEST_CASE("kafka: bad records go to the dead letter topic with Kafka Connect's context headers", "[kafka][e2e][dlq]") {
  TempDir dir;
  MockCluster b(1, {{"in", 1}, {"dlq", 1}});
  write_file(dir / "in.txt", "k1:{\"a\":1}\nk2:not json\nk3:{\"a\":3}\n");
  kcat_write(b.bootstrap(), "in", dir / "in.txt", true);
  write_file(dir / "job.yaml", worker(dir, b) + fmt::format(R"(connectors:
  - name: snk
    connector.class: FileStreamSink
    file: {0}/out.txt
    topics: in
    value.converter: JsonConverter
    value.converter.schemas.enable: false
    errors.tolerance: all
    errors.deadletterqueue.topic.name: dlq
    errors.deadletterqueue.context.headers.enable: true
)", dir.path()));
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"}, 30s);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(read_lines(dir / "out.txt") == std::vector<std::string>{"{\"a\":1}", "{\"a\":3}"});
  std::string dead = kcat_read(b, "dlq", "%k|%s|%h\\n");
  INFO(dead);
  CHECK(dead.rfind("k2|not json|", 0) == 0);
  for (auto h : {"__connect.errors.topic=in", "__connect.errors.partition=0", "__connect.errors.offset=1",
                 "__connect.errors.connector.name=snk", "__connect.errors.stage=VALUE_CONVERTER",
                 "__connect.errors.class.name=org.apache.kafka.connect.json.JsonConverter",
                 "__connect.errors.exception.message="})
    CHECK(dead.find(h) != std::string::npos);
  CHECK(split_lines(dead).size() == 1);

  // The dead letter topic cannot be an input topic.
  write_file(dir / "bad.yaml", worker(dir, b) + fmt::format(R"(connectors:
  - name: snk
    connector.class: FileStreamSink
    file: {0}/out.txt
    topics: in
    errors.tolerance: all
    errors.deadletterqueue.topic.name: in
)", dir.path()));
  auto v = run_connectrun({"validate", dir / "bad.yaml"}, 20s);
  CHECK(v.exit_code == 2);
  CHECK(v.err.find("input topics") != std::string::npos);
}

TEST_CASE("in-process bus: a sink's dead letter topic can be read by another sink of the same file", "[dlq][e2e]") {
  TempDir dir;
  write_file(dir / "in.txt", "{\"a\":1}\nnot json\n{\"a\":3}\n");
  write_file(dir / "job.yaml", fmt::format(R"(worker:
  offset.storage.file.filename: {0}/offsets.json
  key.converter: StringConverter
  value.converter: StringConverter
connectors:
  - name: src
    connector.class: FileStreamSource
    file: {0}/in.txt
    topic: lines
  - name: snk
    connector.class: FileStreamSink
    file: {0}/out.txt
    topics: lines
    value.converter: JsonConverter
    value.converter.schemas.enable: false
    errors.tolerance: all
    errors.deadletterqueue.topic.name: dead
  - name: dead-sink
    connector.class: FileStreamSink
    file: {0}/dead.txt
    topics: dead
)", dir.path()));
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"}, 30s);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(read_lines(dir / "out.txt") == std::vector<std::string>{"{\"a\":1}", "{\"a\":3}"});
  CHECK(read_lines(dir / "dead.txt") == std::vector<std::string>{"not json"});
}

TEST_CASE("kafka: a record over message.max.bytes fails the source or, tolerated, is skipped — never silently",
          "[kafka][e2e]") {
  TempDir dir;
  MockCluster b(1, {{"big", 1}});
  write_file(dir / "in.txt", "small 1\n" + std::string(5000, 'x') + "\nsmall 2\n");
  auto job = [&](const std::string& tolerance) {
    return worker(dir, b) + fmt::format(R"(connectors:
  - name: src
    connector.class: FileStreamSource
    file: {0}/in.txt
    topic: big
    producer.override.message.max.bytes: 2000
    errors.tolerance: {1}
)", dir.path(), tolerance);
  };
  write_file(dir / "none.yaml", job("none"));
  auto r = run_connectrun({"run", "--once", dir / "none.yaml"}, 30s);
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("topic 'big'") != std::string::npos);
  CHECK(r.err.find("too large") != std::string::npos);
  std::filesystem::remove(dir / "offsets.json");
  write_file(dir / "all.yaml", job("all"));
  auto r2 = run_connectrun({"run", "--once", dir / "all.yaml"}, 30s);
  INFO(r2.err);
  CHECK(r2.exit_code == 0);
  CHECK(r2.err.find("1 skipped") != std::string::npos);
  auto values = split_lines(kcat_read(b, "big", "%s\\n"));
  // The failed run's batch partly reached the topic and is sent again (at least once).
  CHECK(std::count(values.begin(), values.end(), "small 2") >= 1);
  for (auto& v : values) CHECK(v.size() < 2000);
}
