// End-to-end: SIGHUP re-reads the configuration and restarts only the
// connectors whose configuration changed.
#include <catch2/catch.hpp>

#include <thread>

#include <fmt/format.h>

#include "http_support.h"

using namespace testsupport;
using namespace std::chrono_literals;

namespace {

// Two independent pipelines: a_src → topic a → a_snk, b_src → topic b → b_snk.
std::string two_pipelines(const TempDir& dir, const std::string& b_src_extra = "", bool with_c = false) {
  std::string job = fmt::format(R"(worker:
  offset.storage.file.filename: {0}/offsets.json
  offset.flush.interval.ms: 100
  key.converter: StringConverter
  value.converter: StringConverter
  listeners: http://127.0.0.1:0
connectors:
  - name: a_src
    connector.class: FileStreamSource
    file: {0}/a.txt
    topic: a
  - name: a_snk
    connector.class: FileStreamSink
    file: {0}/a.out
    topics: a
  - name: b_src
    connector.class: FileStreamSource
    file: {0}/b.txt
    topic: b
{1}  - name: b_snk
    connector.class: FileStreamSink
    file: {0}/b.out
    topics: b
)",
                                dir.path(), b_src_extra);
  if (with_c)
    job += fmt::format(R"(  - name: c_snk
    connector.class: FileStreamSink
    file: {0}/c.out
    topics: a
)",
                       dir.path());
  return job;
}

// The stored offsets file's entry of one connector ("" when none).
std::string offsets_entry(const std::string& path, const std::string& connector) {
  std::string text = read_file(path);
  auto at = text.find("[\\\"" + connector + "\\\"");
  if (at == std::string::npos) at = text.find("[\"" + connector + "\"");
  if (at == std::string::npos) return "";
  auto end = text.find('}', text.find('}', at) + 1);
  return text.substr(at, end - at);
}

struct Running {
  Process process;
  int port = 0;
  explicit Running(const TempDir& dir) : process({"run", dir / "job.yaml"}, dir / "log.txt") {
    REQUIRE(eventually([&] { return rest_port(dir / "log.txt").has_value(); }));
    port = *rest_port(dir / "log.txt");
  }
};

}  // namespace

TEST_CASE("SIGHUP restarts only the connector whose configuration changed", "[e2e][http][reload]") {
  TempDir dir;
  write_file(dir / "job.yaml", two_pipelines(dir));
  write_file(dir / "a.txt", numbered_lines(0, 300));
  write_file(dir / "b.txt", numbered_lines(0, 200));
  Running job(dir);
  REQUIRE(eventually([&] { return read_lines(dir / "a.out").size() == 300 && read_lines(dir / "b.out").size() == 200; }));
  REQUIRE(eventually([&] { return !offsets_entry(dir / "offsets.json", "a_src").empty(); }));
  std::string a_entry = offsets_entry(dir / "offsets.json", "a_src");
  std::string a_out = read_file(dir / "a.out");

  write_file(dir / "job.yaml", two_pipelines(dir, "    batch.size: 50\n"));
  job.process.signal(SIGHUP);
  REQUIRE(eventually([&] { return read_file(dir / "log.txt").find("reload: restarted:") != std::string::npos; }));
  auto log = read_file(dir / "log.txt");
  INFO(log);
  CHECK(log.find("reload: restarted: b_src; started: none; stopped: none; unchanged: a_src, a_snk, b_snk") !=
        std::string::npos);
  CHECK(log.find("connector 'b_src': restarting") != std::string::npos);
  CHECK(log.find("connector 'a_src': restarting") == std::string::npos);
  CHECK(log.find("connector 'a_snk': restarting") == std::string::npos);
  CHECK(log.find("connector 'b_snk': restarting") == std::string::npos);
  // The untouched pipeline's offset and output are as they were.
  CHECK(offsets_entry(dir / "offsets.json", "a_src") == a_entry);
  CHECK(read_file(dir / "a.out") == a_out);
  // The restarted one continues from its stored offset, nothing read twice.
  append_file(dir / "b.txt", numbered_lines(200, 400));
  REQUIRE(eventually([&] { return read_lines(dir / "b.out").size() >= 400; }));
  CHECK(read_file(dir / "b.out") == numbered_lines(0, 400));
  RestClient c(job.port);
  auto cfg = c.get("/connectors/b_src/config");
  CHECK(Json(cfg.body).root["batch.size"].get_string().value() == "50");
  job.process.signal(SIGTERM);
  CHECK(job.process.wait(20s) == 0);
}

