// The source-side task API as the engine drives it: SourceTask::commit_record
// (once per delivered record, in order, never for records the bus did not
// deliver, null metadata for a filtered one) and SourceTask::commit (after
// each offset flush covering the task's records, and once at the end). Real
// engine parts: run_job, the Herder, the workers, the in-process bus, the
// offsets file, and the real librdkafka client against the mock cluster.
#include <catch2/catch.hpp>

#include <thread>

#include <fmt/format.h>

#include "bus/in_process_bus.h"
#include "engine/engine.h"
#include "engine/herder.h"
#include "engine/task_worker.h"
#include "kafka/kafka_bus.h"
#include "kafka/mock_cluster.h"
#include "offsets/offset_store.h"
#include "support.h"
#include "test_job.h"
#include "test_source_connectors.h"

using namespace connectrun;
using namespace testsource;
using namespace testsupport;
using namespace std::chrono_literals;

namespace {

std::string in_process_job(const TempDir& dir, const std::string& connectors) {
  return fmt::format(R"(worker:
  offset.storage.file.filename: {}/offsets.json
  key.converter: StringConverter
  value.converter: StringConverter
connectors:
  - name: src
    connector.class: CountingSource
    topic: t
{})",
                     dir.path(), connectors);
}

using testsupport::plan_yaml;
RunOutcome run_once(const JobPlan& plan) { return testsupport::run_job_once(plan); }

const Value kPartition(MapEntries{{Value("source"), Value("counting")}});

// The offset stored for CountingSource in the offsets file (-1: none).
int64_t stored_n(const std::string& offsets_path) {
  auto store = OffsetStore::read_only(offsets_path);
  Value v = store->get("src", kPartition);
  const Value* n = v.find("n");
  return n ? n->as<int64_t>() : -1;
}

}  // namespace

TEST_CASE("commit_record: every delivered record once and in poll order on the in-process bus", "[source_task]") {
  TempDir dir;
  auto script = std::make_shared<SourceScript>();
  auto sink = std::make_shared<SinkScript>();
  auto registry = test_registry(script, sink);
  JobPlan plan = plan_yaml(in_process_job(dir, R"(  - name: snk
    connector.class: FailingSink
    topics: t
)"),
                           *registry);
  std::vector<std::string> expected;
  for (int i = 0; i < 200; ++i) {
    expected.push_back("v" + std::to_string(i));
    script->emit(expected.back());
  }
  script->end = true;
  CHECK(run_once(plan) == RunOutcome::Ok);
  CHECK(sink->flushed == expected);
  CHECK(script->polled == expected);
  CHECK(script->committed_values() == expected);
  for (auto& c : script->committed) {
    CHECK(c.has_metadata);
    CHECK(c.topic == "t");
    CHECK(c.partition == -1);  // the bus does not report it back
  }
  // The task hears of every record before it is stopped.
  REQUIRE(!script->events.empty());
  CHECK(script->events.back() == "stop");
  CHECK(stored_n(dir / "offsets.json") == 199);
}

TEST_CASE("commit_record: not for records an in-process sink failed on nor after them", "[source_task]") {
  TempDir dir;
  auto script = std::make_shared<SourceScript>();
  auto sink = std::make_shared<SinkScript>();
  auto registry = test_registry(script, sink);
  JobPlan plan = plan_yaml(in_process_job(dir, R"(  - name: snk
    connector.class: FailingSink
    topics: t
    fail.on: boom
)"),
                           *registry);
  // Lockstep: each record is its own batch, polled once the one before was committed.
  script->lockstep = true;
  for (const char* v : {"a", "b", "boom", "c"}) script->emit(std::string(v));
  script->end = true;
  CHECK(run_once(plan) == RunOutcome::ConnectorFailed);
  CHECK(sink->flushed == std::vector<std::string>{"a", "b"});
  CHECK(script->polled == std::vector<std::string>{"a", "b", "boom"});
  CHECK(script->committed_values() == std::vector<std::string>{"a", "b"});
  CHECK(stored_n(dir / "offsets.json") == 1);  // b's offset: boom is read again
}

TEST_CASE("commit_record: a record the Filter transform dropped is committed with null metadata in its place",
          "[source_task]") {
  TempDir dir;
  auto script = std::make_shared<SourceScript>();
  auto registry = test_registry(script);
  JobPlan plan = plan_yaml(in_process_job(dir, R"(    transforms: drop
    transforms.drop.type: Filter
    transforms.drop.predicate: tombstone
    predicates: tombstone
    predicates.tombstone.type: RecordIsTombstone
)"),
                           *registry);
  script->emit(std::string("a"));
  script->emit(std::nullopt);
  script->emit(std::string("b"));
  script->end = true;
  CHECK(run_once(plan) == RunOutcome::Ok);
  REQUIRE(script->committed.size() == 3);
  CHECK(script->committed[0].value == "a");
  CHECK(script->committed[0].has_metadata);
  CHECK(script->committed[0].topic == "t");
  CHECK(script->committed[1].value == "<null>");
  CHECK_FALSE(script->committed[1].has_metadata);
  CHECK(script->committed[2].value == "b");
  CHECK(script->committed[2].has_metadata);
  CHECK(stored_n(dir / "offsets.json") == 2);
}

