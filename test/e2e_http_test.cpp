// End-to-end: the REST interface (worker key `listeners`) of the real binary,
// over real HTTP on loopback.
#include <catch2/catch.hpp>

#include <filesystem>
#include <sstream>
#include <thread>

#include <fmt/format.h>

#include "http_support.h"

using namespace testsupport;
using namespace std::chrono_literals;

namespace {

std::string job_yaml(const TempDir& dir, const std::string& listener = "http://127.0.0.1:0",
                     const std::string& sink_extra = "", const std::string& offsets = "offsets.json") {
  return lines_job(dir.path(), {.offsets = dir / offsets,
                                .worker_extra = "  offset.flush.interval.ms: 200\n  listeners: " + listener + "\n",
                                .sink_extra = sink_extra});
}

// Every sample line of a Prometheus text page: name{labels} → value.
std::map<std::string, double> parse_metrics(const std::string& text) {
  std::map<std::string, double> out;
  std::istringstream in(text);
  std::string line;
  static const std::regex sample(R"(^([a-zA-Z_:][a-zA-Z0-9_:]*(\{[^}]*\})?) (\S+)$)");
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') {
      if (!line.empty()) CHECK((line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0));
      continue;
    }
    std::smatch m;
    INFO(line);
    REQUIRE(std::regex_match(line, m, sample));
    size_t used = 0;
    double v = std::stod(m[3], &used);
    REQUIRE(used == static_cast<size_t>(m[3].length()));
    out[m[1]] = v;
  }
  return out;
}

}  // namespace

TEST_CASE("REST GET endpoints answer with Kafka Connect's status codes and bodies", "[e2e][http]") {
  TempDir dir;
  write_file(dir / "job.yaml", job_yaml(dir, "http://127.0.0.1:0", "    consumer.override.ssl.key.password: hunter2\n"));
  write_file(dir / "in.txt", numbered_lines(0, 100));
  RestJob job(dir);
  auto c = job.client();
  REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() == 100; }));
  std::string worker_id = fmt::format("127.0.0.1:{}", job.port);

  auto root = c.get("/");
  REQUIRE(root.status == 200);
  CHECK(root.content_type == "application/json");
  Json r(root.body);
  CHECK(r.root["version"].get_string().value() == CONNECTRUN_VERSION);
  CHECK(r.root["commit"].is_string());
  CHECK(r.root["kafka_cluster_id"].is_null());

  auto list = c.get("/connectors");
  REQUIRE(list.status == 200);
  CHECK(list.body == R"(["snk","src"])");

  auto expanded = c.get("/connectors?expand=status&expand=info");
  REQUIRE(expanded.status == 200);
  Json x(expanded.body);
  CHECK(x.root["src"]["status"]["connector"]["state"].get_string().value() == "RUNNING");
  CHECK(x.root["snk"]["info"]["type"].get_string().value() == "sink");
  CHECK(x.root["snk"]["info"]["config"]["topics"].get_string().value() == "lines");
  Json only_status(c.get("/connectors?expand=status").body);
  CHECK(only_status.root["snk"]["info"].error() == simdjson::NO_SUCH_FIELD);
  CHECK(only_status.root["snk"]["status"]["type"].get_string().value() == "sink");

  auto info = c.get("/connectors/snk");
  REQUIRE(info.status == 200);
  Json i(info.body);
  CHECK(i.root["name"].get_string().value() == "snk");
  CHECK(i.root["type"].get_string().value() == "sink");
  CHECK(i.root["config"]["file"].get_string().value() == dir / "out.txt");
  CHECK(i.root["config"]["consumer.override.ssl.key.password"].get_string().value() == "[hidden]");
  CHECK(i.root["tasks"].at(0)["connector"].get_string().value() == "snk");
  CHECK(i.root["tasks"].at(0)["task"].get_int64().value() == 0);
  CHECK(info.body.find("hunter2") == std::string::npos);

  auto config = c.get("/connectors/snk/config");
  REQUIRE(config.status == 200);
  Json cfg(config.body);
  CHECK(cfg.root["connector.class"].get_string().value() == "FileStreamSink");
  CHECK(cfg.root["name"].get_string().value() == "snk");
  CHECK(cfg.root["topics"].get_string().value() == "lines");
  CHECK(config.body.find("hunter2") == std::string::npos);

  auto status = c.get("/connectors/src/status");
  REQUIRE(status.status == 200);
  Json s(status.body);
  CHECK(s.root["name"].get_string().value() == "src");
  CHECK(s.root["type"].get_string().value() == "source");
  CHECK(s.root["connector"]["state"].get_string().value() == "RUNNING");
  CHECK(s.root["connector"]["worker_id"].get_string().value() == worker_id);
  CHECK(s.root["tasks"].at(0)["id"].get_int64().value() == 0);
  CHECK(s.root["tasks"].at(0)["state"].get_string().value() == "RUNNING");
  CHECK(s.root["tasks"].at(0)["worker_id"].get_string().value() == worker_id);
  CHECK(s.root["tasks"].at(0)["trace"].error() == simdjson::NO_SUCH_FIELD);
  CHECK(c.get("/connectors/src/tasks/0/status").status == 200);

  // The offset is the source's byte position once the flush stored it.
  long size = static_cast<long>(read_file(dir / "in.txt").size());
  REQUIRE(eventually([&] {
    auto o = c.get("/connectors/src/offsets");
    return o.status == 200 && o.body.find(fmt::format("\"position\":{}", size)) != std::string::npos;
  }));
  Json o(c.get("/connectors/src/offsets").body);
  CHECK(o.root["offsets"].at(0)["partition"]["filename"].get_string().value() == dir / "in.txt");
  CHECK(o.root["offsets"].at(0)["offset"]["position"].get_int64().value() == size);
  CHECK(c.get("/connectors/snk/offsets").body == R"({"offsets":[]})");

  for (std::string path : {"/connectors/nope", "/connectors/nope/config", "/connectors/nope/offsets"}) {
    INFO(path);
    auto e = c.get(path);
    CHECK(e.status == 404);
    CHECK(e.body == R"({"error_code":404,"message":"Connector nope not found"})");
  }
  for (auto e : {c.put("/connectors/nope/pause"), c.put("/connectors/nope/resume"), c.post("/connectors/nope/restart")}) {
    CHECK(e.status == 404);
    CHECK(e.body == R"({"error_code":404,"message":"Connector nope not found"})");
  }
  auto unknown = c.get("/no/such/path");
  CHECK(unknown.status == 404);
  CHECK(Json(unknown.body).root["error_code"].get_int64().value() == 404);
}

