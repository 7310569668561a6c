// tasks.max for sink connectors: the tasks of one connector split each
// topic's partitions (in process as Kafka's RangeAssignor does; on Kafka as
// one consumer group), keyed records land where Kafka's default partitioner
// puts them, and each task is told its partitions through open/close.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <map>
#include <set>

#include "bus/in_process_bus.h"
#include "bus/partitioner.h"
#include "connectors/connectors.h"
#include "engine/engine.h"
#include "engine/herder.h"
#include "kafka/kafka_bus.h"
#include "kafka/mock_cluster.h"
#include "offsets/offset_store.h"
#include "ops/rest_json.h"
#include "plan/plan_loader.h"
#include "support.h"
#include "test_job.h"
#include "test_sink_plugins.h"

using namespace connectrun;
using namespace std::chrono_literals;
using testsupport::TempDir;

namespace {

struct TestJob {
  std::shared_ptr<testsink::Recorder> recorder = std::make_shared<testsink::Recorder>();
  std::unique_ptr<PluginRegistry> registry;  // lives as long as the plan
  std::optional<JobPlan> plan;
};

// Plans `yaml` against the core plugins, the connectors and the test plugins.
std::unique_ptr<TestJob> plan_test_job(const std::string& yaml) {
  auto job = std::make_unique<TestJob>();
  job->registry = testsupport::test_registry(
      [&](PluginRegistry& r) { testsink::register_test_sink_plugins(r, job->recorder); });
  job->plan = testsupport::plan_yaml(yaml, *job->registry);
  return job;
}

// A KeyedSource of `count` records into `keyed` (created with 6 partitions)
// and a RecordingSink of it with `tasks` tasks.
std::string keyed_job(const TempDir& dir, int count, int tasks, const std::string& worker_extra = "") {
  return fmt::format(R"(worker:
  offset.storage.file.filename: {0}/offsets.json
  key.converter: StringConverter
  value.converter: StringConverter
{3}connectors:
  - name: src
    connector.class: KeyedSource
    topic: keyed
    count: {1}
    topic.creation.default.partitions: 6
    topic.creation.default.replication.factor: 1
  - name: snk
    connector.class: RecordingSink
    topics: keyed
    tasks.max: {2}
)",
                     dir.path(), count, tasks, worker_extra);
}

std::multiset<std::string> expected_values(int count) {
  std::multiset<std::string> out;
  for (int i = 0; i < count; ++i) out.insert(fmt::format("value-{}", i));
  return out;
}

std::set<TopicPartition> range_of(const std::string& topic, int32_t partitions, int task, int tasks) {
  std::set<TopicPartition> out;
  PartitionRange r = range_assignment(partitions, task, tasks);
  for (int32_t p = r.first; p < r.first + r.count; ++p) out.insert({topic, p});
  return out;
}

// Every task read only its RangeAssignor share, each record in the partition
// Kafka's default partitioner gives its key, and the union is the input.
void check_split(const testsink::Recorder& rec, int count, int tasks) {
  auto logs = rec.tasks();
  REQUIRE(static_cast<int>(logs.size()) == tasks);
  for (auto& [id, log] : logs) {
    INFO("task " << id);
    auto share = range_of("keyed", 6, id, tasks);
    for (auto& r : log.records) {
      CHECK(share.count({r.topic, r.partition}) == 1);
      CHECK(r.partition == partition_for_key(r.key, 6));
    }
    CHECK(testsink::flatten(log.opened) == share);
    CHECK(testsink::flatten(log.closed) == share);
    CHECK(log.stopped);
  }
  CHECK(rec.values() == expected_values(count));
}

}  // namespace

