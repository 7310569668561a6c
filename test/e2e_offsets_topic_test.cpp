// End-to-end: source offsets in Kafka Connect's offsets topic
// (offset.storage.topic), on librdkafka's mock cluster in this test process,
// with kcat as the outside client that reads and writes the topic as a JVM
// Connect worker would.
#include <catch2/catch.hpp>

#include <cstdint>

#include <fmt/format.h>

#include "http_support.h"
#include "kafka/mock_cluster.h"
#include "support.h"

using namespace testsupport;
using namespace std::chrono_literals;
using connectrun::MockCluster;

namespace {

// Java's Utils.murmur2, as Kafka's default partitioner applies it.
int32_t java_murmur2(const std::string& data) {
  const uint32_t m = 0x5bd1e995;
  const int r = 24;
  const size_t length = data.size();
  uint32_t h = 0x9747b28c ^ static_cast<uint32_t>(length);
  auto byte = [&](size_t i) { return static_cast<uint32_t>(static_cast<uint8_t>(data[i])); };
  for (size_t i = 0; i + 4 <= length; i += 4) {
    uint32_t k = byte(i) | byte(i + 1) << 8 | byte(i + 2) << 16 | byte(i + 3) << 24;
    k *= m;
    k ^= k >> r;
    k *= m;
    h *= m;
    h ^= k;
  }
  const size_t tail = length & ~size_t{3};
  switch (length % 4) {
    case 3: h ^= byte(tail + 2) << 16; [[fallthrough]];
    case 2: h ^= byte(tail + 1) << 8; [[fallthrough]];
    case 1: h ^= byte(tail); h *= m;
  }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return static_cast<int32_t>(h);
}

// Kafka's DefaultPartitioner for a keyed record: toPositive(murmur2(key)) % partitions.
int java_partition(const std::string& key, int partitions) {
  return static_cast<int>((static_cast<uint32_t>(java_murmur2(key)) & 0x7fffffff) % static_cast<uint32_t>(partitions));
}

std::string kcat_read(const MockCluster& b, const std::string& topic, const std::string& format) {
  return shell(fmt::format("kcat -b {} -C -t {} -e -q -f '{}' 2>/dev/null", b.bootstrap(), topic, format));
}

// kcat -P of one keyed record ("key|value"); no value after '|' with -Z: a tombstone.
void kcat_put(const MockCluster& b, const std::string& topic, int partition, const std::string& record) {
  int status = -1;
  shell(fmt::format("printf '%s' '{}' | kcat -b {} -P -t {} -p {} -K'|' -Z 2>&1", record, b.bootstrap(), topic, partition),
        &status);
  REQUIRE(status == 0);
}

std::string topic_job(const TempDir& dir, const std::string& bootstrap, const std::string& extra = "") {
  return fmt::format(R"(worker:
  bootstrap.servers: {1}
  offset.storage.file.filename: {0}/offsets.json
  offset.storage.topic: connect-offsets
  offset.storage.replication.factor: 1
  key.converter: StringConverter
  value.converter: StringConverter
{2}connectors:
  - name: src
    connector.class: FileStreamSource
    file: {0}/in.txt
    topic: lines
)",
                     dir.path(), bootstrap, extra);
}

}  // namespace

TEST_CASE("offsets topic: the test's murmur2 is librdkafka's murmur2_random partitioner", "[kafka][offsets]") {
  MockCluster b(1, {{"scratch", 25}});
  std::vector<std::string> keys{R"(["src",{"filename":"/tmp/in.txt"}])", "a", "ab", "abc", "abcd", "abcde", "\xc3\xa9t\xc3\xa9"};
  for (auto& k : keys) {
    int status = -1;
    shell(fmt::format("printf '%s|v\\n' '{}' | kcat -b {} -P -t scratch -K'|' -X partitioner=murmur2_random 2>&1", k,
                      b.bootstrap()),
          &status);
    REQUIRE(status == 0);
  }
  auto lines = split_lines(kcat_read(b, "scratch", "%p|%k\\n"));
  REQUIRE(lines.size() == keys.size());
  for (auto& l : lines) {
    auto bar = l.find('|');
    INFO(l);
    CHECK(std::stoi(l.substr(0, bar)) == java_partition(l.substr(bar + 1), 25));
  }
}

