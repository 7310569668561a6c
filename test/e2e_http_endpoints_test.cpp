// End-to-end: the REST endpoints Kafka Connect serves in standalone mode
// beyond reading and pausing connectors (ConnectorsResource,
// ConnectorPluginsResource, LoggingResource), checked field by field against
// Kafka's entities (PluginInfo, ConfigKeyInfo, ConfigInfos, ConfigInfo,
// ConfigValueInfo, TaskInfo, ActiveTopicsInfo, CreateConnectorRequest,
// ConnectorInfo, ErrorMessage); connectors created or changed over REST are
// written to the job files and survive a restart; rest.auth.
#include <catch2/catch.hpp>

#include <set>

#include <fmt/format.h>
#include <librdkafka/rdkafka.h>

#include "http_support.h"
#include "json/base64.h"
#include "kafka/mock_cluster.h"

using namespace testsupport;
using namespace std::chrono_literals;

namespace {

const char* kListener = "  offset.flush.interval.ms: 200\n  listeners: http://127.0.0.1:0\n";

std::vector<std::string> keys(simdjson::dom::element e) {
  std::vector<std::string> out;
  simdjson::dom::object object = e.get_object().value();
  for (auto field : object) out.emplace_back(field.key);
  return out;
}

std::string str(simdjson::dom::element e) { return std::string(e.get_string().value()); }

std::string error(int code, const std::string& message) {
  return fmt::format(R"({{"error_code":{},"message":"{}"}})", code, message);
}

}  // namespace

