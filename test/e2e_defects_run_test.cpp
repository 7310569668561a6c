// End-to-end checks of `run` for issue 19's defects: an unreachable Kafka
// cluster under --once, the errors.tolerance=all wording, the JSON summary.
#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <simdjson.h>

#include "support.h"

using namespace testsupport;
using namespace std::chrono_literals;

namespace {
size_t count_lines_with(const std::string& text, const std::vector<std::string>& parts) {
  size_t n = 0;
  for (auto& line : split_lines(text)) {
    bool all = true;
    for (auto& p : parts) all = all && line.find(p) != std::string::npos;
    n += all;
  }
  return n;
}
}  // namespace

TEST_CASE("run --once with no Kafka broker reachable warns once and fails within the bound", "[e2e][defects][kafka]") {
  TempDir dir;
  write_file(dir / "in.txt", "a\nb\nc\n");
  // Port 9 (discard) has no listener here: every connection is refused.
  write_file(dir / "job.yaml", lines_job(dir.path(), {.worker_extra = R"(  bootstrap.servers: 127.0.0.1:9
  producer.socket.connection.setup.timeout.ms: 2000
  consumer.socket.connection.setup.timeout.ms: 2000
)"}));
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"}, 90s);
  INFO(r.err);
  CHECK(r.exit_code == 1);
  // One clear line per client naming the address, not a silent wait.
  CHECK(count_lines_with(r.err, {"[src]", "no Kafka broker reachable at 127.0.0.1:9 within 2 s", "gives up"}) == 1);
  CHECK(count_lines_with(r.err, {"[snk]", "no Kafka broker reachable at 127.0.0.1:9 within 2 s", "gives up"}) == 1);
  // A refused connection is one line per client, not one from librdkafka's log and another from its error callback.
  CHECK(count_lines_with(r.err, {"[src]", "Connection refused"}) == 1);
  // Nothing was delivered: the source's summary says so, and no offset was stored.
  CHECK(r.err.find("connector 'src': 3 read, 0 written") != std::string::npos);
  CHECK(r.err.find("3 NOT DELIVERED") != std::string::npos);
  CHECK(stored_position(dir / "offsets.json") == -1);
}

TEST_CASE("errors.tolerance=all says skipped or dead-lettered as the summary counts it", "[e2e][defects]") {
  TempDir dir;
  write_file(dir / "in.txt", "{\"a\":1}\nnot json\n");
  auto job = [&](const std::string& dlq) {
    return lines_job(dir.path(), {.sink_extra = fmt::format(R"(    value.converter: JsonConverter
    value.converter.schemas.enable: false
    errors.tolerance: all
    errors.log.enable: true
{})",
                                                           dlq)});
  };
  write_file(dir / "job.yaml", job(R"(    errors.deadletterqueue.topic.name: dead
  - name: dead-sink
    connector.class: FileStreamSink
    file: )" + dir / "dead.txt" + R"(
    topics: dead
)"));
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"}, 60s);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("sent to the dead letter topic 'dead' (errors.tolerance=all)") != std::string::npos);
  CHECK(r.err.find("skipped (errors.tolerance=all)") == std::string::npos);
  CHECK(r.err.find("connector 'snk': 2 read, 1 written, 0 skipped, 1 dead-lettered") != std::string::npos);
  CHECK(read_lines(dir / "dead.txt") == std::vector<std::string>{"not json"});

  // Without a dead letter topic the record is skipped, and both say so.
  TempDir plain;
  write_file(plain / "in.txt", "{\"a\":1}\nnot json\n");
  write_file(plain / "job.yaml", lines_job(plain.path(), {.sink_extra = R"(    value.converter: JsonConverter
    value.converter.schemas.enable: false
    errors.tolerance: all
    errors.log.enable: true
)"}));
  auto s = run_connectrun({"run", "--once", plain / "job.yaml", "--log-format", "json"}, 60s);
  INFO(s.err);
  REQUIRE(s.exit_code == 0);
  CHECK(s.err.find("skipped (errors.tolerance=all)") != std::string::npos);
  CHECK(s.err.find("dead letter") == std::string::npos);
  // The JSON summary line carries the same counts as fields.
  simdjson::dom::parser parser;
  bool found = false;
  for (auto& line : split_lines(s.err)) {
    simdjson::dom::object o;
    if (parser.parse(line).get(o) != simdjson::SUCCESS) continue;
    std::string_view event, connector;
    if (o["event"].get(event) || event != "summary" || o["connector"].get(connector) || connector != "snk") continue;
    found = true;
    CHECK(int64_t(o["read"]) == 2);
    CHECK(int64_t(o["written"]) == 1);
    CHECK(int64_t(o["skipped"]) == 1);
    CHECK(int64_t(o["dead_lettered"]) == 0);
    CHECK(std::string_view(o["level"]) == "INFO");
    CHECK(std::string_view(o["status"]) == "OK");
  }
  CHECK(found);
}
