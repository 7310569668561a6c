// End-to-end: `connectrun offsets` on a sink connector's consumer group, on
// librdkafka's mock cluster (in this test process), with kcat producing.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "kafka/mock_cluster.h"
#include "support.h"

using namespace testsupport;
using namespace std::chrono_literals;
using connectrun::MockCluster;

namespace {
// librdkafka 2.0's mock cluster does not honour LeaveGroup: each join waits
// out the previous member's session, so keep it short.
std::string group_job(const TempDir& dir, const MockCluster& b, const std::string& subscription = "topics: in") {
  return fmt::format(R"(worker:
  bootstrap.servers: {1}
  consumer.session.timeout.ms: 6000
  consumer.heartbeat.interval.ms: 500
  offset.storage.file.filename: {0}/offsets.json
  key.converter: StringConverter
  value.converter: StringConverter
connectors:
  - name: snk
    connector.class: FileStreamSink
    file: {0}/out.txt
    {2}
)",
                     dir.path(), b.bootstrap(), subscription);
}

void produce(const MockCluster& b, int partition, int from, int to) {
  std::string lines;
  for (int i = from; i < to; ++i) lines += fmt::format("v{}\n", i);
  int status = -1;
  shell(fmt::format("printf '{}' | kcat -b {} -P -t in -p {} 2>&1", lines, b.bootstrap(), partition), &status);
  REQUIRE(status == 0);
}
}  // namespace

TEST_CASE("kafka offsets: list, set and reset a sink connector's group offsets", "[kafka][e2e][offsets]") {
  TempDir dir;
  MockCluster b(1, {{"in", 2}});
  produce(b, 0, 0, 10);
  produce(b, 1, 100, 105);
  write_file(dir / "job.yaml", group_job(dir, b));
  {
    auto r = run_connectrun({"run", "--once", dir / "job.yaml"}, 60s);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    REQUIRE(read_lines(dir / "out.txt").size() == 15);
  }
  auto list = run_connectrun({"offsets", "list", "--json", "--connector", "snk", dir / "job.yaml"}, 60s);
  INFO(list.err);
  REQUIRE(list.exit_code == 0);
  CHECK(list.out == "{\"offsets\":[{\"partition\":{\"kafka_topic\":\"in\",\"kafka_partition\":0},\"offset\":{\"kafka_offset\":10}},"
                    "{\"partition\":{\"kafka_topic\":\"in\",\"kafka_partition\":1},\"offset\":{\"kafka_offset\":5}}]}\n");

  // set: partition 0 back to 7 — the next run writes v7..v9 again.
  auto set = run_connectrun({"offsets", "set", "--connector", "snk", "--partition",
                             "{\"kafka_topic\":\"in\",\"kafka_partition\":0}", "--offset", "{\"kafka_offset\":7}", "--yes",
                             dir / "job.yaml"},
                            120s);
  INFO(set.err);
  REQUIRE(set.exit_code == 0);
  CHECK(run_connectrun({"offsets", "list", dir / "job.yaml"}, 60s).out.find("{\"kafka_topic\":\"in\",\"kafka_partition\":0}  {\"kafka_offset\":7}") !=
        std::string::npos);
  {
    auto r = run_connectrun({"run", "--once", dir / "job.yaml"}, 120s);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    auto out = read_lines(dir / "out.txt");
    REQUIRE(out.size() == 18);
    CHECK(std::vector<std::string>(out.end() - 3, out.end()) == std::vector<std::string>{"v7", "v8", "v9"});
  }

  // reset: every partition back to auto.offset.reset (earliest): everything again.
  auto reset = run_connectrun({"offsets", "reset", "--connector", "snk", "--yes", dir / "job.yaml"}, 120s);
  INFO(reset.err);
  REQUIRE(reset.exit_code == 0);
  CHECK(reset.err.find("reset: in-0 → 0") != std::string::npos);
  CHECK(reset.err.find("reset: in-1 → 0") != std::string::npos);
  {
    auto r = run_connectrun({"run", "--once", dir / "job.yaml"}, 120s);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(read_lines(dir / "out.txt").size() == 33);
  }
}

TEST_CASE("kafka offsets: bad sink partition or offset JSON shapes are usage errors", "[kafka][e2e][offsets]") {
  TempDir dir;
  MockCluster b(1, {{"in", 1}});
  write_file(dir / "job.yaml", group_job(dir, b));
  auto no_topic = run_connectrun({"offsets", "set", "--connector", "snk", "--partition", "{\"kafka_partition\":0}",
                                  "--offset", "{\"kafka_offset\":1}", "--yes", dir / "job.yaml"});
  CHECK(no_topic.exit_code == 2);
  CHECK(no_topic.err.find("a sink connector's partition is {\"kafka_topic\":\"TOPIC\",\"kafka_partition\":N}") != std::string::npos);
  auto negative = run_connectrun({"offsets", "set", "--connector", "snk", "--partition",
                                  "{\"kafka_topic\":\"in\",\"kafka_partition\":0}", "--offset", "{\"kafka_offset\":-5}",
                                  "--yes", dir / "job.yaml"});
  CHECK(negative.exit_code == 2);
  CHECK(negative.err.find("a sink connector's offset is {\"kafka_offset\":N} (N >= 0) or null") != std::string::npos);
}

TEST_CASE("kafka offsets: a partition the topic does not have is refused", "[kafka][e2e][offsets]") {
  TempDir dir;
  MockCluster b(1, {{"in", 1}});
  write_file(dir / "job.yaml", group_job(dir, b));
  auto r = run_connectrun({"offsets", "set", "--connector", "snk", "--partition",
                           "{\"kafka_topic\":\"in\",\"kafka_partition\":3}", "--offset", "{\"kafka_offset\":1}", "--yes",
                           dir / "job.yaml"},
                          120s);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("in-3 is not assigned to this client") != std::string::npos);
}

TEST_CASE("kafka offsets: topics.regex in Java syntax selects the sink's partitions to list and set", "[kafka][e2e][offsets]") {
  TempDir dir;
  MockCluster b(1, {{"in", 2}, {"other", 1}});
  produce(b, 0, 0, 4);
  // (?:…) is Java (PCRE2) syntax that POSIX regcomp rejects; "other" must not match.
  write_file(dir / "job.yaml", group_job(dir, b, R"x(topics.regex: "i(?:n)")x"));
  auto set = run_connectrun({"offsets", "set", "--connector", "snk", "--partition",
                             "{\"kafka_topic\":\"in\",\"kafka_partition\":0}", "--offset", "{\"kafka_offset\":3}", "--yes",
                             dir / "job.yaml"},
                            120s);
  INFO(set.err);
  REQUIRE(set.exit_code == 0);
  auto list = run_connectrun({"offsets", "list", "--json", "--connector", "snk", dir / "job.yaml"}, 60s);
  INFO(list.err);
  REQUIRE(list.exit_code == 0);
  CHECK(list.out == "{\"offsets\":[{\"partition\":{\"kafka_topic\":\"in\",\"kafka_partition\":0},\"offset\":{\"kafka_offset\":3}}]}\n");
}
