// Broker faults and crashes on the Kafka bus (issue 6): librdkafka's mock
// cluster runs in this test process (kafka/mock_cluster.h) and its controls
// inject the faults; the real binary runs against it and kcat is the outside
// client. librdkafka 2.0's mock cluster has no throttling control
// (rdkafka_mock.h): a slow broker (rd_kafka_mock_broker_set_rtt) stands in.
#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <functional>
#include <random>
#include <set>
#include <thread>

#include <fmt/format.h>

#include "kafka/mock_cluster.h"
#include "support.h"

using namespace testsupport;
using namespace std::chrono_literals;
using connectrun::MockCluster;

namespace {

// The values in `topic` now, in partition order (single-partition topics here).
std::vector<std::string> kcat_values(const MockCluster& b, const std::string& topic) {
  return split_lines(shell(fmt::format("kcat -b {} -C -t {} -e -q -f '%s\\n' 2>/dev/null", b.bootstrap(), topic)));
}

// librdkafka 2.0's mock cluster does not honour LeaveGroup: a restarted
// consumer waits out the previous member's session, so keep it short.
std::string worker(const TempDir& dir, const MockCluster& b, const std::string& extra = "") {
  return fmt::format(R"(worker:
  bootstrap.servers: {1}
  consumer.session.timeout.ms: 6000
  consumer.heartbeat.interval.ms: 500
  offset.storage.file.filename: {0}/offsets.json
  offset.flush.interval.ms: 200
  key.converter: StringConverter
  value.converter: StringConverter
{2}connectors:
)",
                     dir.path(), b.bootstrap(), extra);
}

std::string source(const TempDir& dir, const std::string& topic, const std::string& extra = "") {
  return fmt::format(R"(  - name: src
    connector.class: FileStreamSource
    file: {0}/in.txt
    topic: {1}
    producer.override.linger.ms: 5
    producer.override.batch.num.messages: 100
{2})",
                     dir.path(), topic, extra);
}

std::string sink(const TempDir& dir, const std::string& topic) {
  return fmt::format(R"(  - name: snk
    connector.class: FileStreamSink
    file: {0}/out.txt
    topics: {1}
)",
                     dir.path(), topic);
}

// Runs `job` until the topic holds `n` records (calling `fault` meanwhile), then
// stops it with SIGTERM; the topic must then be the input exactly: idempotence
// means no duplicate even when a request was retried.
void run_through_fault(const TempDir& dir, const MockCluster& b, const std::string& topic, int n,
                       const std::function<void()>& fault, bool with_sink = false) {
  Process p({"run", dir / "job.yaml"}, dir / "log.txt");
  fault();
  bool all = eventually([&] { return kcat_values(b, topic).size() >= static_cast<size_t>(n); }, 40s);
  bool sunk = !with_sink || eventually([&] { return read_lines(dir / "out.txt").size() >= static_cast<size_t>(n); }, 30s);
  p.signal(SIGTERM);
  int rc = p.wait(20s);
  INFO(read_file(dir / "log.txt"));
  REQUIRE(all);
  REQUIRE(sunk);
  CHECK(rc == 0);
  auto input = read_lines(dir / "in.txt");
  CHECK(kcat_values(b, topic) == input);
  if (with_sink) CHECK(read_lines(dir / "out.txt") == input);
}

}  // namespace

