// The Kafka bus's consumer and client statistics, against librdkafka's mock
// cluster in this process: topics.regex in Java's syntax, commits on revoke in
// a rebalance between two processes, and librdkafka's statistics as metrics.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <condition_variable>
#include <mutex>
#include <set>

#include <fmt/format.h>

#include "bus/partition_ends.h"
#include "engine/herder.h"
#include "kafka/kafka_bus.h"
#include "kafka/kafka_clients.h"
#include "kafka/kafka_stats.h"
#include "kafka/mock_cluster.h"
#include "offsets/offset_store.h"
#include "support.h"
#include "test_job.h"

using namespace testsupport;
using namespace std::chrono_literals;
using connectrun::MockCluster;

namespace {

std::string job(const TempDir& dir, const MockCluster& b, const std::string& name, const std::string& subscription,
                const std::string& flush_interval = "200") {
  return fmt::format(R"(worker:
  bootstrap.servers: {1}
  consumer.session.timeout.ms: 6000
  consumer.heartbeat.interval.ms: 500
  offset.storage.file.filename: {0}/{2}.offsets.json
  offset.flush.interval.ms: {4}
  key.converter: StringConverter
  value.converter: StringConverter
connectors:
  - name: snk
    connector.class: FileStreamSink
    file: {0}/{2}.out
    {3}
)",
                     dir.path(), b.bootstrap(), name, subscription, flush_interval);
}

std::string lines(const std::string& prefix, int from, int to) {
  std::string s;
  for (int i = from; i < to; ++i) s += fmt::format("k{1}:{0} {1:04d}\n", prefix, i);
  return s;
}

bool has_prefix(const std::vector<std::string>& out, const std::string& prefix) {
  return std::any_of(out.begin(), out.end(), [&](const std::string& l) { return l.rfind(prefix + " ", 0) == 0; });
}

}  // namespace

TEST_CASE("kafka: topics.regex takes Java syntax, matches whole names and picks up new topics", "[kafka][e2e]") {
  TempDir dir;
  MockCluster b(1, {{"in-1", 2}, {"in-22", 1}, {"in-x", 1}, {"xin-1", 1}});
  for (std::string t : {"in-1", "in-22", "in-x", "xin-1"}) {
    write_file(dir / (t + ".txt"), lines(t, 0, 20));
    kcat_write(b.bootstrap(), t, dir / (t + ".txt"), true);
  }
  // \d and (?:…) are Java (and PCRE2) syntax that POSIX regcomp rejects or reads otherwise.
  write_file(dir / "job.yaml", job(dir, b, "a", R"x(topics.regex: "in-(?:\\d+)")x"));
  Process p({"run", dir / "job.yaml"}, dir / "log.txt");
  auto out = [&] { return read_lines(dir / "a.out"); };
  bool first = eventually([&] { return out().size() >= 40; }, 30s);
  INFO(read_file(dir / "log.txt"));
  REQUIRE(first);
  // A topic created while running is subscribed at the next refresh.
  b.create_topic("in-3", 1);
  write_file(dir / "in-3.txt", lines("in-3", 0, 10));
  kcat_write(b.bootstrap(), "in-3", dir / "in-3.txt", true);
  bool later = eventually([&] { return out().size() >= 50; }, 40s);
  p.signal(SIGTERM);
  CHECK(p.wait(20s) == 0);
  REQUIRE(later);
  auto o = out();
  CHECK(o.size() == 50);
  CHECK(has_prefix(o, "in-1"));
  CHECK(has_prefix(o, "in-22"));
  CHECK(has_prefix(o, "in-3"));
  CHECK_FALSE(has_prefix(o, "in-x"));
  CHECK_FALSE(has_prefix(o, "xin-1"));
}

TEST_CASE("kafka: --once with a topics.regex that matches no topic exits at once", "[kafka][e2e]") {
  TempDir dir;
  MockCluster b(1, {{"other", 1}});
  write_file(dir / "job.yaml", job(dir, b, "a", R"(topics.regex: "nothing-\\w+")"));
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"}, 30s);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(read_lines(dir / "a.out").empty());
}