TEST_CASE("metrics are Prometheus text whose counts match the records moved", "[e2e][http]") {
  TempDir dir;
  write_file(dir / "job.yaml", job_yaml(dir));
  write_file(dir / "in.txt", numbered_lines(0, 1234));
  RestJob job(dir);
  auto c = job.client();
  REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() == 1234; }));
  std::map<std::string, double> m;
  // The sink counts a batch as written after its flush, just after the file has it.
  REQUIRE(eventually([&] {
    auto r = c.get("/metrics");
    if (r.status != 200) return false;
    m = parse_metrics(r.body);
    return m[R"(connectrun_connector_records_written_total{connector="snk",type="sink"})"] == 1234;
  }));
  CHECK(c.get("/metrics").content_type.find("text/plain; version=0.0.4") == 0);
  CHECK(m.at(R"(connectrun_connector_records_read_total{connector="src",type="source"})") == 1234);
  CHECK(m.at(R"(connectrun_connector_records_written_total{connector="src",type="source"})") == 1234);
  CHECK(m.at(R"(connectrun_connector_records_read_total{connector="snk",type="sink"})") == 1234);
  CHECK(m.at(R"(connectrun_connector_errors_total{connector="src",type="source"})") == 0);
  CHECK(m.at(R"(connectrun_connector_dead_lettered_total{connector="snk",type="sink"})") == 0);
  CHECK(m.at(R"(connectrun_connector_batch_seconds_count{connector="snk",type="sink"})") >= 1);
  CHECK(m.at(R"(connectrun_connector_batch_seconds_sum{connector="snk",type="sink"})") >= 0);
  CHECK(m.at(R"(connectrun_connector_state{connector="src",state="RUNNING"})") == 1);
  CHECK(m.at(R"(connectrun_connector_state{connector="src",state="PAUSED"})") == 0);
  CHECK(m.at(R"(connectrun_connector_lag{connector="snk",type="sink"})") == 0);  // nothing left queued for it
  CHECK(m.count(R"(connectrun_connector_lag{connector="src",type="source"})") == 0);
  CHECK(m.at("connectrun_offset_flush_age_seconds") >= 0);
  CHECK(m.at("connectrun_offset_flush_age_seconds") < 3600);
}