TEST_CASE("kafka faults: leader changes mid-run lose and duplicate and reorder nothing", "[kafka][faults]") {
  TempDir dir;
  MockCluster b(3, {{"lt", 1}});
  const int chunks = 12, chunk = 1000, n = chunks * chunk;
  write_file(dir / "in.txt", "");
  write_file(dir / "job.yaml", worker(dir, b) + source(dir, "lt") + sink(dir, "lt"));
  run_through_fault(dir, b, "lt", n, [&] {
    // Records flow while the leader moves round the three brokers: a chunk is
    // appended (the source tails the file), then the leader changes.
    for (int i = 0; i < chunks; ++i) {
      append_file(dir / "in.txt", numbered_lines(i * chunk, (i + 1) * chunk));
      std::this_thread::sleep_for(std::chrono::milliseconds(5 * (i % 4)));
      rd_kafka_mock_partition_set_leader(b.cluster(), "lt", 0, 1 + (i % 3));
      // What a client with the old leader in its metadata is told (the mock
      // cluster of librdkafka 2.0 does not answer so by itself).
      rd_kafka_mock_push_request_errors(b.cluster(), 0 /* Produce */, 1, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION);
      rd_kafka_mock_push_request_errors(b.cluster(), 1 /* Fetch */, 1, RD_KAFKA_RESP_ERR_NOT_LEADER_FOR_PARTITION);
      std::this_thread::sleep_for(250ms);
    }
  }, true);
}

TEST_CASE("kafka faults: request timeouts and timed-out produce requests are retried — nothing lost or reordered",
          "[kafka][faults]") {
  TempDir dir;
  MockCluster b(1, {{"rt", 1}});
  const int n = 10000;
  write_file(dir / "in.txt", numbered_lines(0, n));
  // Requests time out on the client (rtt over request.timeout.ms) and on the broker (REQUEST_TIMED_OUT).
  write_file(dir / "job.yaml", worker(dir, b, "  producer.request.timeout.ms: 1000\n") + source(dir, "rt"));
  rd_kafka_mock_push_request_errors(b.cluster(), 0 /* Produce */, 6, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
                                    RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
                                    RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT, RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT,
                                    RD_KAFKA_RESP_ERR_REQUEST_TIMED_OUT);
  run_through_fault(dir, b, "rt", n, [&] {
    std::this_thread::sleep_for(300ms);
    rd_kafka_mock_broker_set_rtt(b.cluster(), 1, 2500);
    std::this_thread::sleep_for(4000ms);
    rd_kafka_mock_broker_set_rtt(b.cluster(), 1, 0);
  });
}

TEST_CASE("kafka faults: a slow broker (throttling stand-in) delivers everything in order", "[kafka][faults]") {
  TempDir dir;
  MockCluster b(1, {{"slow", 1}});
  const int n = 2000;
  write_file(dir / "in.txt", numbered_lines(0, n));
  write_file(dir / "job.yaml", worker(dir, b) + source(dir, "slow") + sink(dir, "slow"));
  // Every response delayed 200 ms, as a broker throttling this client would; the
  // mock cluster of librdkafka 2.0 has no throttle control of its own.
  rd_kafka_mock_broker_set_rtt(b.cluster(), 1, 200);
  run_through_fault(dir, b, "slow", n, [] {}, true);
}

TEST_CASE("kafka faults: brokers down past the delivery timeout fail the source — offsets stay at what was delivered",
          "[kafka][faults]") {
  TempDir dir;
  MockCluster b(3, {{"down", 1}});
  write_file(dir / "in.txt", numbered_lines(0, 1000));
  write_file(dir / "job.yaml",
             worker(dir, b, "  producer.message.timeout.ms: 3000\n  producer.delivery.timeout.ms: 3000\n") +
                 source(dir, "down"));
  Process p({"run", dir / "job.yaml"}, dir / "log.txt");
  const long first = static_cast<long>(read_file(dir / "in.txt").size());
  REQUIRE(eventually([&] { return stored_position(dir / "offsets.json") == first; }, 30s));
  for (int id = 1; id <= 3; ++id) rd_kafka_mock_broker_set_down(b.cluster(), id);
  append_file(dir / "in.txt", numbered_lines(1000, 3000));
  int rc = p.wait(30s);
  auto log = read_file(dir / "log.txt");
  INFO(log);
  REQUIRE(rc == 1);
  CHECK(log.find("topic 'down'") != std::string::npos);
  CHECK(log.find("Message timed out") != std::string::npos);
  for (int id = 1; id <= 3; ++id) rd_kafka_mock_broker_set_up(b.cluster(), id);
  // The stored offset is never past what the topic holds.
  auto input = read_lines(dir / "in.txt");
  auto topic = kcat_values(b, "down");
  REQUIRE(topic.size() >= 1000);
  // The topic is a prefix of the input (with replays at most)…
  size_t distinct = std::set<std::string>(topic.begin(), topic.end()).size();
  REQUIRE(distinct <= input.size());
  std::vector<std::string> prefix(input.begin(), input.begin() + static_cast<long>(distinct));
  check_no_loss_in_order(prefix, topic);
  // …and the stored source offset is not past it.
  long held = 0;
  for (auto& l : prefix) held += static_cast<long>(l.size()) + 1;
  CHECK(stored_position(dir / "offsets.json") >= first);
  CHECK(stored_position(dir / "offsets.json") <= held);
  // With the brokers back a rerun delivers the rest: nothing lost, order kept.
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"}, 40s);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  check_no_loss_in_order(input, kcat_values(b, "down"));
}