TEST_CASE("kafka: a rebalance between two processes of one sink loses and repeats nothing", "[kafka][e2e][rebalance]") {
  TempDir dir;
  MockCluster b(1, {{"in", 4}});
  write_file(dir / "batch1.txt", lines("v", 0, 400));
  kcat_write(b.bootstrap(), "in", dir / "batch1.txt", true);
  write_file(dir / "a.yaml", job(dir, b, "a", "topics: in"));
  write_file(dir / "b.yaml", job(dir, b, "b", "topics: in"));
  Process a({"run", dir / "a.yaml"}, dir / "a.log");
  REQUIRE(eventually([&] { return read_lines(dir / "a.out").size() >= 400; }, 30s));
  // a commits what it flushed (asynchronously); `offsets list` reads the group's offsets.
  std::string listed;
  auto committed = [&] {
    auto r = run_connectrun({"offsets", "list", dir / "a.yaml", "--json"}, 20s);
    listed = r.out + r.err;
    long total = 0;
    for (size_t at = r.out.find("\"kafka_offset\":"); at != std::string::npos; at = r.out.find("\"kafka_offset\":", at + 1))
      total += std::stol(r.out.substr(at + 15));
    return total;
  };
  bool commit_landed = eventually([&] { return committed() == 400; }, 20s);
  INFO(read_file(dir / "a.log"));
  INFO(listed);
  REQUIRE(commit_landed);
  // b joins the group connect-snk: a's partitions are revoked and reassigned.
  Process bp({"run", dir / "b.yaml"}, dir / "b.log");
  bool rebalanced = eventually([&] { return read_file(dir / "b.log").find("assigned") != std::string::npos &&
                                            read_file(dir / "b.log").find("assigned 0 partition") == std::string::npos; },
                               40s);
  INFO(read_file(dir / "a.log"));
  INFO(read_file(dir / "b.log"));
  REQUIRE(rebalanced);
  write_file(dir / "batch2.txt", lines("v", 400, 600));
  kcat_write(b.bootstrap(), "in", dir / "batch2.txt", true);
  bool all = eventually([&] { return read_lines(dir / "a.out").size() + read_lines(dir / "b.out").size() >= 600; }, 40s);
  a.signal(SIGTERM);
  bp.signal(SIGTERM);
  CHECK(a.wait(30s) == 0);
  CHECK(bp.wait(30s) == 0);
  REQUIRE(all);
  auto out = read_lines(dir / "a.out");
  auto ob = read_lines(dir / "b.out");
  out.insert(out.end(), ob.begin(), ob.end());
  // Nothing b read was read by a before the rebalance: no duplicates, nothing lost.
  std::set<std::string> seen(out.begin(), out.end());
  CHECK(out.size() == 600);
  CHECK(seen.size() == 600);
}

TEST_CASE("kafka: a poll takes every ready message, in order, and knows its batch's ends", "[kafka][consumer]") {
  // After its first message a poll takes what is ready many messages a call
  // (rd_kafka_consume_batch_queue); the ends it keeps are what the sink commits.
  TempDir dir;
  MockCluster b(1, {{"e", 3}});
  const int n = 6000;
  std::string input;
  for (int i = 0; i < n; ++i) input += fmt::format("k{}:value {:05}\n", i % 7, i);
  write_file(dir / "in.txt", input);
  kcat_write(b.bootstrap(), "e", dir / "in.txt", true);
  connectrun::KafkaConsumerOptions o;
  o.connector = "ends";
  o.settings = {{"bootstrap.servers", b.bootstrap()}};
  o.subscription.topics = {"e"};
  o.once = true;
  auto consumer = connectrun::make_kafka_consumer(std::move(o));
  std::map<int32_t, int64_t> next;  // the next offset expected per partition
  std::map<std::string, int> seen;  // each value once
  size_t largest = 0;
  for (int polls = 0; polls < 1000; ++polls) {
    std::vector<connectrun::BusRecord> out;
    const bool end = consumer->poll(out, 500ms) == connectrun::ConsumeStatus::End;
    // The ends are those of this poll's records, none for a poll that took nothing.
    const connectrun::PartitionEnds* ends = consumer->polled_ends();
    REQUIRE(ends != nullptr);
    CHECK(*ends == connectrun::partition_ends(out));
    if (end) break;
    largest = std::max(largest, out.size());
    for (auto& r : out) {
      REQUIRE(r.partition.has_value());
      CHECK(r.offset == next[*r.partition]);  // no gap, no repeat, in order
      next[*r.partition] = r.offset + 1;
      REQUIRE(r.value.has_value());
      ++seen[*r.value];
    }
  }
  CHECK(seen.size() == static_cast<size_t>(n));
  CHECK(std::all_of(seen.begin(), seen.end(), [](auto& v) { return v.second == 1; }));
  CHECK(largest > 1);
  int64_t total = 0;
  for (auto& [p, end] : next) total += end;
  CHECK(total == n);
}

