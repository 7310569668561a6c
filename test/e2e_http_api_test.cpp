// End-to-end: the REST bodies and status codes, checked field by field
// against Kafka Connect's entities (connect/runtime/.../rest/entities and
// resources/ConnectorsResource.java); e2e_http_test.cpp covers behaviour.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include <fmt/format.h>

#include "http_support.h"

using namespace testsupport;
using namespace std::chrono_literals;

namespace {

std::string api_job(const TempDir& dir) {
  return lines_job(dir.path(), {.worker_extra = "  offset.flush.interval.ms: 200\n  listeners: http://127.0.0.1:0\n"});
}

// The names of an object's fields, in order.
std::vector<std::string> keys(simdjson::dom::element e) {
  std::vector<std::string> out;
  simdjson::dom::object object = e.get_object().value();
  for (auto field : object) out.emplace_back(field.key);
  return out;
}

std::string error(int code, const std::string& message) {
  return fmt::format(R"({{"error_code":{},"message":"{}"}})", code, message);
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("REST bodies have exactly Kafka Connect's fields", "[e2e][http]") {
  TempDir dir;
  write_file(dir / "job.yaml", api_job(dir));
  write_file(dir / "in.txt", numbered_lines(0, 10));
  Process p({"run", dir / "job.yaml"}, dir / "log.txt");
  REQUIRE(eventually([&] { return rest_port(dir / "log.txt").has_value(); }));
  int port = *rest_port(dir / "log.txt");
  RestClient c(port);
  REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() == 10; }));
  const std::string w = fmt::format("127.0.0.1:{}", port);
  auto status_of = [&](const std::string& name, const std::string& type) {
    return fmt::format(R"({{"name":"{0}","connector":{{"state":"RUNNING","worker_id":"{1}"}},)"
                       R"("tasks":[{{"id":0,"state":"RUNNING","worker_id":"{1}"}}],"type":"{2}"}})",
                       name, w, type);
  };

  // ServerInfo
  CHECK(c.get("/").body == fmt::format(R"({{"version":"{}","commit":"unknown","kafka_cluster_id":null}})", CONNECTRUN_VERSION));

  // GET /connectors, plain and expanded; an unknown expansion gives empty objects.
  CHECK(c.get("/connectors").body == R"(["snk","src"])");
  CHECK(c.get("/connectors?expand=status").body ==
        fmt::format(R"({{"snk":{{"status":{}}},"src":{{"status":{}}}}})", status_of("snk", "sink"), status_of("src", "source")));
  CHECK(c.get("/connectors?expand=nothing").body == R"({"snk":{},"src":{}})");
  Json both(c.get("/connectors?expand=info&expand=status").body);
  CHECK(keys(both.root) == std::vector<std::string>{"snk", "src"});
  CHECK(keys(both.root["src"]) == std::vector<std::string>{"status", "info"});
  CHECK(keys(both.root["src"]["info"]) == std::vector<std::string>{"name", "config", "tasks", "type"});

  // ConnectorInfo: tasks are ConnectorTaskId {connector, task}; type lower case.
  auto info = c.get("/connectors/src");
  CHECK(info.status == 200);
  CHECK(info.content_type == "application/json");
  Json i(info.body);
  CHECK(keys(i.root) == std::vector<std::string>{"name", "config", "tasks", "type"});
  CHECK(info.body.find(R"("tasks":[{"connector":"src","task":0}],"type":"source"})") != std::string::npos);

  // The config: a map of strings, the same as ConnectorInfo's.
  auto config = c.get("/connectors/src/config");
  std::map<std::string, std::string> cfg;
  Json config_json(config.body);
  simdjson::dom::object config_object = config_json.root.get_object().value();
  for (auto field : config_object) cfg[std::string(field.key)] = std::string(field.value.get_string().value());
  CHECK(cfg == std::map<std::string, std::string>{
                   {"name", "src"}, {"connector.class", "FileStreamSource"}, {"file", dir / "in.txt"}, {"topic", "lines"}});
  CHECK(info.body.find("\"config\":" + config.body + ",") != std::string::npos);

  // ConnectorStateInfo and TaskState: no trace while running.
  CHECK(c.get("/connectors/snk/status").body == status_of("snk", "sink"));
  CHECK(c.get("/connectors/snk/tasks/0/status").body == fmt::format(R"({{"id":0,"state":"RUNNING","worker_id":"{}"}})", w));

  // ConnectorOffsets: a source's partition and offset maps; a sink has none on the in-process bus.
  REQUIRE(eventually([&] { return c.get("/connectors/src/offsets").body.find("position") != std::string::npos; }));
  CHECK(c.get("/connectors/src/offsets").body ==
        fmt::format(R"({{"offsets":[{{"partition":{{"filename":"{}"}},"offset":{{"position":{}}}}}]}})", dir / "in.txt",
                    read_file(dir / "in.txt").size()));
  CHECK(c.get("/connectors/snk/offsets").body == R"({"offsets":[]})");

  // PUT pause/resume: 202, no body. POST restart: 204, no body; with
  // includeTasks or onlyFailed, 202 and the ConnectorStateInfo.
  for (auto r : {c.put("/connectors/src/pause"), c.put("/connectors/src/resume")}) {
    CHECK(r.status == 202);
    CHECK(r.body.empty());
  }
  auto plain = c.post("/connectors/src/restart");
  CHECK(plain.status == 204);
  CHECK(plain.body.empty());
  auto with_tasks = c.post("/connectors/src/restart?includeTasks=true");
  CHECK(with_tasks.status == 202);
  CHECK(with_tasks.body == status_of("src", "source"));
  CHECK(count(read_file(dir / "log.txt"), "connector 'src': restarted") == 2);
  // onlyFailed: a running connector is left alone.
  auto only_failed = c.post("/connectors/src/restart?includeTasks=true&onlyFailed=TRUE");
  CHECK(only_failed.status == 202);
  CHECK(only_failed.body == status_of("src", "source"));
  CHECK(count(read_file(dir / "log.txt"), "connector 'src': restarted") == 2);
  auto task_restart = c.post("/connectors/src/tasks/0/restart");
  CHECK(task_restart.status == 204);
  CHECK(task_restart.body.empty());

  // ErrorMessage {error_code, message}, with Kafka's messages.
  auto e = c.get("/connectors/nope");
  CHECK(e.status == 404);
  CHECK(e.content_type == "application/json");
  CHECK(e.body == error(404, "Connector nope not found"));
  CHECK(c.get("/connectors/nope/config").body == error(404, "Connector nope not found"));
  CHECK(c.get("/connectors/nope/status").body == error(404, "No status found for connector nope"));
  CHECK(c.get("/connectors/nope/offsets").body == error(404, "Connector nope not found"));
  CHECK(c.get("/connectors/src/tasks/1/status").body == error(404, "No status found for task src-1"));
  CHECK(c.post("/connectors/src/tasks/1/restart").body == error(404, "Task src-1 not found"));
  CHECK(c.post("/connectors/nope/tasks/0/restart").body == error(404, "Connector nope not found"));
  CHECK(c.post("/connectors/nope/restart?includeTasks=true").body == error(404, "Connector nope not found"));
  auto unknown = c.get("/no/such/path");
  CHECK(unknown.status == 404);
  CHECK(unknown.body == error(404, "HTTP 404 Not Found"));
  // Kafka Connect's methods that change offsets are not served: 405, as Jersey answers a method it lacks.
  for (auto r : {c.put("/connectors/src/offsets"), c.del("/connectors/src/offsets")}) {
    CHECK(r.status == 405);
    CHECK(r.body == error(405, "HTTP 405 Method Not Allowed"));
  }
  p.signal(SIGTERM);
  CHECK(p.wait(20s) == 0);
}