TEST_CASE("commit: called after each offset flush that stored the task's offsets and once at the end",
          "[source_task]") {
  TempDir dir;
  auto script = std::make_shared<SourceScript>();
  auto registry = test_registry(script);
  JobPlan plan = plan_yaml(in_process_job(dir, ""), *registry);
  const std::string offsets_path = dir / "offsets.json";
  std::vector<int64_t> seen;  // the offset on disk when each commit() ran
  script->on_commit = [&] { seen.push_back(stored_n(offsets_path)); };
  auto store = OffsetStore::open(offsets_path);
  InProcessBus bus;
  Herder herder(plan, false, *store, bus);
  herder.start_all();
  auto committed = [&](size_t n) { return script->wait_for([&] { return script->committed.size() == n; }); };
  auto commits = [&](int n) { return script->wait_for([&] { return script->commits == n; }); };

  script->emit(std::string("a"));
  REQUIRE(committed(1));  // a's offset is in the store, not yet on disk
  REQUIRE(herder.flush_offsets());
  REQUIRE(commits(1));
  // A flush with nothing new from the task: no commit(). The task thread
  // looks for a due commit() before each commit_record, so once b is
  // committed, a commit() owed for this flush would have been made.
  REQUIRE(herder.flush_offsets());
  script->emit(std::string("b"));
  REQUIRE(committed(2));
  {
    std::lock_guard lock(script->mu);
    CHECK(script->commits == 1);
  }
  REQUIRE(herder.flush_offsets());
  REQUIRE(commits(2));
  script->emit(std::string("c"));
  REQUIRE(committed(3));
  herder.stop_sources();
  herder.join_all();
  // The final flush (made by the stopping task) covered c.
  std::lock_guard lock(script->mu);
  CHECK(script->commits == 3);
  CHECK(seen == std::vector<int64_t>{0, 1, 2});
  REQUIRE(script->events.size() >= 2);
  CHECK(script->events[script->events.size() - 2] == "commit");
  CHECK(script->events.back() == "stop");
}

TEST_CASE("commit_record: not for records Kafka had not acknowledged when the brokers went down at shutdown",
          "[source_task][kafka]") {
  TempDir dir;
  MockCluster cluster(1, {{"t", 1}});
  auto script = std::make_shared<SourceScript>();
  auto registry = test_registry(script);
  JobPlan plan = plan_yaml(fmt::format(R"(worker:
  bootstrap.servers: {1}
  offset.storage.file.filename: {0}/offsets.json
  key.converter: StringConverter
  value.converter: StringConverter
connectors:
  - name: src
    connector.class: CountingSource
    topic: t
    producer.override.linger.ms: 5
)",
                                       dir.path(), cluster.bootstrap()),
                           *registry);
  auto store = OffsetStore::open(dir / "offsets.json");
  auto bus = make_kafka_bus(plan, false);
  {
    SourceWorker worker(plan.connectors[0], TaskSlot{0, 1, plan.connectors[0].plugin_cfg}, false, *store, *bus, 500ms);
    worker.start();
    script->emit(std::string("a"));
    script->emit(std::string("b"));
    REQUIRE(script->wait_for([&] { return script->committed.size() == 2; }));
    rd_kafka_mock_broker_set_down(cluster.cluster(), 1);
    script->emit(std::string("c"));
    script->emit(std::string("d"));
    REQUIRE(script->wait_for([&] { return script->polled.size() == 4; }));
    worker.request_stop();
    worker.join();
    CHECK(worker.stats().undelivered == 2);
    CHECK_FALSE(worker.failure());
  }
  CHECK(script->committed_values() == std::vector<std::string>{"a", "b"});
  for (auto& c : script->committed) {
    CHECK(c.has_metadata);
    CHECK(c.topic == "t");
  }
  CHECK(script->commits == 1);  // the final flush stored a and b
  CHECK(stored_n(dir / "offsets.json") == 1);
}

TEST_CASE("SourceTaskContext::offsets returns the stored offsets of several partitions in order", "[source_task]") {
  std::map<std::string, int64_t> stored{{"p1", 10}, {"p3", 30}};
  SourceTaskContext ctx;
  ctx.offset_for = [&](const Value& partition) {
    auto it = stored.find(partition.find("p")->as<std::string>());
    return it == stored.end() ? Value() : Value(MapEntries{{Value("n"), Value(it->second)}});
  };
  auto part = [](const char* p) { return Value(MapEntries{{Value("p"), Value(p)}}); };
  auto got = ctx.offsets({part("p3"), part("p2"), part("p1")});
  REQUIRE(got.size() == 3);
  CHECK(got[0].find("n")->as<int64_t>() == 30);
  CHECK(got[1].is_null());
  CHECK(got[2].find("n")->as<int64_t>() == 10);
}
