// SinkTask::pre_commit decides what the bus acknowledges, and the errant
// record reporter dead-letters what the task could not write: jobs run in
// this process with PrecommitTestSink, on the in-process bus and on
// librdkafka's mock cluster.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "bus/in_process_bus.h"
#include "kafka/mock_cluster.h"
#include "kafka/sink_offsets.h"
#include "support.h"
#include "test_job.h"
#include "test_precommit_sink.h"

using namespace testsupport;
using namespace std::chrono_literals;
using connectrun::MockCluster;
using connectrun::RunOutcome;
using connectrun::TopicPartition;
using connectrun::TopicPartitionOffsets;

namespace {
// FileStreamSource `src` (in.txt → topic lines, one record per batch so the
// bus acknowledges record by record) and PrecommitTestSink `snk` with `sink_extra`.
std::string lines_to_test_sink(const TempDir& dir, const std::string& sink_extra, const std::string& more = "") {
  return fmt::format(R"(worker:
  offset.storage.file.filename: {0}/offsets.json
  key.converter: StringConverter
  value.converter: StringConverter
connectors:
  - name: src
    connector.class: FileStreamSource
    file: {0}/in.txt
    topic: lines
    batch.size: 1
  - name: snk
    connector.class: PrecommitTestSink
    topics: lines
{1}
{2}
)",
                     dir.path(), sink_extra, more);
}
}  // namespace

TEST_CASE("pre_commit holding a record back keeps the source offset before it until released", "[precommit]") {
  TempDir dir;
  write_file(dir / "in.txt", "a\nb\nc\nd\ne\n");
  auto state = std::make_shared<PrecommitSinkState>();
  {
    auto job = plan_precommit_job(lines_to_test_sink(dir, "    hold: c\n    release: go"), state);
    // Everything was put, but c and what follows were never committed: not
    // acknowledged, so the source stored its offset only up to b (exit 1: undelivered).
    CHECK(testsupport::run_job_once(job->plan) == RunOutcome::ConnectorFailed);
    CHECK(state->values("snk") == std::vector<std::string>{"a", "b", "c", "d", "e"});
    CHECK(state->returned["snk"] == TopicPartitionOffsets{{TopicPartition{"lines", 0}, 2}});
    CHECK(stored_position(dir / "offsets.json") == 4);
  }
  // The next run reads c again; "go" releases the hold: everything is committed and stored.
  // Record offsets continue from the offsets file: c gets offset 2 again, go 5.
  append_file(dir / "in.txt", "go\n");
  state->put.clear();
  {
    auto job = plan_precommit_job(lines_to_test_sink(dir, "    hold: c\n    release: go"), state);
    CHECK(testsupport::run_job_once(job->plan) == RunOutcome::Ok);
    CHECK(state->values("snk") == std::vector<std::string>{"c", "d", "e", "go"});
    CHECK(state->returned["snk"] == TopicPartitionOffsets{{TopicPartition{"lines", 0}, 6}});
    CHECK(stored_position(dir / "offsets.json") == 13);
  }
}

TEST_CASE("the default pre_commit flushes and commits everything as before", "[precommit]") {
  TempDir dir;
  write_file(dir / "in.txt", "a\nb\nc\n");
  auto state = std::make_shared<PrecommitSinkState>();
  auto job = plan_precommit_job(lines_to_test_sink(dir, ""), state);
  CHECK(testsupport::run_job_once(job->plan) == RunOutcome::Ok);
  CHECK(state->values("snk") == std::vector<std::string>{"a", "b", "c"});
  CHECK(stored_position(dir / "offsets.json") == 6);
}

TEST_CASE("the errant record reporter sends exactly the reported record to the dead letter topic with Kafka's headers",
          "[precommit][errors]") {
  TempDir dir;
  write_file(dir / "in.txt", "a\nb\nbad\nc\n");
  auto state = std::make_shared<PrecommitSinkState>();
  // A second PrecommitTestSink reads the dead letter topic.
  auto job = plan_precommit_job(lines_to_test_sink(dir,
                                                   "    report: bad\n"
                                                   "    errors.tolerance: all\n"
                                                   "    errors.deadletterqueue.topic.name: dlq\n"
                                                   "    errors.deadletterqueue.context.headers.enable: true",
                                                   "  - name: dlq-reader\n"
                                                   "    connector.class: PrecommitTestSink\n"
                                                   "    topics: dlq"),
                                state);
  CHECK(testsupport::run_job_once(job->plan) == RunOutcome::Ok);
  CHECK(state->values("snk") == std::vector<std::string>{"a", "b", "c"});
  CHECK(stored_position(dir / "offsets.json") == 10);
  std::lock_guard lock(state->mu);
  auto& dead = state->put["dlq-reader"];
  REQUIRE(dead.size() == 1);
  const connectrun::Record& r = dead[0];
  CHECK(r.value.get_if<std::string>() != nullptr);
  CHECK(*r.value.get_if<std::string>() == "bad");
  CHECK(header_json(r, "__connect.errors.topic") == "\"lines\"");
  CHECK(header_json(r, "__connect.errors.partition") == "0");
  CHECK(header_json(r, "__connect.errors.offset") == "2");
  CHECK(header_json(r, "__connect.errors.connector.name") == "\"snk\"");
  CHECK(header_json(r, "__connect.errors.stage") == "\"TASK_PUT\"");
  CHECK(header_json(r, "__connect.errors.class.name") == "\"org.example.PrecommitTestSinkConnector\"");
  CHECK(header_json(r, "__connect.errors.exception.class.name") == "\"org.apache.kafka.connect.errors.DataException\"");
  CHECK(header_json(r, "__connect.errors.exception.message") == "\"cannot write 'bad'\"");
}