TEST_CASE("SIGHUP adds and removes connectors", "[e2e][http][reload]") {
  TempDir dir;
  write_file(dir / "job.yaml", two_pipelines(dir));
  write_file(dir / "a.txt", numbered_lines(0, 100));
  write_file(dir / "b.txt", numbered_lines(0, 100));
  Running job(dir);
  RestClient c(job.port);
  REQUIRE(eventually([&] { return read_lines(dir / "a.out").size() == 100; }));
  write_file(dir / "job.yaml", two_pipelines(dir, "", true));
  job.process.signal(SIGHUP);
  REQUIRE(eventually([&] { return c.get("/connectors").body == R"(["a_snk","a_src","b_snk","b_src","c_snk"])"; }));
  append_file(dir / "a.txt", numbered_lines(100, 200));
  // The new sink reads topic a from the records sent after it started.
  REQUIRE(eventually([&] { return read_lines(dir / "c.out").size() == 100; }));
  CHECK(read_file(dir / "c.out") == numbered_lines(100, 200));
  std::string job_text = two_pipelines(dir);
  write_file(dir / "job.yaml", job_text);
  job.process.signal(SIGHUP);
  REQUIRE(eventually([&] { return c.get("/connectors").body == R"(["a_snk","a_src","b_snk","b_src"])"; }));
  CHECK(c.get("/connectors/c_snk").status == 404);
  CHECK(read_file(dir / "log.txt").find("stopped: c_snk") != std::string::npos);
  append_file(dir / "a.txt", numbered_lines(200, 300));
  REQUIRE(eventually([&] { return read_lines(dir / "a.out").size() == 300; }));
  CHECK(read_file(dir / "a.out") == numbered_lines(0, 300));
}

TEST_CASE("SIGHUP with an invalid file logs every problem and keeps running", "[e2e][http][reload]") {
  TempDir dir;
  write_file(dir / "job.yaml", two_pipelines(dir));
  write_file(dir / "a.txt", numbered_lines(0, 100));
  write_file(dir / "b.txt", "");
  Running job(dir);
  REQUIRE(eventually([&] { return read_lines(dir / "a.out").size() == 100; }));
  std::string bad = two_pipelines(dir, "    batch.size: lots\n    no.such.key: 1\n");
  write_file(dir / "job.yaml", bad);
  job.process.signal(SIGHUP);
  REQUIRE(eventually([&] { return read_file(dir / "log.txt").find("the running configuration is kept") != std::string::npos; }));
  auto log = read_file(dir / "log.txt");
  INFO(log);
  CHECK(log.find("batch.size") != std::string::npos);
  CHECK(log.find("no.such.key") != std::string::npos);
  CHECK(log.find("2 problem(s) found") != std::string::npos);
  CHECK(log.find("restarting") == std::string::npos);
  // Still running, with the old configuration.
  append_file(dir / "a.txt", numbered_lines(100, 200));
  REQUIRE(eventually([&] { return read_lines(dir / "a.out").size() == 200; }));
  CHECK(read_file(dir / "a.out") == numbered_lines(0, 200));
  // A sink moved to another topic gets a new subscription: it reads that topic from then on.
  std::string moved = two_pipelines(dir);
  moved.replace(moved.find("topics: b"), 9, "topics: a");
  write_file(dir / "job.yaml", moved);
  job.process.signal(SIGHUP);
  REQUIRE(eventually([&] { return read_file(dir / "log.txt").find("restarted: b_snk;") != std::string::npos; }));
  append_file(dir / "a.txt", numbered_lines(200, 250));
  REQUIRE(eventually([&] { return read_lines(dir / "b.out").size() == 50; }));
  CHECK(read_file(dir / "b.out") == numbered_lines(200, 250));
  // a_snk reads topic a on its own: it may write the same lines a moment after b_snk.
  CHECK(eventually([&] { return read_lines(dir / "a.out").size() == 250; }));
  CHECK(read_lines(dir / "a.out").size() == 250);
  // A worker-level change is reported as needing a restart; the connectors are untouched.
  std::string worker_change = two_pipelines(dir);
  worker_change.replace(worker_change.find("offset.flush.interval.ms: 100"), 29, "offset.flush.interval.ms: 999");
  write_file(dir / "job.yaml", worker_change);
  job.process.signal(SIGHUP);
  REQUIRE(eventually([&] { return read_file(dir / "log.txt").find("the worker section changed") != std::string::npos; }));
  job.process.signal(SIGTERM);
  CHECK(job.process.wait(20s) == 0);
}

