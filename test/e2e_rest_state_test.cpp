// End-to-end: what the REST API changes outlives the process (Kafka keeps a
// connector's target state in its config topic): a connector stopped or
// paused over REST is still so after a restart, until resumed.
#include <catch2/catch.hpp>

#include <filesystem>

#include <fmt/format.h>

#include "http_support.h"

using namespace testsupport;
using namespace std::chrono_literals;

namespace {

const char* kListener = "  offset.flush.interval.ms: 200\n  listeners: http://127.0.0.1:0\n";

std::string state_of(RestClient& c, const std::string& name) {
  Json j(c.get("/connectors/" + name + "/status").body);
  return std::string(j.root["connector"]["state"].get_string().value());
}

}  // namespace

TEST_CASE("a connector stopped or paused over REST stays so after a restart until resumed", "[rest][e2e][http]") {
  TempDir dir;
  write_file(dir / "job.yaml", lines_job(dir.path(), {.worker_extra = kListener}));
  write_file(dir / "in.txt", numbered_lines(0, 10));
  const std::string states = dir / "offsets.json.states.json";
  {
    RestRun run({"run", dir / "job.yaml"}, dir / "log1.txt");
    RestClient c = run.client();
    REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() == 10; }));
    CHECK(c.put("/connectors/src/stop").status == 202);
    CHECK(state_of(c, "src") == "STOPPED");
    CHECK(read_file(states) == "{\"connectors\":{\"src\":\"STOPPED\"}}\n");
    run.stop();
    // The summary still counts what the stopped connector's task did before the stop.
    CHECK_THAT(read_file(dir / "log1.txt"), Catch::Contains("connector 'src': 10 read, 10 written"));
  }
  append_file(dir / "in.txt", numbered_lines(10, 15));
  {
    RestRun run({"run", dir / "job.yaml"}, dir / "log2.txt");
    RestClient c = run.client();
    CHECK(state_of(c, "src") == "STOPPED");
    CHECK(c.get("/connectors/src/tasks").body == "[]");
    CHECK(state_of(c, "snk") == "RUNNING");
    CHECK(read_file(dir / "log2.txt").find("connector 'src': STOPPED, as it was stopped over REST before") !=
          std::string::npos);
    // Nothing read while stopped; resume starts it where it was.
    std::this_thread::sleep_for(1s);
    CHECK(read_lines(dir / "out.txt").size() == 10);
    CHECK(c.put("/connectors/src/resume").status == 202);
    CHECK(eventually([&] { return read_lines(dir / "out.txt").size() == 15; }));
    CHECK(state_of(c, "src") == "RUNNING");
    CHECK(!std::filesystem::exists(states));
    // Paused is kept as well.
    CHECK(c.put("/connectors/snk/pause").status == 202);
    CHECK(read_file(states) == "{\"connectors\":{\"snk\":\"PAUSED\"}}\n");
    run.stop();
  }
  append_file(dir / "in.txt", numbered_lines(15, 20));
  {
    RestRun run({"run", dir / "job.yaml"}, dir / "log3.txt");
    RestClient c = run.client();
    CHECK(state_of(c, "src") == "RUNNING");
    CHECK(state_of(c, "snk") == "PAUSED");
    CHECK(c.put("/connectors/snk/resume").status == 202);
    CHECK(eventually([&] { return read_lines(dir / "out.txt").size() == 20; }));
    CHECK(!std::filesystem::exists(states));
    // A states file that is not one connectrun wrote stops the start with what to do.
    run.stop();
  }
  write_file(states, "{\"connectors\":{\"src\":\"SLEEPING\"}}");
  auto bad = run_connectrun({"run", "--once", dir / "job.yaml"});
  CHECK(bad.exit_code != 0);
  CHECK(bad.err.find("is not a connectors' states file") != std::string::npos);
  CHECK(bad.err.find("remove it to run every connector") != std::string::npos);
}