TEST_CASE("REST plugins tasks topics stop and loggers answer with Kafka's shapes", "[rest][e2e][http]") {
  TempDir dir;
  write_file(dir / "job.yaml", lines_job(dir.path(), {.worker_extra = kListener}));
  write_file(dir / "in.txt", numbered_lines(0, 10));
  RestRun run({"run", dir / "job.yaml"}, dir / "log.txt");
  RestClient c = run.client();
  REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() == 10; }));

  // PluginInfo {class, type, version}; connectors only unless connectorsOnly=false.
  auto plugins = c.get("/connector-plugins");
  REQUIRE(plugins.status == 200);
  {
    Json j(plugins.body);
    bool file_source = false;
    simdjson::dom::array list = j.root.get_array().value();
    for (auto p : list) {
      CHECK(keys(p) == std::vector<std::string>{"class", "type", "version"});
      CHECK((str(p["type"]) == "source" || str(p["type"]) == "sink"));
      CHECK(str(p["version"]) == CONNECTRUN_VERSION);
      file_source |= str(p["class"]) == "org.apache.kafka.connect.file.FileStreamSourceConnector";
    }
    CHECK(file_source);
    Json all(c.get("/connector-plugins?connectorsOnly=false").body);
    std::set<std::string> types;
    simdjson::dom::array all_list = all.root.get_array().value();
    for (auto p : all_list) types.insert(str(p["type"]));
    CHECK(types == std::set<std::string>{"source", "sink", "converter", "header_converter", "transformation", "predicate"});
  }

  // ConfigKeyInfo, every field, for the plugin's own keys.
  auto config = c.get("/connector-plugins/FileStreamSink/config");
  REQUIRE(config.status == 200);
  {
    Json j(config.body);
    simdjson::dom::element first = j.root.at(0).value();
    CHECK(keys(first) == std::vector<std::string>{"name", "type", "required", "default_value", "importance",
                                                  "documentation", "group", "order_in_group", "width",
                                                  "display_name", "dependents"});
    CHECK(str(first["name"]) == "file");
    CHECK(str(first["type"]) == "STRING");
    CHECK(first["order_in_group"].get_int64().value() == 1);
    CHECK(first["dependents"].get_array().value().size() == 0);
  }
  CHECK(c.get("/connector-plugins/NoSuchConnector/config").body == error(404, "Unknown plugin NoSuchConnector."));

  // ConfigInfos {name, error_count, groups, configs[{definition, value}]}.
  auto valid = c.put("/connector-plugins/FileStreamSink/config/validate",
                     R"({"name":"v","topics":"lines","file":"/tmp/x.txt"})");
  REQUIRE(valid.status == 200);
  {
    Json j(valid.body);
    CHECK(keys(j.root) == std::vector<std::string>{"name", "error_count", "groups", "configs"});
    CHECK(str(j.root["name"]) == "FileStreamSink");
    CHECK(j.root["error_count"].get_int64().value() == 0);
    simdjson::dom::element cfg = j.root["configs"].at(0).value();
    CHECK(keys(cfg) == std::vector<std::string>{"definition", "value"});
    CHECK(keys(cfg["value"]) == std::vector<std::string>{"name", "value", "recommended_values", "errors", "visible"});
    CHECK(str(cfg["value"]["name"]) == "name");
    CHECK(str(cfg["value"]["value"]) == "v");
    CHECK(str(cfg["definition"]["group"]) == "Common");
  }
  auto invalid = c.put("/connector-plugins/FileStreamSink/config/validate", R"({"name":"v","tasks.max":"zero"})");
  REQUIRE(invalid.status == 200);
  {
    Json j(invalid.body);
    CHECK(j.root["error_count"].get_int64().value() >= 2);  // tasks.max not a number, topics missing
    bool tasks_max_error = false;
    simdjson::dom::array configs = j.root["configs"].get_array().value();
    for (auto cfg : configs)
      if (str(cfg["value"]["name"]) == "tasks.max") tasks_max_error = cfg["value"]["errors"].get_array().value().size() == 1;
    CHECK(tasks_max_error);
  }
  CHECK(c.put("/connector-plugins/FileStreamSink/config/validate", R"({"connector.class":"FileStreamSource"})").body ==
        error(400, "Included connector type FileStreamSource does not match request type FileStreamSink"));
  CHECK(c.put("/connector-plugins/FileStreamSink/config/validate", "[1]").status == 400);

  // TaskInfo {id: {connector, task}, config}.
  auto tasks = c.get("/connectors/src/tasks");
  REQUIRE(tasks.status == 200);
  {
    Json j(tasks.body);
    REQUIRE(j.root.get_array().value().size() == 1);
    CHECK(keys(j.root.at(0)) == std::vector<std::string>{"id", "config"});
    CHECK(keys(j.root.at(0)["id"]) == std::vector<std::string>{"connector", "task"});
    CHECK(str(j.root.at(0)["id"]["connector"]) == "src");
    CHECK(j.root.at(0)["id"]["task"].get_int64().value() == 0);
    CHECK(str(j.root.at(0)["config"]["file"]) == dir / "in.txt");
  }
  CHECK(c.get("/connectors/nope/tasks").body == error(404, "Connector nope not found"));

  // ActiveTopicsInfo, keyed by the connector's name; reset empties it.
  CHECK(c.get("/connectors/src/topics").body == R"({"src":{"topics":["lines"]}})");
  CHECK(c.get("/connectors/snk/topics").body == R"({"snk":{"topics":["lines"]}})");
  auto reset = c.put("/connectors/src/topics/reset");
  CHECK(reset.status == 202);
  CHECK(reset.body.empty());
  CHECK(c.get("/connectors/src/topics").body == R"({"src":{"topics":[]}})");
  CHECK(c.get("/connectors/nope/topics").body == error(404, "Connector nope not found"));
  CHECK(c.put("/connectors/nope/topics/reset").status == 404);
  append_file(dir / "in.txt", numbered_lines(10, 12));
  CHECK(eventually([&] { return c.get("/connectors/src/topics").body == R"({"src":{"topics":["lines"]}})"; }));

  // PUT …/stop: STOPPED with no tasks; resume starts it again where it was.
  auto stop = c.put("/connectors/snk/stop");
  CHECK(stop.status == 202);
  CHECK(stop.body.empty());
  CHECK(c.get("/connectors/snk/status").body ==
        fmt::format(R"({{"name":"snk","connector":{{"state":"STOPPED","worker_id":"127.0.0.1:{}"}},"tasks":[],"type":"sink"}})",
                    run.port));
  CHECK(c.get("/connectors/snk/tasks").body == "[]");
  CHECK(c.put("/connectors/nope/stop").body == error(404, "Connector nope not found"));
  append_file(dir / "in.txt", numbered_lines(12, 20));
  CHECK(c.put("/connectors/snk/resume").status == 202);
  CHECK(eventually([&] { return read_lines(dir / "out.txt").size() == 20; }));
  CHECK(run.client().get("/connectors/snk/status").body.find(R"("state":"RUNNING")") != std::string::npos);

  // LoggingResource: root and one logger per connector (e2e_rest_state_test.cpp sets one alone).
  CHECK(c.get("/admin/loggers").body == R"({"root":{"level":"INFO"},"snk":{"level":"INFO"},"src":{"level":"INFO"}})");
  CHECK(c.get("/admin/loggers/root").body == R"({"level":"INFO"})");
  auto set = c.put("/admin/loggers/root", R"({"level":"warn"})");
  CHECK(set.status == 200);
  CHECK(set.body == R"(["root","snk","src"])");
  {
    Json j(c.get("/admin/loggers").body);
    CHECK(str(j.root["root"]["level"]) == "WARN");
    CHECK(j.root["root"]["last_modified"].get_int64().value() > 0);
    CHECK(str(j.root["src"]["level"]) == "WARN");
  }
  CHECK(c.put("/admin/loggers/root", R"({"level":"LOUD"})").body == error(404, "invalid log level 'LOUD'."));
  CHECK(c.put("/admin/loggers/root", R"({"lvl":"INFO"})").body ==
        error(400, "Desired 'level' parameter was not specified in request."));
  CHECK(c.get("/admin/loggers/org.apache.kafka").status == 404);
  run.stop();
}

