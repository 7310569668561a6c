// The TestServer fixture (servers/test_server.h) with servers this machine has
// without installing anything: python3's http.server, and sh.
#include <catch2/catch.hpp>

#include <signal.h>

#include <cerrno>
#include <filesystem>

#include "servers/test_server.h"
#include "support.h"

using namespace testsupport;
using namespace std::chrono_literals;

namespace {
bool have_python3() {
  int status = -1;
  shell("python3 -c 'import http.server' >/dev/null 2>&1", &status);
  return status == 0;
}

bool process_gone(pid_t pid) { return ::kill(pid, 0) != 0 && errno == ESRCH; }
}  // namespace

TEST_CASE("a test server is ready when its port accepts and is stopped and cleaned up after", "[test-server]") {
  if (!have_python3()) {
    WARN("python3 is not installed: nothing to start");
    return;
  }
  pid_t pid = -1;
  std::string dir;
  {
    TestServer http({.name = "http.server",
                     .command = {"python3", "-m", "http.server", "{port}", "--bind", "127.0.0.1", "--directory", "{dir}"}});
    pid = http.pid();
    dir = http.dir();
    write_file(http.dir() + "/hello.txt", "hello\n");
    CHECK(port_accepts(http.port()));
    int status = -1;
    std::string body = shell("curl -s http://127.0.0.1:" + std::to_string(http.port()) + "/hello.txt", &status);
    if (status == 0) CHECK(body == "hello\n");  // curl may be missing; the port check above stands
    CHECK(http.log().find("GET /hello.txt") != std::string::npos);
  }
  CHECK(process_gone(pid));
  CHECK_FALSE(std::filesystem::exists(dir));
}

TEST_CASE("a test server that never listens fails with its log in the message and is gone", "[test-server]") {
  TempDir scratch;
  const std::string pid_file = scratch / "pid";
  std::string message;
  try {
    TestServer never({.name = "sleeper",
                      .command = {"sh", "-c", "echo $$ > " + pid_file + "; echo warming up on {port}; exec sleep 600"},
                      .start_timeout = 300ms});
    FAIL("a server that never listens was taken as ready");
  } catch (const std::runtime_error& e) {
    message = e.what();
  }
  INFO(message);
  CHECK(message.find("test server 'sleeper'") != std::string::npos);
  CHECK(message.find("did not accept connections on 127.0.0.1:") != std::string::npos);
  CHECK(message.find("warming up on ") != std::string::npos);  // the log
  REQUIRE_FALSE(read_file(pid_file).empty());
  CHECK(process_gone(std::stoi(read_file(pid_file))));
}

TEST_CASE("a test server that exits before it is ready fails with its exit code and log", "[test-server]") {
  std::string message;
  try {
    TestServer broken({.name = "broken", .command = {"sh", "-c", "echo bad config >&2; exit 3"}});
    FAIL("an exited server was taken as ready");
  } catch (const std::runtime_error& e) {
    message = e.what();
  }
  CHECK(message.find("exited with code 3 before it was ready") != std::string::npos);
  CHECK(message.find("bad config") != std::string::npos);
  CHECK_THROWS_WITH(TestServer({.command = {"/nonexistent/server"}}), Catch::Contains("cannot run /nonexistent/server"));
}

TEST_CASE("a test server can be ready by a readiness command and one ignoring SIGTERM is killed", "[test-server]") {
  pid_t pid = -1;
  {
    // Ignores SIGTERM and becomes ready by a file, not a port.
    TestServer stubborn({.name = "stubborn",
                         .command = {"sh", "-c", "trap '' TERM; touch {dir}/ready; while :; do sleep 1; done"},
                         .ready_command = {"test", "-f", "{dir}/ready"},
                         .stop_grace = 100ms});
    pid = stubborn.pid();
    CHECK(std::filesystem::exists(stubborn.dir() + "/ready"));
  }
  CHECK(process_gone(pid));
}