TEST_CASE("kafka: librdkafka statistics become metric samples per client", "[kafka][metrics]") {
  MockCluster b(1, {{"m", 2}});
  auto metrics = std::make_shared<connectrun::KafkaClientMetrics>();
  connectrun::KafkaProducerOptions o;
  o.connector = "src";
  o.settings = {{"bootstrap.servers", b.bootstrap()}, {"statistics.interval.ms", "100"}};
  o.metrics = metrics;
  auto producer = connectrun::make_kafka_producer(std::move(o));
  std::vector<connectrun::BusRecord> batch(50);
  for (auto& r : batch) {
    r.topic = "m";
    r.value = "x";
  }
  std::mutex mu;
  std::condition_variable cv;
  std::optional<std::optional<std::string>> result;
  producer->send(std::move(batch), [&](std::optional<std::string> e) {
    std::lock_guard lock(mu);
    result = std::move(e);
    cv.notify_all();
  });
  {
    std::unique_lock lock(mu);
    REQUIRE(cv.wait_for(lock, 20s, [&] { return result.has_value(); }));
    REQUIRE_FALSE(result->has_value());
  }
  // Series are labelled with the client, its role and librdkafka's handle name (unique in the process).
  auto value_of = [&](const std::string& prefix) -> std::optional<double> {
    for (auto& [n, v] : metrics->snapshot())
      if (n.rfind(prefix, 0) == 0) return v;
    return std::nullopt;
  };
  const std::string tx = R"(connectrun_kafka_tx_messages_total{client="connectrun-src",role="producer",handle="connectrun-src#producer-)";
  // A snapshot may predate the acknowledgements (sent, still queued): wait for
  // one taken after them.
  const std::string queued = R"(connectrun_kafka_queued_messages{client="connectrun-src",role="producer",handle=")";
  REQUIRE(eventually([&] { return value_of(tx) == 50.0 && value_of(queued) == 0.0; }, 10s));
  bool broker_up = false;
  for (auto& [n, v] : metrics->snapshot())
    if (n.rfind("connectrun_kafka_broker_up{client=\"connectrun-src\",role=\"producer\",handle=\"", 0) == 0 &&
        n.find(",broker=\"") != std::string::npos && v == 1.0) broker_up = true;
  CHECK(broker_up);
  producer->close();
}

TEST_CASE("kafka: a source producer keeps its values' strings for its source once librdkafka copied them",
          "[kafka][string_pool]") {
  MockCluster b(1, {{"p", 1}});
  connectrun::KafkaProducerOptions o;
  o.connector = "src";
  o.settings = {{"bootstrap.servers", b.bootstrap()}};
  connectrun::KafkaProducerOptions plain = o;
  o.keep_spare_strings = true;
  auto producer = connectrun::make_kafka_producer(std::move(o));
  REQUIRE(producer->spare_strings() != nullptr);
  connectrun::StringPool& pool = *producer->spare_strings();
  // One without the option (a dead-letter producer) keeps nothing.
  CHECK(connectrun::make_kafka_producer(std::move(plain))->spare_strings() == nullptr);
  std::vector<connectrun::BusRecord> batch(40);
  std::string expected;
  for (size_t i = 0; i < batch.size(); ++i) {
    batch[i].topic = "p";
    batch[i].partition = 0;
    batch[i].value = fmt::format("value {:03} {}", i, std::string(60 + i, 'v'));
    expected += *batch[i].value + "\n";
  }
  std::mutex mu;
  std::condition_variable cv;
  std::optional<std::optional<std::string>> result;
  producer->send(std::move(batch), [&](std::optional<std::string> e) {
    std::lock_guard lock(mu);
    result = std::move(e);
    cv.notify_all();
  });
  CHECK(pool.kept() == 40);  // given back as soon as send returned: librdkafka holds its own copies
  {
    std::unique_lock lock(mu);
    REQUIRE(cv.wait_for(lock, 20s, [&] { return result.has_value(); }));
    REQUIRE_FALSE(result->has_value());
  }
  producer->close();
  // What the broker has is what was sent, read by kcat.
  CHECK(shell(fmt::format("kcat -b {} -C -t p -e -q -f '%s\\n' 2>/dev/null", b.bootstrap())) == expected);
}