TEST_CASE("admin loggers lists each connector's logger and PUT changes one alone", "[rest][e2e][http]") {
  TempDir dir;
  write_file(dir / "job.yaml", lines_job(dir.path(), {.worker_extra = kListener}));
  write_file(dir / "in.txt", numbered_lines(0, 10));
  RestRun run({"run", dir / "job.yaml"}, dir / "log.txt");
  RestClient c = run.client();
  REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() == 10; }));
  CHECK(c.get("/admin/loggers").body == R"({"root":{"level":"INFO"},"snk":{"level":"INFO"},"src":{"level":"INFO"}})");
  CHECK(c.get("/admin/loggers/src").body == R"({"level":"INFO"})");
  // DEBUG for the source alone: its debug lines appear, the sink's do not.
  auto set = c.put("/admin/loggers/src", R"({"level":"DEBUG"})");
  CHECK(set.status == 200);
  CHECK(set.body == R"(["src"])");
  {
    Json j(c.get("/admin/loggers").body);
    CHECK(std::string(j.root["src"]["level"].get_string().value()) == "DEBUG");
    CHECK(j.root["src"]["last_modified"].get_int64().value() > 0);
    CHECK(std::string(j.root["snk"]["level"].get_string().value()) == "INFO");
    CHECK(std::string(j.root["root"]["level"].get_string().value()) == "INFO");
  }
  // A restarted connector keeps the level set for its name.
  CHECK(c.post("/connectors/src/restart").status < 300);
  append_file(dir / "in.txt", numbered_lines(10, 20));
  REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() == 20; }));
  CHECK(c.get("/admin/loggers/src").body.find(R"("level":"DEBUG")") != std::string::npos);
  CHECK(eventually([&] { return read_file(dir / "log.txt").find("debug") != std::string::npos ||
                                read_file(dir / "log.txt").find("DEBUG") != std::string::npos; }));
  // A name no logger has yet is created (log4j does so) and given to a connector made with it later.
  auto created = c.put("/admin/loggers/later", R"({"level":"ERROR"})");
  CHECK(created.body == R"(["later"])");
  CHECK(c.get("/admin/loggers/later").body.find(R"("level":"ERROR")") != std::string::npos);
  CHECK(c.get("/admin/loggers/nothing").status == 404);
  // root sets every logger.
  auto root = c.put("/admin/loggers/root", R"({"level":"WARN"})");
  CHECK(root.body == R"(["later","root","snk","src"])");
  CHECK(c.get("/admin/loggers/src").body.find(R"("level":"WARN")") != std::string::npos);
  run.stop();
}

TEST_CASE("a connector created with initial_state STOPPED or PAUSED reads nothing until resumed", "[rest][e2e][http]") {
  TempDir dir;
  write_file(dir / "job.yaml", lines_job(dir.path(), {.worker_extra = kListener}));
  write_file(dir / "in.txt", numbered_lines(0, 10));
  write_file(dir / "in2.txt", numbered_lines(0, 4));
  write_file(dir / "in3.txt", numbered_lines(0, 3));
  RestRun run({"run", dir / "job.yaml"}, dir / "log.txt");
  RestClient c = run.client();
  REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() == 10; }));
  auto create = [&](const std::string& name, const std::string& file, const std::string& state) {
    return c.post("/connectors",
                  fmt::format(R"({{"name":"{}","config":{{"connector.class":"FileStreamSource","file":"{}",)"
                              R"("topic":"lines"}},"initial_state":"{}"}})",
                              name, file, state));
  };
  CHECK(create("stopped", dir / "in2.txt", "STOPPED").status == 201);
  CHECK(create("paused", dir / "in3.txt", "PAUSED").status == 201);
  CHECK(state_of(c, "stopped") == "STOPPED");
  CHECK(c.get("/connectors/stopped/tasks").body == "[]");
  CHECK(state_of(c, "paused") == "PAUSED");
  CHECK(read_file(dir / "offsets.json.states.json") ==
        "{\"connectors\":{\"paused\":\"PAUSED\",\"stopped\":\"STOPPED\"}}\n");
  // Neither ever ran: not one of their lines reached the sink.
  std::this_thread::sleep_for(1s);
  CHECK(read_lines(dir / "out.txt").size() == 10);
  CHECK(c.put("/connectors/stopped/resume").status == 202);
  CHECK(c.put("/connectors/paused/resume").status == 202);
  CHECK(eventually([&] { return read_lines(dir / "out.txt").size() == 17; }));
  CHECK(state_of(c, "stopped") == "RUNNING");
  CHECK(state_of(c, "paused") == "RUNNING");
  run.stop();
}