TEST_CASE("health is 503 while a connector is paused or failed and 200 when all run", "[e2e][http]") {
  TempDir dir;
  write_file(dir / "job.yaml", job_yaml(dir));
  write_file(dir / "in.txt", numbered_lines(0, 10));
  RestJob job(dir);
  auto c = job.client();
  REQUIRE(eventually([&] { return c.get("/health").status == 200; }));
  CHECK(c.get("/health").body == R"({"healthy":true,"not_running":[]})");
  REQUIRE(c.put("/connectors/snk/pause").status == 202);
  auto h = c.get("/health");
  CHECK(h.status == 503);
  CHECK(h.body == R"({"healthy":false,"not_running":[{"name":"snk","state":"PAUSED"}]})");
  REQUIRE(c.put("/connectors/snk/resume").status == 202);
  CHECK(c.get("/health").status == 200);
}

TEST_CASE("a failed connector shows FAILED with its trace and health 503", "[e2e][http]") {
  TempDir dir;
  std::string job = job_yaml(dir);
  job.replace(job.find(dir / "out.txt"), (dir / "out.txt").size(), dir / "no-such-dir/out.txt");
  write_file(dir / "job.yaml", job);
  write_file(dir / "in.txt", numbered_lines(0, 10));
  RestJob j(dir);
  auto c = j.client();
  REQUIRE(eventually([&] { return j.state("snk") == "FAILED"; }));
  Json s(c.get("/connectors/snk/status").body);
  CHECK(s.root["tasks"].at(0)["state"].get_string().value() == "FAILED");
  CHECK(std::string(s.root["tasks"].at(0)["trace"].get_string().value()).find("no-such-dir") != std::string::npos);
  auto h = c.get("/health");
  CHECK(h.status == 503);
  CHECK(h.body.find(R"({"name":"snk","state":"FAILED"})") != std::string::npos);
}

TEST_CASE("pause stops a source's output and resume continues with nothing lost", "[e2e][http]") {
  TempDir dir;
  write_file(dir / "job.yaml", job_yaml(dir));
  write_file(dir / "in.txt", numbered_lines(0, 1000));
  RestJob job(dir);
  auto c = job.client();
  REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() == 1000; }));
  auto p = c.put("/connectors/src/pause");
  CHECK(p.status == 202);
  CHECK(job.state("src") == "PAUSED");
  append_file(dir / "in.txt", numbered_lines(1000, 2000));
  // A paused source reads nothing: the output stays as it was (the source polls every 200 ms when running).
  std::this_thread::sleep_for(1500ms);
  CHECK(read_lines(dir / "out.txt").size() == 1000);
  REQUIRE(c.put("/connectors/src/resume").status == 202);
  CHECK(job.state("src") == "RUNNING");
  REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() == 2000; }));
  CHECK(read_file(dir / "out.txt") == numbered_lines(0, 2000));
}

TEST_CASE("a paused sink holds its records and writes them all on resume", "[e2e][http]") {
  TempDir dir;
  write_file(dir / "job.yaml", job_yaml(dir));
  write_file(dir / "in.txt", numbered_lines(0, 500));
  RestJob job(dir);
  auto c = job.client();
  REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() == 500; }));
  REQUIRE(c.put("/connectors/snk/pause").status == 202);
  append_file(dir / "in.txt", numbered_lines(500, 3000));
  auto m = [&] { return parse_metrics(c.get("/metrics").body); };
  REQUIRE(eventually([&] { return m()[R"(connectrun_connector_records_read_total{connector="src",type="source"})"] == 3000; }));
  // What the paused sink has not taken waits in its queue: its lag.
  CHECK(eventually([&] { return m()[R"(connectrun_connector_lag{connector="snk",type="sink"})"] == 2500; }));
  std::this_thread::sleep_for(1000ms);
  CHECK(read_lines(dir / "out.txt").size() == 500);
  REQUIRE(c.put("/connectors/snk/resume").status == 202);
  REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() == 3000; }));
  CHECK(read_file(dir / "out.txt") == numbered_lines(0, 3000));
}