TEST_CASE("the errant record reporter fails the task under errors.tolerance none", "[precommit][errors]") {
  TempDir dir;
  write_file(dir / "in.txt", "a\nb\nbad\nc\n");
  auto state = std::make_shared<PrecommitSinkState>();
  auto job = plan_precommit_job(lines_to_test_sink(dir, "    report: bad"), state);
  CHECK(testsupport::run_job_once(job->plan) == RunOutcome::ConnectorFailed);
  CHECK(state->values("snk") == std::vector<std::string>{"a", "b"});
  // Nothing from the failed record on was acknowledged.
  CHECK(stored_position(dir / "offsets.json") <= 4);
}

TEST_CASE("kafka: the group's committed offsets are what pre_commit returned", "[precommit][kafka]") {
  TempDir dir;
  MockCluster b(1, {{"in", 2}});
  int status = -1;
  shell(fmt::format("printf 'v0\\nv1\\nv2\\nv3\\nv4\\n' | kcat -b {} -P -t in -p 0 2>&1", b.bootstrap()), &status);
  REQUIRE(status == 0);
  shell(fmt::format("printf 'w0\\nhold\\nw2\\n' | kcat -b {} -P -t in -p 1 2>&1", b.bootstrap()), &status);
  REQUIRE(status == 0);
  auto state = std::make_shared<PrecommitSinkState>();
  auto job = plan_precommit_job(fmt::format(R"(worker:
  bootstrap.servers: {1}
  offset.storage.file.filename: {0}/offsets.json
  key.converter: StringConverter
  value.converter: StringConverter
connectors:
  - name: snk
    connector.class: PrecommitTestSink
    topics: in
    hold: hold
)",
                                             dir.path(), b.bootstrap()),
                                state);
  CHECK(testsupport::run_job_once(job->plan) == RunOutcome::Ok);  // on Kafka the sources' delivery does not wait for sinks
  TopicPartitionOffsets expected{{TopicPartition{"in", 0}, 5}, {TopicPartition{"in", 1}, 1}};
  CHECK(state->returned["snk"] == expected);
  TopicPartitionOffsets committed;
  for (auto& o : connectrun::list_sink_offsets(job->plan, job->plan.connectors[0]))
    committed[TopicPartition{o.topic, o.partition}] = o.offset;
  CHECK(committed == expected);
}

TEST_CASE("in-process bus: a commit of positions acknowledges the batches wholly below them", "[precommit][bus]") {
  connectrun::InProcessBus bus;
  auto consumer = bus.consumer("snk", {.topics = {"a", "b"}});
  auto producer = bus.producer("src");
  std::vector<std::optional<std::optional<std::string>>> results(3);  // per batch: not yet / its delivery error
  auto send = [&](size_t i, std::vector<std::string> topics) {
    std::vector<connectrun::BusRecord> batch;
    for (auto& t : topics) {
      auto& b = batch.emplace_back();
      b.topic = t;
      b.value.emplace("x");  // not operator= ("x"): GCC 12 warns falsely (-Wrestrict) on it here
    }
    producer->send(std::move(batch), [&results, i](std::optional<std::string> e) { results[i] = std::move(e); });
  };
  send(0, {"a", "a"});  // a-0 offsets 0, 1
  send(1, {"b"});       // b-0 offset 0
  send(2, {"a"});       // a-0 offset 2
  std::vector<connectrun::BusRecord> polled;
  while (polled.size() < 4) consumer->poll(polled, 100ms);
  consumer->commit(TopicPartitionOffsets{{TopicPartition{"b", 0}, 1}});
  CHECK(!results[0]);
  REQUIRE(results[1]);
  CHECK(!*results[1]);
  consumer->commit(TopicPartitionOffsets{{TopicPartition{"a", 0}, 1}});  // half of the first batch: not yet
  CHECK(!results[0]);
  consumer->commit(TopicPartitionOffsets{{TopicPartition{"a", 0}, 2}});
  REQUIRE(results[0]);
  CHECK(!*results[0]);
  CHECK(!results[2]);
  consumer->abandon_uncommitted();
  REQUIRE(results[2]);
  REQUIRE(*results[2]);
  CHECK(connectrun::is_not_committed(**results[2]));
  producer->close();
}