TEST_CASE("kafka: a sink's values stay its own: no pool takes them, and each source task has its own",
          "[kafka][string_pool]") {
  TempDir dir;
  MockCluster b(1, {{"in", 1}});
  std::string input, expected;
  for (int i = 0; i < 300; ++i) {
    const std::string value = fmt::format("line {:04} {}", i, std::string(60 + i % 40, 'v'));
    input += fmt::format("k{}:{}\n", i, value);
    expected += value + "\n";
  }
  write_file(dir / "in.txt", input);
  kcat_write(b.bootstrap(), "in", dir / "in.txt", true);
  auto registry = test_registry([](connectrun::PluginRegistry&) {});
  connectrun::JobPlan plan = plan_yaml(job(dir, b, "pool", "topics: in"), *registry);
  auto store = connectrun::OffsetStore::open(dir / "pool.offsets.json");
  auto bus = connectrun::make_kafka_bus(plan, /*once=*/true);
  // Strings allocated on the sink's thread would be freed on a source's, and kept for
  // nobody in a job without sources: a Kafka bus has no pool for sinks to give to.
  CHECK(bus->string_pool() == nullptr);
  connectrun::Herder herder(plan, /*once=*/true, *store, *bus);
  herder.start_all();
  herder.join_all();
  CHECK(read_file(dir / "pool.out") == expected);
  // Source tasks' producers keep a pool each (no strings traded between their threads);
  // dead-letter producers none.
  auto a = bus->producer("pool");
  auto b2 = bus->producer("pool");
  REQUIRE(a->spare_strings() != nullptr);
  REQUIRE(b2->spare_strings() != nullptr);
  CHECK(a->spare_strings() != b2->spare_strings());
  CHECK(bus->dlq_producer("pool")->spare_strings() == nullptr);
}

TEST_CASE("kafka: statistics that are not librdkafka's are refused and the last snapshot kept", "[kafka][metrics]") {
  CHECK_THROWS_WITH(connectrun::parse_kafka_statistics("{not json"), Catch::Contains("not JSON"));
  CHECK_THROWS_WITH(connectrun::parse_kafka_statistics("[1,2]"), Catch::Contains("client_id"));
  connectrun::KafkaClientMetrics m;
  REQUIRE(m.update(R"({"client_id":"c\"1","txmsgs":7,"topics":{"t":{"partitions":{"0":{"partition":0,"consumer_lag":5},)"
                   R"("-1":{"partition":-1,"consumer_lag":-1}}}}})"));
  CHECK_FALSE(m.update("garbage"));
  auto s = m.snapshot();
  REQUIRE(s.size() == 2);
  CHECK(s[0].first == R"(connectrun_kafka_tx_messages_total{client="c\"1",role="unknown",handle="c\"1"})");
  CHECK(s[0].second == 7.0);
  CHECK(s[1].first == R"(connectrun_kafka_consumer_lag{client="c\"1",role="unknown",handle="c\"1",topic="t",partition="0"})");
  CHECK(s[1].second == 5.0);
  CHECK(m.consumer_lag() == std::optional<int64_t>(5));  // partition -1's unknown lag left out
  connectrun::KafkaClientMetrics producer;
  CHECK_FALSE(producer.consumer_lag());
  REQUIRE(producer.update(R"({"client_id":"p","txmsgs":7})"));
  CHECK_FALSE(producer.consumer_lag());
  REQUIRE(m.update(R"({"client_id":"c","topics":{"t":{"partitions":{"0":{"partition":0,"consumer_lag":5},)"
                   R"("1":{"partition":1,"consumer_lag":30}}}}})"));
  CHECK(m.consumer_lag() == std::optional<int64_t>(35));
}