TEST_CASE("kafka: kill -9 at random moments while a writer appends loses nothing and keeps order", "[kafka][faults][crash]") {
  TempDir dir;
  MockCluster b(1, {{"lines", 1}});
  write_file(dir / "in.txt", "");
  write_file(dir / "job.yaml", worker(dir, b) + source(dir, "lines") + sink(dir, "lines"));
  unsigned seed = std::random_device{}();
  INFO("seed " << seed);
  std::mt19937 rng(seed);
  // A writer appends whole lines all through the kills.
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::thread writer([&, wseed = rng()] {
    std::mt19937 wrng(wseed);
    while (!stop.load()) {
      int from = written.load();
      int to = from + 10 + static_cast<int>(wrng() % 40);
      append_file(dir / "in.txt", numbered_lines(from, to));
      written.store(to);
      std::this_thread::sleep_for(std::chrono::milliseconds(10 + wrng() % 40));
    }
  });
  const int kills = 5;
  for (int round = 0; round < kills; ++round) {
    size_t before = read_lines(dir / "out.txt").size();
    Process p({"run", dir / "job.yaml"}, dir / fmt::format("log{}.txt", round));
    // Two kills come once the sink is writing again (after the killed member's
    // session ended), the others at any moment.
    if (round == 1 || round == 3) eventually([&] { return read_lines(dir / "out.txt").size() > before; }, 15s);
    std::this_thread::sleep_for(std::chrono::milliseconds(100 + rng() % 1200));
    p.signal(SIGKILL);
    int rc = p.wait(10s);
    if (rc != 128 + SIGKILL) {
      stop.store(true);
      writer.join();
      INFO(read_file(dir / fmt::format("log{}.txt", round)));
      REQUIRE(rc == 128 + SIGKILL);
    }
  }
  stop.store(true);
  writer.join();
  // A last run delivers the rest (its sink joins the group once the killed
  // member's session is over), then stops cleanly. Not --once: a --once sink
  // commits as a simple consumer, which the group refuses while the killed
  // member still counts as active (a replay on the next run, not a loss).
  const size_t total = read_lines(dir / "in.txt").size();
  {
    Process p({"run", dir / "job.yaml"}, dir / "log-final.txt");
    bool all = eventually([&] {
      auto out = read_lines(dir / "out.txt");
      return std::set<std::string>(out.begin(), out.end()).size() >= total;
    }, 45s);
    p.signal(SIGTERM);
    int rc = p.wait(20s);
    INFO(read_file(dir / "log-final.txt"));
    REQUIRE(all);
    REQUIRE(rc == 0);
  }
  auto input = read_lines(dir / "in.txt");
  REQUIRE(input.size() == static_cast<size_t>(written.load()));
  check_no_loss_in_order(input, kcat_values(b, "lines"));
  check_no_loss_in_order(input, read_lines(dir / "out.txt"));
  auto out = read_file(dir / "out.txt");
  CHECK((out.empty() || out.back() == '\n'));
}