TEST_CASE("offsets topic: Kafka Connect's bytes on murmur2's partition, resumed, records written by others honoured",
          "[kafka][e2e][offsets]") {
  TempDir dir;
  // librdkafka 2.0's mock cluster has no controller, so it cannot create
  // topics through the admin API: the offsets topic is made here, as an
  // operator would for a cluster that does not let clients create topics.
  MockCluster b(1, {{"connect-offsets", 25}, {"lines", 1}});
  write_file(dir / "in.txt", "a\nb\nc\n");
  write_file(dir / "job.yaml", topic_job(dir, b.bootstrap()));
  const std::string key = fmt::format(R"(["src",{{"filename":"{}/in.txt"}}])", dir.path());
  const int partition = java_partition(key, 25);
  auto run = [&] {
    auto r = run_connectrun({"run", "--once", dir / "job.yaml"}, 60s);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    return r;
  };
  run();
  // Exactly Kafka Connect's key and value bytes, on the partition Java's default partitioner picks.
  CHECK(kcat_read(b, "connect-offsets", "%p|%k|%s\\n") == fmt::format("{}|{}|{{\"position\":6}}\n", partition, key));
  CHECK(read_file(dir / "offsets.json").empty());  // nothing in the file
  CHECK(kcat_read(b, "lines", "%s\\n") == "a\nb\nc\n");

  // A second run resumes from the topic: the new line only.
  append_file(dir / "in.txt", "d\n");
  run();
  CHECK(kcat_read(b, "lines", "%s\\n") == "a\nb\nc\nd\n");
  CHECK(split_lines(kcat_read(b, "connect-offsets", "%p|%s\\n")).back() == fmt::format("{}|{{\"position\":8}}", partition));
  auto list = run_connectrun({"offsets", "list", "--json", "--connector", "src", dir / "job.yaml"}, 60s);
  INFO(list.err);
  CHECK(list.out == fmt::format("{{\"offsets\":[{{\"partition\":{{\"filename\":\"{}/in.txt\"}},\"offset\":{{\"position\":8}}}}]}}\n",
                                dir.path()));

  // An offset written by another worker in Kafka's format is honoured: from byte 2 ("b").
  kcat_put(b, "connect-offsets", partition, key + "|{\"position\":2}");
  run();
  CHECK(kcat_read(b, "lines", "%s\\n") == "a\nb\nc\nd\nb\nc\nd\n");

  // A tombstone removes it: the next run starts the file over.
  kcat_put(b, "connect-offsets", partition, key + "|");
  run();
  CHECK(kcat_read(b, "lines", "%s\\n") == "a\nb\nc\nd\nb\nc\nd\na\nb\nc\nd\n");

  // Another tool's records in the topic are skipped with one warning, never fatal.
  kcat_put(b, "connect-offsets", 3, "not json|x");
  kcat_put(b, "connect-offsets", 4, "[\"src\",{\"filename\":\"/elsewhere\"}]|42");
  auto r = run();
  CHECK(r.err.find("skipped 2 record(s) that are not source offsets in Kafka Connect's format") != std::string::npos);
  CHECK(kcat_read(b, "lines", "%s\\n") == "a\nb\nc\nd\nb\nc\nd\na\nb\nc\nd\n");

  // Changing source offsets from the command line is refused (a running job would undo it).
  auto set = run_connectrun({"offsets", "set", "--connector", "src", "--partition",
                             fmt::format("{{\"filename\":\"{}/in.txt\"}}", dir.path()), "--offset", "{\"position\":0}",
                             "--yes", dir / "job.yaml"},
                            60s);
  CHECK(set.exit_code == 2);
  CHECK(set.err.find("does not work with offset.storage.topic yet") != std::string::npos);
  // A dry run resumes from the topic too.
  auto dry = run_connectrun({"run", "--dry-run", dir / "job.yaml"}, 60s);
  CHECK(dry.exit_code == 0);
  CHECK(dry.err.find(fmt::format("resuming {}/in.txt at byte 8", dir.path())) != std::string::npos);
  // Exporting what the topic holds, for connect-standalone, works.
  auto exported = run_connectrun({"offsets", "export", "--to-kafka-connect", dir / "standalone.offsets", "--yes",
                                  dir / "job.yaml"},
                                 60s);
  INFO(exported.err);
  CHECK(exported.exit_code == 0);
  CHECK(exported.err.find("export: 1 source offset(s) written") != std::string::npos);
  CHECK(read_file(dir / "standalone.offsets").find(key) != std::string::npos);
}

