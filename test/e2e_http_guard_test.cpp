// End-to-end: what the REST listener refuses before any handler acts — a Host
// that is not its own (DNS rebinding), a state-changing request from another
// Origin (a cross-site request from a browser), a body that is not JSON or has
// a bad Content-Length — sent over raw sockets, as an attacker would.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "http_support.h"

using namespace testsupport;
using namespace std::chrono_literals;

namespace {

void write_job(const TempDir& dir, const std::string& worker_extra = "") {
  write_file(dir / "job.yaml",
             lines_job(dir.path(), {.worker_extra = "  listeners: http://127.0.0.1:0\n" + worker_extra}));
  write_file(dir / "in.txt", numbered_lines(0, 10));
}

size_t restarts_logged(const TempDir& dir, const std::string& name) {
  std::string log = read_file(dir / "log.txt"), what = "connector '" + name + "': restarted";
  size_t n = 0;
  for (auto at = log.find(what); at != std::string::npos; at = log.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("REST: a Host that is not the listener's own address is refused with 421", "[e2e][http]") {
  TempDir dir;
  write_job(dir, "  rest.allowed.hosts: [connect.example.com]\n");
  RestJob job(dir);
  auto config_for = [&](const std::string& host_header) {
    return raw_request(job.port,
                       fmt::format("GET /connectors/src/config HTTP/1.1\r\n{}Connection: close\r\n\r\n", host_header));
  };
  const std::string port = std::to_string(job.port);
  for (auto& host : std::vector<std::string>{"127.0.0.1:" + port, "localhost:" + port,
                                             "[::1]:" + port, "connect.example.com", "Connect.Example.Com:443"}) {
    INFO(host);
    auto r = config_for("Host: " + host + "\r\n");
    CHECK(r.status == 200);
    CHECK(r.body.find("FileStreamSource") != std::string::npos);
  }
  // A page on rebound.example whose name now resolves to 127.0.0.1 sends its own name.
  for (auto& host : std::vector<std::string>{"rebound.example:" + port, fmt::format("127.0.0.1:{}", job.port + 1),
                                             "127.0.0.2:" + port, "connect.example.com.rebound.example"}) {
    INFO(host);
    auto r = config_for("Host: " + host + "\r\n");
    CHECK(r.status == 421);
    CHECK(r.body == fmt::format(R"({{"error_code":421,"message":"Host '{}' is not this listener's address )"
                                R"((http://127.0.0.1:{}); add the name clients use to the worker's )"
                                R"(rest.allowed.hosts"}})",
                                host, job.port));
  }
  auto none = config_for("");
  CHECK(none.status == 400);
  CHECK(none.body.find("no Host header") != std::string::npos);
  // The usual clients send the address they were given: served as before.
  CHECK(job.client().get("/connectors/src/config").status == 200);
}

TEST_CASE("REST: a state-changing request from another Origin is refused with 403 and changes nothing",
          "[e2e][http]") {
  TempDir dir;
  write_job(dir);
  RestJob job(dir);
  REQUIRE(eventually([&] { return job.state("src") == "RUNNING" && job.state("snk") == "RUNNING"; }));
  auto send = [&](const std::string& method, const std::string& path, const std::string& origin) {
    return raw_request(job.port, fmt::format("{} {} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nOrigin: {}\r\n"
                                             "Content-Length: 0\r\nConnection: close\r\n\r\n",
                                             method, path, job.port, origin));
  };
  for (auto& origin :
       std::vector<std::string>{"http://evil.example", fmt::format("http://evil.example:{}", job.port), "null"}) {
    INFO(origin);
    auto restart = send("POST", "/connectors/src/restart", origin);
    CHECK(restart.status == 403);
    CHECK(restart.body.find("may not change connectors") != std::string::npos);
    CHECK(send("POST", "/connectors/snk/tasks/0/restart", origin).status == 403);
    CHECK(send("PUT", "/connectors/snk/pause", origin).status == 403);
    // Reading is not refused: without CORS headers the page cannot read the answer.
    CHECK(send("GET", "/connectors", origin).status == 200);
  }
  CHECK(job.state("snk") == "RUNNING");
  CHECK(restarts_logged(dir, "src") == 0);
  CHECK(restarts_logged(dir, "snk") == 0);
  // The interface's own origin may.
  CHECK(send("POST", "/connectors/src/restart", fmt::format("http://127.0.0.1:{}", job.port)).status == 204);
  CHECK(restarts_logged(dir, "src") == 1);
}

