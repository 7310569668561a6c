// End-to-end: the engine's delivery accounting. What counts as written and
// stored is what the bus delivered — at shutdown, on a second signal, under
// --once with a job that feeds its own sink through Kafka, and around dead
// letters. Broker faults use librdkafka's mock cluster in this test process
// (kafka/mock_cluster.h), as test/e2e_kafka_faults_test.cpp does.
#include <catch2/catch.hpp>

#include <filesystem>
#include <thread>

#include <fmt/format.h>

#include "kafka/mock_cluster.h"
#include "offsets/offset_store.h"
#include "support.h"

using namespace testsupport;
using namespace std::chrono_literals;
using connectrun::MockCluster;

namespace {

// src (in.txt → topic `topic`) on the Kafka bus, and snk (topic → out.txt) when `with_sink`.
std::string kafka_job(const TempDir& dir, const MockCluster& b, const std::string& topic, bool with_sink,
                      const std::string& worker_extra = "", int linger_ms = 5) {
  std::string job = fmt::format(R"(worker:
  bootstrap.servers: {1}
  offset.storage.file.filename: {0}/offsets.json
  key.converter: StringConverter
  value.converter: StringConverter
{3}connectors:
  - name: src
    connector.class: FileStreamSource
    file: {0}/in.txt
    topic: {2}
    producer.override.linger.ms: {4}
)",
                                dir.path(), b.bootstrap(), topic, worker_extra, linger_ms);
  if (with_sink)
    job += fmt::format(R"(  - name: snk
    connector.class: FileStreamSink
    file: {0}/out.txt
    topics: {1}
)",
                       dir.path(), topic);
  return job;
}

std::vector<std::string> kcat_values(const MockCluster& b, const std::string& topic) {
  return split_lines(shell(fmt::format("kcat -b {} -C -t {} -e -q -f '%s\\n' 2>/dev/null", b.bootstrap(), topic)));
}

void set_brokers(const MockCluster& b, int n, bool up) {
  for (int id = 1; id <= n; ++id) {
    if (up) rd_kafka_mock_broker_set_up(b.cluster(), id);
    else rd_kafka_mock_broker_set_down(b.cluster(), id);
  }
}

}  // namespace

// README: exit 0 means everything delivered and stored. A broker that is down
// at SIGTERM used to give "3 read, 3 written" and exit 0 with nothing delivered.
TEST_CASE("kafka: SIGTERM with records undelivered (brokers down) exits 1 and counts only what was delivered",
          "[kafka][e2e][shutdown]") {
  TempDir dir;
  MockCluster b(1, {{"t", 1}});
  write_file(dir / "in.txt", "one\ntwo\nthree\n");
  write_file(dir / "job.yaml", kafka_job(dir, b, "t", false, "  offset.flush.timeout.ms: 1000\n"));
  set_brokers(b, 1, false);
  Process p({"run", dir / "job.yaml"}, dir / "log.txt");
  // The source reads the three lines at once; the producer holds them.
  std::this_thread::sleep_for(1500ms);
  p.signal(SIGTERM);
  int rc = p.wait(30s);
  auto log = read_file(dir / "log.txt");
  INFO(log);
  CHECK(rc == 1);
  CHECK(log.find("3 records were not delivered before shutdown") != std::string::npos);
  CHECK(log.find("their offsets were not stored, they will be read again") != std::string::npos);
  CHECK(log.find("connector 'src': 3 read, 0 written") != std::string::npos);
  CHECK(stored_position(dir / "offsets.json") == -1);
  // With the broker back, the next run delivers them.
  set_brokers(b, 1, true);
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"}, 40s);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("connector 'src': 3 read, 3 written") != std::string::npos);
  CHECK(kcat_values(b, "t") == std::vector<std::string>{"one", "two", "three"});
  CHECK(stored_position(dir / "offsets.json") == 14);
}