// docs/http-api.md: "A paused connector stays paused across a restart" — by
// REST (POST …/restart) and by SIGHUP (a changed connector is restarted), as in
// Kafka, where a paused connector's target state survives its restart.
TEST_CASE("a paused connector stays paused across a restart: REST restart and SIGHUP", "[e2e][http][reload]") {
  TempDir dir;
  write_file(dir / "job.yaml", two_pipelines(dir));
  write_file(dir / "a.txt", numbered_lines(0, 100));
  write_file(dir / "b.txt", numbered_lines(0, 100));
  Running job(dir);
  RestClient c(job.port);
  auto state = [&](const std::string& name) {
    auto r = c.get("/connectors/" + name + "/status");
    return r.status == 200 ? std::string(Json(r.body).root["connector"]["state"].get_string().value())
                           : "HTTP " + std::to_string(r.status);
  };
  REQUIRE(eventually([&] { return read_lines(dir / "a.out").size() == 100 && read_lines(dir / "b.out").size() == 100; }));
  REQUIRE(c.put("/connectors/b_src/pause").status == 202);  // a paused source
  REQUIRE(c.put("/connectors/a_snk/pause").status == 202);  // a paused sink
  // Written while paused: nothing of it may come out until resumed. (Running
  // connectors poll every 200 ms; 1.5 s would show a leak.)
  auto stays_paused = [&](int b_lines, int a_lines) {
    CHECK(state("b_src") == "PAUSED");
    CHECK(state("a_snk") == "PAUSED");
    std::this_thread::sleep_for(1500ms);
    CHECK(read_lines(dir / "b.out").size() == static_cast<size_t>(b_lines));
    CHECK(read_lines(dir / "a.out").size() == static_cast<size_t>(a_lines));
  };
  // A pause takes hold at the task's next poll (as in Kafka): what a poll in
  // progress returns is still written. Then the restart.
  std::this_thread::sleep_for(500ms);
  append_file(dir / "a.txt", numbered_lines(100, 200));
  append_file(dir / "b.txt", numbered_lines(100, 200));
  SECTION("REST restart") {
    REQUIRE(c.post("/connectors/b_src/restart").status == 204);
    REQUIRE(c.post("/connectors/a_snk/restart").status == 204);
  }
  SECTION("SIGHUP restarting both changed connectors") {
    std::string changed = two_pipelines(dir, "    batch.size: 50\n");
    changed.replace(changed.find("file: " + dir / "a.out"), 6 + (dir / "a.out").size(),
                    "file: " + dir / "a.out\n    errors.log.enable: true");
    write_file(dir / "job.yaml", changed);
    job.process.signal(SIGHUP);
    REQUIRE(eventually([&] { return read_file(dir / "log.txt").find("reload: restarted:") != std::string::npos; }));
    INFO(read_file(dir / "log.txt"));
    CHECK(read_file(dir / "log.txt").find("reload: restarted: a_snk, b_src;") != std::string::npos);
  }
  stays_paused(100, 100);
  REQUIRE(c.put("/connectors/b_src/resume").status == 202);
  REQUIRE(c.put("/connectors/a_snk/resume").status == 202);
  REQUIRE(eventually([&] { return read_lines(dir / "a.out").size() == 200 && read_lines(dir / "b.out").size() == 200; }));
  CHECK(read_file(dir / "a.out") == numbered_lines(0, 200));
  CHECK(read_file(dir / "b.out") == numbered_lines(0, 200));
  job.process.signal(SIGTERM);
  CHECK(job.process.wait(20s) == 0);
}

// --strict-config holds for a SIGHUP reload too: a configuration that would
// not start under it (a warning about a key with no effect) is refused, the
// old one kept, and the log says why.
TEST_CASE("SIGHUP under --strict-config refuses a reload with warnings and keeps the old configuration",
          "[e2e][http][reload][migrate]") {
  TempDir dir;
  write_file(dir / "job.yaml", two_pipelines(dir));
  write_file(dir / "a.txt", numbered_lines(0, 10));
  write_file(dir / "b.txt", "");
  Process process({"--strict-config", "run", dir / "job.yaml"}, dir / "log.txt");
  REQUIRE(eventually([&] { return read_lines(dir / "a.out").size() == 10; }));
  const std::string noisy = "    value.converter: StringConverter\n    value.converter.schemas.enable: false\n";
  write_file(dir / "job.yaml", two_pipelines(dir, noisy));
  process.signal(SIGHUP);
  REQUIRE(eventually([&] { return read_file(dir / "log.txt").find("the running configuration is kept") != std::string::npos; }));
  auto log = read_file(dir / "log.txt");
  INFO(log);
  CHECK(log.find("1 problem(s) found (--strict-config); the running configuration is kept") != std::string::npos);
  CHECK(log.find("value.converter.schemas.enable' has no effect") != std::string::npos);
  CHECK(log.find("restarting") == std::string::npos);
  append_file(dir / "a.txt", numbered_lines(10, 20));
  REQUIRE(eventually([&] { return read_lines(dir / "a.out").size() == 20; }));
  // Without the warning the reload applies.
  write_file(dir / "job.yaml", two_pipelines(dir, "    batch.size: 10\n"));
  process.signal(SIGHUP);
  CHECK(eventually([&] { return read_file(dir / "log.txt").find("restarted: b_src;") != std::string::npos; }));
  process.signal(SIGTERM);
  CHECK(process.wait(20s) == 0);
}