TEST_CASE("REST: a bad Content-Length or a body that is not JSON is refused before any action", "[e2e][http]") {
  TempDir dir;
  write_job(dir);
  RestJob job(dir);
  REQUIRE(eventually([&] { return job.state("src") == "RUNNING"; }));
  auto restart = [&](const std::string& headers, const std::string& body = "") {
    return raw_request(job.port, fmt::format("POST /connectors/src/restart HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n{}"
                                             "Connection: close\r\n\r\n{}",
                                             job.port, headers, body));
  };
  const std::string json = "Content-Type: application/json\r\n";
  struct Case {
    std::string headers, body;
    int status;
    std::string message;
  };
  for (auto& c : std::vector<Case>{
           {json + "Content-Length: -1\r\n", "", 400, "Content-Length '-1' is not a number of bytes"},
           {json + "Content-Length: abc\r\n", "", 400, "Content-Length 'abc' is not a number of bytes"},
           {json + "Content-Length: 2\r\nContent-Length: 3\r\n", "{}", 400, "Content-Length headers that disagree"},
           {json + "Content-Length: 99999999999999999999\r\n", "", 413, "larger than the 1048576 bytes accepted"},
           {json + "Content-Length: 1048577\r\n", "{}", 413, "larger than the 1048576 bytes accepted"},
           {json + "Transfer-Encoding: chunked\r\n", "2\r\n{}\r\n0\r\n\r\n", 411, "Transfer-Encoding is not accepted"},
           {"Content-Type: text/plain\r\nContent-Length: 3\r\n", "x=1", 415, "must be Content-Type: application/json"},
           {"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 3\r\n", "x=1", 415,
            "(got 'application/x-www-form-urlencoded')"},
           {"Content-Length: 2\r\n", "{}", 415, "(got '')"},
       }) {
    INFO(c.headers);
    auto r = restart(c.headers, c.body);
    CHECK(r.status == c.status);
    CHECK(r.body.find(c.message) != std::string::npos);
  }
  CHECK(restarts_logged(dir, "src") == 0);
  CHECK(job.state("src") == "RUNNING");
  // A JSON body within the limit, or none, is accepted (and ignored).
  CHECK(restart(json + "Content-Length: 2\r\n", "{}").status == 204);
  CHECK(restart("").status == 204);
  CHECK(restart("Content-Length: 0\r\n").status == 204);
  CHECK(restarts_logged(dir, "src") == 3);
}

TEST_CASE("REST: keys whose name contains password or secret in any case are hidden wherever configs appear",
          "[e2e][http]") {
  TempDir dir;
  // Keys of a converter the connector does not set are kept as given (with a
  // warning that they have no effect), so any name can be tried there.
  write_file(dir / "job.yaml",
             lines_job(dir.path(), {.worker_extra = "  listeners: http://127.0.0.1:0\n",
                                    .source_extra = "    value.converter.my.PassWord.x: hunter1\n"
                                                    "    key.converter.Client.SECRET: hunter2\n"
                                                    "    producer.override.sasl.password: hunter3\n",
                                    .sink_extra = "    value.converter.some.secretKey: hunter4\n"
                                                  "    header.converter.ssl.key.PASSWORD: hunter5\n"}));
  write_file(dir / "in.txt", numbered_lines(0, 10));
  RestJob job(dir);
  auto c = job.client();
  for (std::string path : {"/connectors/src", "/connectors/src/config", "/connectors/snk", "/connectors/snk/config",
                           "/connectors?expand=info", "/connectors?expand=info&expand=status"}) {
    INFO(path);
    auto r = c.get(path);
    REQUIRE(r.status == 200);
    CHECK(r.body.find("hunter") == std::string::npos);
    CHECK(r.body.find("[hidden]") != std::string::npos);
  }
  Json src(c.get("/connectors/src/config").body);
  CHECK(src.root["value.converter.my.PassWord.x"].get_string().value() == "[hidden]");
  CHECK(src.root["key.converter.Client.SECRET"].get_string().value() == "[hidden]");
  CHECK(src.root["producer.override.sasl.password"].get_string().value() == "[hidden]");
  Json all(c.get("/connectors?expand=info").body);
  CHECK(all.root["snk"]["info"]["config"]["value.converter.some.secretKey"].get_string().value() == "[hidden]");
  CHECK(all.root["snk"]["info"]["config"]["header.converter.ssl.key.PASSWORD"].get_string().value() == "[hidden]");
}