TEST_CASE("offsets topic: what cannot work is refused with what to do", "[kafka][e2e][offsets][validate]") {
  TempDir dir;
  write_file(dir / "in.txt", "a\n");

  SECTION("the in-process bus has no topics") {
    std::string job = topic_job(dir, "x:1");
    job.replace(job.find("  bootstrap.servers: x:1\n"), std::string("  bootstrap.servers: x:1\n").size(), "");
    write_file(dir / "job.yaml", job);
    auto r = run_connectrun({"validate", dir / "job.yaml"}, 30s);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("offset.storage.topic") != std::string::npos);
    CHECK(r.err.find("needs a Kafka cluster: set bootstrap.servers") != std::string::npos);
  }
  SECTION("a replication factor above the number of brokers") {
    MockCluster b(1);
    std::string job = topic_job(dir, b.bootstrap());
    job.replace(job.find("  offset.storage.replication.factor: 1\n"), std::string("  offset.storage.replication.factor: 1\n").size(), "");
    write_file(dir / "job.yaml", job);
    auto r = run_connectrun({"run", "--once", dir / "job.yaml"}, 60s);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("offset.storage.replication.factor is 3 but the Kafka cluster at " + b.bootstrap() +
                     " has 1 broker(s). Set offset.storage.replication.factor: 1 (or -1") != std::string::npos);
  }
  SECTION("no broker answers") {
    // Port 1: nothing listens. The wait is bounded by the admin client's socket.timeout.ms.
    write_file(dir / "job.yaml", topic_job(dir, "127.0.0.1:1", "  admin.socket.timeout.ms: 2000\n"));
    auto r = run_connectrun({"run", "--once", dir / "job.yaml"}, 60s);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("cannot use the offsets topic 'connect-offsets' on the Kafka cluster at bootstrap.servers "
                     "127.0.0.1:1: no broker answered within 2 s") != std::string::npos);
    CHECK(read_file(dir / "offsets.json").empty());
  }
  SECTION("the topic cannot be created") {
    // librdkafka's mock cluster answers no admin requests.
    MockCluster b(1);
    write_file(dir / "job.yaml", topic_job(dir, b.bootstrap(), "  admin.socket.timeout.ms: 2000\n"));
    auto r = run_connectrun({"run", "--once", dir / "job.yaml"}, 60s);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("cannot create the offsets topic 'connect-offsets' on the Kafka cluster at " + b.bootstrap()) !=
          std::string::npos);
    CHECK(r.err.find("Create it yourself (25 partition(s), cleanup.policy=compact)") != std::string::npos);
  }
}

TEST_CASE("offsets topic: a flush while its broker is down is logged and retried, and REST shows the offsets",
          "[kafka][e2e][offsets][faults]") {
  TempDir dir;
  // The job's topic on broker 1, every offsets partition on broker 2: broker 2
  // down stops the offsets only, while records keep being delivered.
  MockCluster b(2, {{"connect-offsets", 25}, {"lines", 1}});
  rd_kafka_mock_partition_set_leader(b.cluster(), "lines", 0, 1);
  for (int p = 0; p < 25; ++p) rd_kafka_mock_partition_set_leader(b.cluster(), "connect-offsets", p, 2);
  write_file(dir / "in.txt", "a\nb\n");
  write_file(dir / "job.yaml", topic_job(dir, b.bootstrap(),
                                         "  offset.flush.interval.ms: 300\n  offset.flush.timeout.ms: 1000\n"
                                         "  listeners: http://127.0.0.1:0\n"));
  auto stored = [&] {
    auto values = split_lines(kcat_read(b, "connect-offsets", "%s\\n"));
    return values.empty() ? std::string() : values.back();
  };
  auto expected = [&](int position) {
    return fmt::format(R"({{"offsets":[{{"partition":{{"filename":"{}/in.txt"}},"offset":{{"position":{}}}}}]}})",
                       dir.path(), position);
  };
  RestJob job(dir);
  REQUIRE(eventually([&] { return stored() == "{\"position\":4}"; }));
  CHECK(job.client().get("/connectors/src/offsets").body == expected(4));

  rd_kafka_mock_broker_set_down(b.cluster(), 2);
  append_file(dir / "in.txt", "c\n");
  REQUIRE(eventually([&] {
    return read_file(dir / "log.txt").find("cannot store offsets in offsets topic 'connect-offsets'") != std::string::npos;
  }));
  // Delivered, so shown; not yet stored.
  CHECK(job.client().get("/connectors/src/offsets").body == expected(6));

  rd_kafka_mock_broker_set_up(b.cluster(), 2);
  CHECK(eventually([&] { return stored() == "{\"position\":6}"; }, 30s));
  job.process.signal(SIGTERM);
  CHECK(job.process.wait(30s) == 0);
  CHECK(kcat_read(b, "lines", "%s\\n") == "a\nb\nc\n");
}