TEST_CASE("REST creates changes and deletes connectors in the YAML job file and they survive a restart",
          "[rest][e2e][http]") {
  TempDir dir;
  write_file(dir / "job.yaml", lines_job(dir.path(), {.worker_extra = kListener}));
  write_file(dir / "in.txt", numbered_lines(0, 10));
  {
    RestRun run({"run", dir / "job.yaml"}, dir / "log1.txt");
    RestClient c = run.client();
    REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() == 10; }));

    // POST /connectors: 201, Location, ConnectorInfo; it runs at once.
    const std::string body = fmt::format(
        R"({{"name":"copy","config":{{"connector.class":"FileStreamSink","file":"{}","topics":"lines"}}}})", dir / "copy.txt");
    auto created = c.post("/connectors", body);
    REQUIRE(created.status == 201);
    CHECK(created.header("Location") == "/connectors/copy");
    {
      Json j(created.body);
      CHECK(keys(j.root) == std::vector<std::string>{"name", "config", "tasks", "type"});
      CHECK(str(j.root["config"]["name"]) == "copy");
      CHECK(str(j.root["type"]) == "sink");
    }
    append_file(dir / "in.txt", numbered_lines(10, 15));
    CHECK(eventually([&] { return read_lines(dir / "copy.txt").size() >= 5; }));
    CHECK(c.post("/connectors", body).body == error(409, "Connector copy already exists"));
    // 400: a body that is not JSON, a config that does not validate, a name that differs.
    CHECK(c.post("/connectors", "{\"name\":").status == 400);
    CHECK(c.post("/connectors", R"({"name":"x","config":{"connector.class":"FileStreamSink"},"extra":1})").status == 400);
    auto bad = c.post("/connectors", R"({"name":"bad","config":{"connector.class":"FileStreamSink","topics":"lines","tasks.max":"many"}})");
    CHECK(bad.status == 400);
    CHECK(Json(bad.body).root["message"].get_string().value().starts_with(
        "Connector configuration is invalid and contains the following 1 error(s):\ntasks.max: "));
    CHECK(c.put("/connectors/copy/config", R"({"name":"other","connector.class":"FileStreamSink","topics":"lines"})").body ==
          error(400, "Connector name configuration (other) doesn't match connector name in the URL (copy)"));
    CHECK(c.get("/connectors").body == R"(["copy","snk","src"])");

    // PUT …/config: 200 for a change (restarted with it), 201 for a new one.
    auto changed = c.put("/connectors/copy/config",
                         fmt::format(R"({{"connector.class":"FileStreamSink","file":"{}","topics":"lines"}})", dir / "copy2.txt"));
    CHECK(changed.status == 200);
    CHECK(str(Json(changed.body).root["config"]["file"]) == dir / "copy2.txt");
    auto added = c.put("/connectors/gone/config",
                       fmt::format(R"({{"connector.class":"FileStreamSink","file":"{}","topics":"lines"}})", dir / "gone.txt"));
    CHECK(added.status == 201);
    CHECK(added.header("Location") == "/connectors/gone");
    append_file(dir / "in.txt", numbered_lines(15, 20));
    CHECK(eventually([&] { return read_lines(dir / "copy2.txt").size() >= 5; }));

    // DELETE: 204; then 404.
    auto deleted = c.del("/connectors/gone");
    CHECK(deleted.status == 204);
    CHECK(c.del("/connectors/gone").body == error(404, "Connector gone not found"));
    CHECK(c.get("/connectors").body == R"(["copy","snk","src"])");
    run.stop();
  }
  // The job file holds the changes (the previous version kept as .bak).
  std::string yaml = read_file(dir / "job.yaml");
  CHECK(yaml.find("copy2.txt") != std::string::npos);
  CHECK(yaml.find("gone") == std::string::npos);
  CHECK(read_file(dir / "job.yaml.bak").find("gone") != std::string::npos);
  // A new process on the same file runs them.
  RestRun again({"run", dir / "job.yaml"}, dir / "log2.txt");
  RestClient c = again.client();
  CHECK(c.get("/connectors").body == R"(["copy","snk","src"])");
  CHECK(str(Json(c.get("/connectors/copy/config").body).root["file"]) == dir / "copy2.txt");
  again.stop();
}