TEST_CASE("restart keeps offsets and loses nothing", "[e2e][http]") {
  TempDir dir;
  write_file(dir / "job.yaml", job_yaml(dir));
  write_file(dir / "in.txt", numbered_lines(0, 1000));
  RestJob job(dir);
  auto c = job.client();
  REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() == 1000; }));
  auto r = c.post("/connectors/src/restart");
  CHECK(r.status == 204);
  CHECK(r.body.empty());
  CHECK(job.state("src") == "RUNNING");
  CHECK(c.post("/connectors/snk/restart").status == 204);
  CHECK(c.post("/connectors/snk/tasks/0/restart").status == 204);
  CHECK(job.state("snk") == "RUNNING");
  append_file(dir / "in.txt", numbered_lines(1000, 2000));
  REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() >= 2000; }));
  // The restarted source continued from its stored offset: no line read twice.
  CHECK(read_file(dir / "out.txt") == numbered_lines(0, 2000));
  auto log = read_file(dir / "log.txt");
  CHECK(log.find("connector 'src': restarted") != std::string::npos);
  CHECK(log.find("resuming " + dir / "in.txt") != std::string::npos);
  job.process.signal(SIGTERM);
  CHECK(job.process.wait(20s) == 0);
  // The summary counts what the tasks replaced by the restarts did too.
  CHECK_THAT(read_file(dir / "log.txt"), Catch::Contains("connector 'src': 2000 read, 2000 written"));
  CHECK_THAT(read_file(dir / "log.txt"), Catch::Contains("connector 'snk': 2000 read, 2000 written"));
}

TEST_CASE("listeners: bad values are validation errors, remote hosts need listeners.allow.remote", "[e2e][http]") {
  TempDir dir;
  for (std::string bad : {"http://0.0.0.0:8083", "http://192.0.2.1:8083", "https://127.0.0.1:8083", "127.0.0.1:8083",
                          "http://127.0.0.1", "http://127.0.0.1:70000"}) {
    write_file(dir / "job.yaml", job_yaml(dir, bad));
    auto r = run_connectrun({"validate", dir / "job.yaml"});
    INFO(bad << "\n" << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("key 'listeners'") != std::string::npos);
  }
  // Kafka's form without a host is taken, bound to 127.0.0.1 with a warning saying so.
  write_file(dir / "job.yaml", job_yaml(dir, "http://:8083"));
  auto no_host = run_connectrun({"validate", dir / "job.yaml"});
  CHECK(no_host.exit_code == 0);
  CHECK(no_host.err.find("connectrun binds 127.0.0.1") != std::string::npos);
  write_file(dir / "job.yaml", job_yaml(dir, "http://0.0.0.0:8083"));
  auto remote = run_connectrun({"validate", dir / "job.yaml"});
  CHECK(remote.err.find("listeners.allow.remote: true") != std::string::npos);
  std::string allowed = job_yaml(dir, "http://0.0.0.0:8083");
  allowed.insert(allowed.find("connectors:"), "  listeners.allow.remote: true\n");
  write_file(dir / "job.yaml", allowed);
  auto ok = run_connectrun({"validate", dir / "job.yaml"});
  INFO(ok.err);
  CHECK(ok.exit_code == 0);
}

TEST_CASE("a REST port already in use is a clear error", "[e2e][http]") {
  TempDir dir;
  write_file(dir / "job.yaml", job_yaml(dir));
  write_file(dir / "in.txt", numbered_lines(0, 10));
  RestJob first(dir);
  std::string taken = fmt::format("http://127.0.0.1:{}", first.port);
  write_file(dir / "job2.yaml", job_yaml(dir, taken, "", "offsets2.json"));
  auto r = run_connectrun({"run", dir / "job2.yaml"}, 30s);
  INFO(r.err);
  CHECK(r.exit_code == 1);  // README, exit codes: "the REST listener's address is in use"
  CHECK(r.err.find("cannot listen on " + taken) != std::string::npos);
}

TEST_CASE("restarting failed connectors recovers everything once the cause is fixed", "[e2e][http]") {
  TempDir dir;
  std::string job = job_yaml(dir);
  job.replace(job.find(dir / "out.txt"), (dir / "out.txt").size(), dir / "later/out.txt");
  write_file(dir / "job.yaml", job);
  write_file(dir / "in.txt", numbered_lines(0, 300));
  RestJob j(dir);
  auto c = j.client();
  // The sink cannot open its file; the source's records then cannot be delivered either.
  REQUIRE(eventually([&] { return j.state("snk") == "FAILED" && j.state("src") == "FAILED"; }));
  std::filesystem::create_directories(dir / "later");
  REQUIRE(c.post("/connectors/snk/restart").status == 204);
  REQUIRE(c.post("/connectors/src/restart").status == 204);
  CHECK(j.state("snk") == "RUNNING");
  CHECK(j.state("src") == "RUNNING");
  REQUIRE(eventually([&] { return read_lines(dir / "later/out.txt").size() >= 300; }));
  CHECK(read_file(dir / "later/out.txt") == numbered_lines(0, 300));
  CHECK(c.get("/health").status == 200);
}