// The second signal leaves at once (130) while the first is still waiting for
// deliveries; what is on disk is a complete earlier version of the offsets file.
TEST_CASE("a second signal exits 130 at once — the offsets file is a complete earlier version", "[kafka][e2e][shutdown]") {
  TempDir dir;
  MockCluster b(1, {{"t", 1}});
  write_file(dir / "in.txt", numbered_lines(0, 100));
  const long first = static_cast<long>(read_file(dir / "in.txt").size());
  write_file(dir / "job.yaml", kafka_job(dir, b, "t", false,
                                         "  offset.flush.interval.ms: 100\n  offset.flush.timeout.ms: 60000\n"));
  Process p({"run", dir / "job.yaml"}, dir / "log.txt");
  REQUIRE(eventually([&] { return stored_position(dir / "offsets.json") == first; }, 30s));
  const std::string stored = read_file(dir / "offsets.json");
  // More lines that cannot be delivered: the first signal waits up to a minute for them.
  set_brokers(b, 1, false);
  append_file(dir / "in.txt", numbered_lines(100, 200));
  std::this_thread::sleep_for(1000ms);
  p.signal(SIGTERM);
  REQUIRE(eventually([&] { return read_file(dir / "log.txt").find("received SIGTERM; stopping") != std::string::npos; }));
  std::this_thread::sleep_for(300ms);
  p.signal(SIGTERM);
  int rc = p.wait(10s);
  auto log = read_file(dir / "log.txt");
  INFO(log);
  CHECK(rc == 130);
  CHECK(log.find("second signal: exiting at once") != std::string::npos);
  // The file is the last complete version: it loads, and holds the delivered position.
  CHECK(read_file(dir / "offsets.json") == stored);
  CHECK_NOTHROW(connectrun::OffsetStore::read_only(dir / "offsets.json"));
  CHECK(stored_position(dir / "offsets.json") == first);
  for (auto& e : std::filesystem::directory_iterator(dir.path()))
    CHECK(e.path().filename().string().find(".tmp-") == std::string::npos);
}

// --once used to take the sink's end offsets at start, before the job's own
// source produced: the sink was always one run behind.
TEST_CASE("kafka --once: a sink of the topic its own job's source produces writes every line in the same run",
          "[kafka][e2e][once]") {
  TempDir dir;
  MockCluster b(1, {{"lines", 1}});
  write_file(dir / "in.txt", numbered_lines(0, 500));
  // The source's records reach the topic a second after start (linger.ms),
  // surely after the sink first looked at the topic's end.
  write_file(dir / "job.yaml", kafka_job(dir, b, "lines", true, "", 1000));
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"}, 60s);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(read_file(dir / "out.txt") == numbered_lines(0, 500));
  // The next run adds what was appended, again in the same run.
  append_file(dir / "in.txt", numbered_lines(500, 700));
  auto again = run_connectrun({"run", "--once", dir / "job.yaml"}, 60s);
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  std::vector<std::string> expected = split_lines(numbered_lines(0, 700));
  // The mock cluster refuses a --once sink's commits once the group had
  // members (docs/reliability.md): a replay is allowed, a loss is not.
  check_no_loss_in_order(expected, read_lines(dir / "out.txt"));
}

// A record sent to the dead letter queue under errors.tolerance=all counts as
// handled only once the dead letter is written: if that write fails, the
// source offset of the batch is not stored (it is read again).
TEST_CASE("offsets are stored only after the dead letters are written", "[e2e][dlq]") {
  TempDir dir;
  write_file(dir / "in.txt", "{\"a\":1}\nnot json\n{\"a\":3}\n");
  auto job = [&](const std::string& dead_file) {
    return lines_job(dir.path(), {.sink_extra = fmt::format(R"(    value.converter: JsonConverter
    value.converter.schemas.enable: false
    errors.tolerance: all
    errors.deadletterqueue.topic.name: dead
  - name: dead-sink
    connector.class: FileStreamSink
    file: {}
    topics: dead
)", dead_file)});
  };
  // The dead letter topic's only sink cannot write: the dead letter is never written.
  write_file(dir / "job.yaml", job(dir / "missing-folder/dead.txt"));
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"}, 30s);
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("cannot write to the dead letter topic 'dead'") != std::string::npos);
  CHECK(stored_position(dir / "offsets.json") == -1);
  // Once it can, the whole batch is read again and the dead letter written.
  write_file(dir / "job.yaml", job(dir / "dead.txt"));
  auto ok = run_connectrun({"run", "--once", dir / "job.yaml"}, 30s);
  INFO(ok.err);
  REQUIRE(ok.exit_code == 0);
  CHECK(read_lines(dir / "dead.txt") == std::vector<std::string>{"not json"});
  CHECK(stored_position(dir / "offsets.json") == static_cast<long>(read_file(dir / "in.txt").size()));
}