TEST_CASE("REST writes a properties job's connector file back and keeps new connectors in memory only",
          "[rest][e2e][http]") {
  TempDir dir;
  write_file(dir / "worker.properties", fmt::format("offset.storage.file.filename={}\nkey.converter=StringConverter\n"
                                                    "value.converter=StringConverter\nlisteners=http://127.0.0.1:0\n",
                                                    dir / "offsets.json"));
  write_file(dir / "src.properties", fmt::format("name=src\nconnector.class=FileStreamSource\nfile={}\ntopic=lines\n", dir / "in.txt"));
  write_file(dir / "snk.json", fmt::format(R"({{"name":"snk","config":{{"connector.class":"FileStreamSink","file":"{}","topics":"lines"}}}})",
                                           dir / "out.txt"));
  write_file(dir / "in.txt", numbered_lines(0, 5));
  const std::vector<std::string> args{"run", dir / "worker.properties", dir / "src.properties", dir / "snk.json"};
  {
    RestRun run(args, dir / "log1.txt");
    RestClient c = run.client();
    REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() == 5; }));
    // A .properties connector file and a .json one are rewritten in their own formats.
    auto changed = c.put("/connectors/src/config",
                         fmt::format(R"({{"connector.class":"FileStreamSource","file":"{}","topic":"lines","batch.size":"7"}})",
                                     dir / "in.txt"));
    CHECK(changed.status == 200);
    auto json_changed = c.put("/connectors/snk/config",
                              fmt::format(R"({{"connector.class":"FileStreamSink","file":"{}","topics":"lines"}})", dir / "out2.txt"));
    CHECK(json_changed.status == 200);
    auto added = c.post("/connectors", fmt::format(R"({{"name":"extra","config":{{"connector.class":"FileStreamSink","file":"{}","topics":"lines"}}}})",
                                                    dir / "extra.txt"));
    CHECK(added.status == 201);
    append_file(dir / "in.txt", numbered_lines(5, 8));
    CHECK(eventually([&] { return read_lines(dir / "extra.txt").size() >= 3; }));
    run.stop();
  }
  CHECK(read_file(dir / "src.properties").find("batch.size=7") != std::string::npos);
  CHECK(read_file(dir / "snk.json").find("out2.txt") != std::string::npos);
  CHECK(read_file(dir / "log1.txt").find("connector 'extra' runs but is in no file") != std::string::npos);
  RestRun again(args, dir / "log2.txt");
  RestClient c = again.client();
  CHECK(c.get("/connectors").body == R"(["snk","src"])");  // as in Kafka's standalone mode, the new one is forgotten
  CHECK(str(Json(c.get("/connectors/src/config").body).root["batch.size"]) == "7");
  CHECK(str(Json(c.get("/connectors/snk/config").body).root["file"]) == dir / "out2.txt");
  again.stop();
}