TEST_CASE("REST status of a failed connector carries the trace on the connector and its task", "[e2e][http]") {
  TempDir dir;
  std::string job = api_job(dir);
  job.replace(job.find(dir / "out.txt"), (dir / "out.txt").size(), dir / "no-such-dir/out.txt");
  write_file(dir / "job.yaml", job);
  write_file(dir / "in.txt", numbered_lines(0, 10));
  Process p({"run", dir / "job.yaml"}, dir / "log.txt");
  REQUIRE(eventually([&] { return rest_port(dir / "log.txt").has_value(); }));
  RestClient c(*rest_port(dir / "log.txt"));
  REQUIRE(eventually([&] { return c.get("/connectors/snk/status").body.find("FAILED") != std::string::npos; }));
  Json s(c.get("/connectors/snk/status").body);
  CHECK(keys(s.root["connector"]) == std::vector<std::string>{"state", "worker_id", "trace"});
  CHECK(keys(s.root["tasks"].at(0)) == std::vector<std::string>{"id", "state", "worker_id", "trace"});
  CHECK(std::string(s.root["connector"]["trace"].get_string().value()).find("no-such-dir") != std::string::npos);
  // onlyFailed restarts a failed connector (which fails again here: the folder is still missing).
  auto r = c.post("/connectors/snk/restart?onlyFailed=true");
  CHECK(r.status == 202);
  CHECK(keys(Json(r.body).root) == std::vector<std::string>{"name", "connector", "tasks", "type"});
  CHECK(read_file(dir / "log.txt").find("connector 'snk': restarted") != std::string::npos);
}