TEST_CASE("murmur2 matches Kafka's Utils.murmur2 test vectors", "[sink-tasks]") {
  // org.apache.kafka.common.utils.UtilsTest.testMurmur2
  CHECK(murmur2("21") == -973932308);
  CHECK(murmur2("foobar") == -790332482);
  CHECK(murmur2("a-little-bit-long-string") == -985981536);
  CHECK(murmur2("a-little-bit-longer-string") == -1486304829);
  CHECK(murmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8") == -58897971);
  CHECK(murmur2("abc") == 479470107);
  // toPositive(murmur2(key)) % partitions: the sign bit is masked, not negated.
  CHECK(partition_for_key("21", 6) == static_cast<int32_t>((static_cast<uint32_t>(-973932308) & 0x7fffffffu) % 6));
  CHECK(partition_for_key("foobar", 1) == 0);
}

TEST_CASE("range assignment splits partitions as Kafka's RangeAssignor", "[sink-tasks]") {
  auto r = [](int32_t parts, int member, int members) {
    PartitionRange a = range_assignment(parts, member, members);
    return std::make_pair(a.first, a.count);
  };
  CHECK(r(6, 0, 3) == std::make_pair(0, 2));
  CHECK(r(6, 1, 3) == std::make_pair(2, 2));
  CHECK(r(6, 2, 3) == std::make_pair(4, 2));
  CHECK(r(7, 0, 3) == std::make_pair(0, 3));
  CHECK(r(7, 1, 3) == std::make_pair(3, 2));
  CHECK(r(7, 2, 3) == std::make_pair(5, 2));
  CHECK(r(2, 2, 3).second == 0);
  CHECK(r(6, 0, 1) == std::make_pair(0, 6));
}

TEST_CASE("in-process bus: partitions by key and round robin with offsets per partition", "[sink-tasks]") {
  InProcessBus bus;
  std::vector<std::unique_ptr<BusConsumer>> consumers;
  for (int t = 0; t < 3; ++t) consumers.push_back(bus.consumer("snk", Subscription{{"t"}, ""}, ConsumerTask{t, 3}));
  auto producer = bus.producer("src");
  std::vector<BusRecord> batch;
  for (int i = 0; i < 60; ++i) {
    BusRecord r;
    r.topic = "t";
    if (i % 2 == 0) r.key = fmt::format("key-{}", i);  // odd ones: null keys, round robin
    r.value = fmt::format("value-{}", i);
    batch.push_back(std::move(r));
  }
  std::optional<std::optional<std::string>> result;
  bus.send(std::move(batch), [&](std::optional<std::string> e) { result = std::move(e); }, 6);
  CHECK(bus.partitions_of("t") == 6);
  std::map<int32_t, std::vector<int64_t>> offsets;
  std::multiset<std::string> seen;
  int null_keys = 0;
  for (int t = 0; t < 3; ++t) {
    auto changes = consumers[t]->take_partition_changes();
    REQUIRE(changes.size() == 1);
    CHECK(changes[0].assigned);
    CHECK(std::set<TopicPartition>(changes[0].partitions.begin(), changes[0].partitions.end()) == range_of("t", 6, t, 3));
    std::vector<BusRecord> out;
    consumers[t]->poll(out, 0ms);
    for (auto& r : out) {
      REQUIRE(r.partition);
      CHECK(range_of("t", 6, t, 3).count({"t", *r.partition}) == 1);
      if (r.key) CHECK(*r.partition == partition_for_key(*r.key, 6));
      else ++null_keys;
      offsets[*r.partition].push_back(r.offset);
      seen.insert(*r.value);
    }
    // Delivered only once every task owning some of its records committed.
    CHECK_FALSE(result);
    consumers[t]->commit();
  }
  REQUIRE(result);
  CHECK_FALSE(*result);
  CHECK(null_keys == 30);
  CHECK(seen.size() == 60);
  for (auto& [p, list] : offsets)
    for (size_t i = 0; i < list.size(); ++i) CHECK(list[i] == static_cast<int64_t>(i));

  // An explicit partition is kept; one out of range fails the batch.
  BusRecord kept;
  kept.topic = "t";
  kept.partition = 5;
  kept.key = "21";
  std::optional<std::optional<std::string>> r2;
  bus.send({kept}, [&](std::optional<std::string> e) { r2 = std::move(e); });
  std::vector<BusRecord> out;
  consumers[2]->poll(out, 0ms);
  REQUIRE(out.size() == 1);
  CHECK(out[0].partition == 5);
  consumers[2]->commit();
  REQUIRE(r2);
  CHECK_FALSE(*r2);
  BusRecord bad = kept;
  bad.partition = 6;
  std::optional<std::optional<std::string>> r3;
  bus.send({bad}, [&](std::optional<std::string> e) { r3 = std::move(e); });
  REQUIRE(r3);
  REQUIRE(*r3);
  CHECK_THAT(**r3, Catch::Contains("partition 6 does not exist"));
  producer->close();
}

TEST_CASE("in-process bus: null-key records round robin over the partitions", "[sink-tasks]") {
  InProcessBus bus;
  auto consumer = bus.consumer("snk", Subscription{{"t"}, ""});
  auto producer = bus.producer("src");
  std::vector<BusRecord> batch(12);
  for (auto& r : batch) r.topic = "t";
  bus.send(std::move(batch), [](std::optional<std::string>) {}, 4);
  std::vector<BusRecord> out;
  consumer->poll(out, 0ms);
  REQUIRE(out.size() == 12);
  for (size_t i = 0; i < out.size(); ++i) {
    CHECK(out[i].partition == static_cast<int32_t>(i % 4));
    CHECK(out[i].offset == static_cast<int64_t>(i / 4));
  }
  consumer->commit();
}

TEST_CASE("in-process: a sink with tasks.max 3 splits a 6-partition topic between its tasks", "[sink-tasks]") {
  TempDir dir;
  auto job = plan_test_job(keyed_job(dir, 1000, 3));
  REQUIRE(testsupport::run_job_once(*job->plan) == RunOutcome::Ok);
  check_split(*job->recorder, 1000, 3);
  // Offsets count per partition: each partition's records are numbered 0, 1, … in order.
  std::map<int32_t, std::vector<int64_t>> offsets;
  for (auto& [id, log] : job->recorder->tasks())
    for (auto& r : log.records) offsets[r.partition].push_back(r.offset);
  CHECK(offsets.size() == 6);
  for (auto& [p, list] : offsets)
    for (size_t i = 0; i < list.size(); ++i) CHECK(list[i] == static_cast<int64_t>(i));

  TempDir dir1;
  auto one = plan_test_job(keyed_job(dir1, 1000, 1));
  REQUIRE(testsupport::run_job_once(*one->plan) == RunOutcome::Ok);
  check_split(*one->recorder, 1000, 1);
}

TEST_CASE("herder: a sink's tasks each have a status and pause together", "[sink-tasks]") {
  TempDir dir;
  auto job = plan_test_job(keyed_job(dir, 50, 3));
  auto store = OffsetStore::open(dir / "offsets.json");
  InProcessBus bus;
  bus.plan_changed(*job->plan);
  {
    Herder herder(*job->plan, /*once=*/true, *store, bus);
    // Paused from the start: its tasks take nothing, so the job cannot end before the checks.
    REQUIRE(herder.pause("snk"));
    herder.start_all();
    auto snap = herder.snapshot("snk");
    REQUIRE(snap);
    REQUIRE(snap->tasks.size() == 3);
    for (int i = 0; i < 3; ++i) CHECK(snap->tasks[i].id == i);
    std::string status = rest::status_json(*snap, "host:8083");
    CHECK_THAT(status, Catch::Contains(R"("tasks":[{"id":0,)") && Catch::Contains(R"({"id":1,)") &&
                           Catch::Contains(R"({"id":2,)"));
    CHECK(snap->state == "PAUSED");
    for (auto& t : snap->tasks) CHECK(t.state == "PAUSED");
    REQUIRE(herder.resume("snk"));
    REQUIRE(testsupport::eventually([&] { return herder.all_sources_finished(); }));
    herder.stop_sources();
    REQUIRE(testsupport::eventually([&] { return herder.all_finished(); }));
    herder.join_all();
    snap = herder.snapshot("snk");
    CHECK(snap->written == 50);
    CHECK(snap->tasks[0].written + snap->tasks[1].written + snap->tasks[2].written == 50);
  }
  check_split(*job->recorder, 50, 3);
}

TEST_CASE("kafka: a sink with tasks.max 3 reads a 6-partition topic once between its tasks", "[sink-tasks][kafka]") {
  for (int tasks : {3, 1}) {
    INFO("tasks.max " << tasks);
    MockCluster cluster(1, {{"keyed", 6}});
    TempDir dir;
    auto job = plan_test_job(keyed_job(dir, 600, tasks, fmt::format("  bootstrap.servers: {}\n", cluster.bootstrap())));
    REQUIRE(testsupport::run_job_once(*job->plan) == RunOutcome::Ok);
    // The producer partitions keys with murmur2 too, so check_split's partition check holds on Kafka.
    check_split(*job->recorder, 600, tasks);
  }
}

TEST_CASE("kafka: a rebalance between two consumers of one group revokes and assigns partitions", "[sink-tasks][kafka]") {
  MockCluster cluster(1, {{"keyed", 6}});
  TempDir dir;
  auto job = plan_test_job(keyed_job(dir, 10, 1,
                                          fmt::format("  bootstrap.servers: {}\n  consumer.session.timeout.ms: 6000\n"
                                                      "  consumer.heartbeat.interval.ms: 500\n",
                                                      cluster.bootstrap())));
  // Two buses of one job: as two connectrun processes would have.
  auto bus_a = make_kafka_bus(*job->plan, false), bus_b = make_kafka_bus(*job->plan, false);
  auto a = bus_a->consumer("snk", Subscription{{"keyed"}, ""});
  std::set<TopicPartition> held_a, held_b;
  auto follow = [](BusConsumer& c, std::set<TopicPartition>& held, int& revokes) {
    std::vector<BusRecord> out;
    c.poll(out, 50ms);
    for (auto& ch : c.take_partition_changes())
      for (auto& tp : ch.partitions) {
        if (ch.assigned) held.insert(tp);
        else {
          held.erase(tp);
          ++revokes;
        }
      }
  };
  int revokes_a = 0, revokes_b = 0;
  REQUIRE(testsupport::eventually([&] {
    follow(*a, held_a, revokes_a);
    return held_a.size() == 6;
  }, 30s));
  auto b = bus_b->consumer("snk", Subscription{{"keyed"}, ""});
  REQUIRE(testsupport::eventually([&] {
    follow(*a, held_a, revokes_a);
    follow(*b, held_b, revokes_b);
    return revokes_a > 0 && !held_a.empty() && !held_b.empty() && held_a.size() + held_b.size() == 6;
  }, 60s));
  std::set<TopicPartition> all = held_a;
  all.insert(held_b.begin(), held_b.end());
  CHECK(all == range_of("keyed", 6, 0, 1));
  // A new task taking over a consumer is told everything it holds.
  a->replay_assignment();
  auto replay = a->take_partition_changes();
  REQUIRE(replay.size() == 1);
  CHECK(std::set<TopicPartition>(replay[0].partitions.begin(), replay[0].partitions.end()) == held_a);
}