TEST_CASE("config.storage.file keeps connectors created over REST across restarts until deleted", "[rest][e2e][http]") {
  TempDir dir;
  const std::string storage = dir / "connectors.json";
  write_file(dir / "worker.properties", fmt::format("offset.storage.file.filename={}\nkey.converter=StringConverter\n"
                                                    "value.converter=StringConverter\nlisteners=http://127.0.0.1:0\n"
                                                    "config.storage.file={}\n",
                                                    dir / "offsets.json", storage));
  write_file(dir / "src.properties", fmt::format("name=src\nconnector.class=FileStreamSource\nfile={}\ntopic=lines\n", dir / "in.txt"));
  write_file(dir / "in.txt", numbered_lines(0, 5));
  const std::vector<std::string> args{"run", dir / "worker.properties", dir / "src.properties"};
  {
    RestRun run(args, dir / "log1.txt");
    RestClient c = run.client();
    auto added = c.post("/connectors", fmt::format(R"({{"name":"extra","config":{{"connector.class":"FileStreamSink","file":"{}","topics":"lines"}}}})",
                                                    dir / "extra.txt"));
    CHECK(added.status == 201);
    auto second = c.post("/connectors", fmt::format(R"({{"name":"more","config":{{"connector.class":"FileStreamSink","file":"{}","topics":"lines"}}}})",
                                                     dir / "more.txt"));
    CHECK(second.status == 201);
    append_file(dir / "in.txt", numbered_lines(5, 8));  // a new sink reads what comes after it starts
    CHECK(eventually([&] { return read_lines(dir / "extra.txt").size() >= 3 && read_lines(dir / "more.txt").size() >= 3; }));
    run.stop();
  }
  // Kafka's create-request form, one entry per connector; the job files are untouched.
  Json stored(read_file(storage));
  simdjson::dom::array entries = stored.root.get_array().value();
  std::vector<std::string> names;
  for (auto e : entries) names.push_back(str(e["name"]));
  CHECK(names == std::vector<std::string>{"extra", "more"});
  CHECK(read_file(dir / "src.properties").find("extra") == std::string::npos);
  CHECK(read_file(dir / "log1.txt").find("runs but is in no file") == std::string::npos);
  {
    RestRun again(args, dir / "log2.txt");
    RestClient c = again.client();
    CHECK(c.get("/connectors").body == R"(["extra","more","src"])");
    CHECK(str(Json(c.get("/connectors/extra/config").body).root["file"]) == dir / "extra.txt");
    CHECK(c.del("/connectors/extra").status == 204);
    again.stop();
  }
  Json after(read_file(storage));
  CHECK(after.root.get_array().value().size() == 1);
  RestRun third(args, dir / "log3.txt");
  CHECK(third.client().get("/connectors").body == R"(["more","src"])");
  third.stop();
  // A storage file that is not a list of connectors: validate names it.
  write_file(storage, R"({"name":"x"})");
  auto bad = run_connectrun({"validate", dir / "worker.properties", dir / "src.properties"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find(storage) != std::string::npos);
  CHECK(bad.err.find("expected a JSON array of connectors") != std::string::npos);
}

TEST_CASE("rest.auth asks every endpoint but health for basic authentication", "[rest][e2e][http]") {
  TempDir dir;
  write_file(dir / "users.properties", "# Kafka's PropertyFileLoginModule format\nadmin: s3cret\nops=other,role\n");
  write_file(dir / "job.yaml",
             lines_job(dir.path(), {.worker_extra = std::string(kListener) + "  rest.auth: " + dir / "users.properties" + "\n"}));
  write_file(dir / "in.txt", numbered_lines(0, 3));
  RestRun run({"run", dir / "job.yaml"}, dir / "log.txt");
  RestClient anonymous = run.client();
  for (std::string path : {"/", "/connectors", "/metrics", "/connector-plugins", "/admin/loggers"}) {
    INFO(path);
    auto r = anonymous.get(path);
    CHECK(r.status == 401);
    CHECK(r.header("WWW-Authenticate").starts_with("Basic realm="));
    CHECK(r.body == error(401, "User cannot access the resource."));
  }
  CHECK(anonymous.put("/connectors/src/pause").status == 401);
  CHECK(anonymous.get("/health").status != 401);
  auto as = [&](const std::string& user_password) {
    RestClient c = run.client();
    c.set_headers({{"Authorization", "Basic " + connectrun::base64::encode(user_password)}});
    return c;
  };
  CHECK(as("admin:wrong").get("/connectors").status == 401);
  CHECK(as("nobody:s3cret").get("/connectors").status == 401);
  CHECK(as("admin:s3cret").get("/connectors").body == R"(["snk","src"])");
  CHECK(as("ops:other").get("/connectors").status == 200);  // ",role" after the password is a role list
  run.stop();

  // A password file that cannot be read stops the run at once, naming it.
  write_file(dir / "job.yaml",
             lines_job(dir.path(), {.worker_extra = std::string(kListener) + "  rest.auth: " + dir / "missing" + "\n"}));
  Process bad({"run", dir / "job.yaml"}, dir / "log2.txt");
  CHECK(bad.wait(30s) == 1);
  CHECK(read_file(dir / "log2.txt").find("rest.auth: cannot read the password file " + dir / "missing") != std::string::npos);
}

namespace {
// Every sample line's series (name and labels) of a /metrics text, with the
// duplicates: a series may appear once.
std::vector<std::string> duplicate_series(const std::string& text) {
  std::set<std::string> seen;
  std::vector<std::string> dups;
  for (auto& line : split_lines(text)) {
    if (line.empty() || line[0] == '#') continue;
    std::string series = line.substr(0, line.rfind(' '));
    if (!seen.insert(series).second) dups.push_back(series);
  }
  return dups;
}

std::optional<double> sample(const std::string& text, const std::string& series) {
  for (auto& line : split_lines(text))
    if (line.rfind(series + " ", 0) == 0) return std::stod(line.substr(series.size() + 1));
  return std::nullopt;
}
}  // namespace

TEST_CASE("metrics on the Kafka bus name each series once with process and build metrics", "[rest][e2e][http][kafka]") {
  connectrun::MockCluster b(1, {{"lines", 1}, {"dlq", 1}});
  TempDir dir;
  // The sink's consumer and its dead letter producer share the client.id connectrun-snk.
  write_file(dir / "job.yaml",
             lines_job(dir.path(), {.worker_extra = fmt::format("{}  bootstrap.servers: {}\n"
                                                                "  producer.statistics.interval.ms: 200\n"
                                                                "  consumer.statistics.interval.ms: 200\n",
                                                                kListener, b.bootstrap()),
                                    .sink_extra = "    errors.tolerance: all\n"
                                                  "    errors.deadletterqueue.topic.name: dlq\n"
                                                  "    errors.deadletterqueue.topic.replication.factor: 1\n"}));
  const std::string lines = numbered_lines(0, 50);
  write_file(dir / "in.txt", lines);
  RestRun run({"run", dir / "job.yaml"}, dir / "log.txt");
  RestClient c = run.client();
  INFO(read_file(dir / "log.txt"));
  REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() == 50; }, 60s));
  // Both of connectrun-snk's clients report, each under its own role and handle.
  std::string text;
  REQUIRE(eventually([&] {
    text = c.get("/metrics").body;
    return text.find(R"(connectrun_kafka_broker_up{client="connectrun-snk",role="producer")") != std::string::npos &&
           text.find(R"(connectrun_kafka_broker_up{client="connectrun-snk",role="consumer")") != std::string::npos;
  }, 30s));
  CHECK(duplicate_series(text) == std::vector<std::string>{});
  for (const char* name : {"process_cpu_seconds_total", "process_resident_memory_bytes", "process_start_time_seconds",
                           "process_open_fds"}) {
    INFO(name);
    auto v = sample(text, name);
    REQUIRE(v.has_value());
    CHECK(*v >= 0);
  }
  CHECK(*sample(text, "process_resident_memory_bytes") > 1e6);
  CHECK(*sample(text, "process_open_fds") > 3);
  CHECK(*sample(text, "process_start_time_seconds") > 1.6e9);
  CHECK(sample(text, fmt::format(R"(connectrun_build_info{{version="{}",commit="unknown",librdkafka="{}"}})",
                                 CONNECTRUN_VERSION, rd_kafka_version_str())) == 1.0);
  // Bytes: the 50 lines' values (StringConverter: the line without its newline), sent and taken.
  double bytes = static_cast<double>(lines.size() - 50);
  CHECK(sample(text, R"(connectrun_connector_bytes_total{connector="src",type="source"})") == bytes);
  CHECK(sample(text, R"(connectrun_connector_bytes_total{connector="snk",type="sink"})") == bytes);
  // One TYPE line per family.
  std::set<std::string> typed;
  for (auto& line : split_lines(text))
    if (line.rfind("# TYPE ", 0) == 0) CHECK(typed.insert(line.substr(7, line.find(' ', 7) - 7)).second);
  run.stop();
}
