// The REST listener's request checks (Host, Origin, body framing), without a
// server: test/e2e_http_guard_test.cpp runs the same over real sockets.
#include <catch2/catch.hpp>

#include <map>

#include "ops/listener.h"
#include "ops/rest_guard.h"

using namespace connectrun;
using connectrun::rest::RequestGuard;

namespace {
using Headers = std::multimap<std::string, std::string>;

// The status the guard answers (0: served).
int status_of(const RequestGuard& guard, const std::string& method, const Headers& headers) {
  auto refusal = guard.check(method, [&](std::string_view name) {
    std::vector<std::string> values;
    for (auto [it, end] = headers.equal_range(std::string(name)); it != end; ++it) values.push_back(it->second);
    return values;
  });
  return refusal ? refusal->status : 0;
}

RequestGuard guard_for(const std::string& listener, int port, std::vector<std::string> allowed = {}) {
  auto l = std::get<Listener>(parse_listener(listener));
  l.allowed_hosts = std::move(allowed);
  return RequestGuard(l, port);
}
}  // namespace

TEST_CASE("REST guard: only the listener's own address or rest.allowed.hosts as Host", "[http][guard]") {
  auto g = guard_for("http://127.0.0.1:0", 8083, {"connect.example.com", "::2"});
  for (std::string host : {"127.0.0.1:8083", "localhost:8083", "LocalHost:8083", "[::1]:8083", "[0:0::1]:8083",
                           "connect.example.com", "Connect.Example.com:443", "[::2]:1"}) {
    INFO(host);
    CHECK(status_of(g, "GET", {{"Host", host}}) == 0);
  }
  for (std::string host : {"evil.example:8083", "127.0.0.1:8084", "127.0.0.1", "localhost", "127.0.0.2:8083",
                           "[::1]x:8083", "127.0.0.1:80833", "127.0.0.1:-1", "", "connect.example.com.evil:8083"}) {
    INFO(host);
    CHECK(status_of(g, "GET", {{"Host", host}}) == 421);
  }
  CHECK(status_of(g, "GET", {}) == 400);
  CHECK(status_of(g, "GET", {{"Host", "127.0.0.1:8083"}, {"Host", "evil.example"}}) == 400);
  // A listener on port 80: a Host without a port is http's default port.
  CHECK(status_of(guard_for("http://localhost:80", 80), "GET", {{"Host", "localhost"}}) == 0);
  // Every interface: its addresses and the loopback names.
  auto any = guard_for("http://0.0.0.0:8083", 8083);
  CHECK(status_of(any, "GET", {{"Host", "127.0.0.1:8083"}}) == 0);
  CHECK(status_of(any, "GET", {{"Host", "rebound.example:8083"}}) == 421);
}

TEST_CASE("REST guard: state-changing requests from another Origin are refused", "[http][guard]") {
  auto g = guard_for("http://127.0.0.1:8083", 8083, {"connect.example.com"});
  Headers own{{"Host", "127.0.0.1:8083"}};
  for (std::string method : {"POST", "PUT", "DELETE", "PATCH"}) {
    INFO(method);
    for (std::string origin : {"http://evil.example", "http://evil.example:8083", "null", "https://127.0.0.1:8083",
                               "http://127.0.0.1:8084", "http://127.0.0.1:8083/"}) {
      INFO(origin);
      auto h = own;
      h.emplace("Origin", origin);
      CHECK(status_of(g, method, h) == 403);
    }
    for (std::string origin : {"http://127.0.0.1:8083", "http://localhost:8083", "http://connect.example.com"}) {
      auto h = own;
      h.emplace("Origin", origin);
      CHECK(status_of(g, method, h) == 0);
    }
    CHECK(status_of(g, method, own) == 0);  // no Origin: not a browser's cross-site request
  }
  // Reading is not refused for its Origin: without CORS headers the page cannot read the answer.
  CHECK(status_of(g, "GET", {{"Host", "127.0.0.1:8083"}, {"Origin", "http://evil.example"}}) == 0);
}

TEST_CASE("REST guard: a body must have a sane Content-Length and the JSON type — no Transfer-Encoding", "[http][guard]") {
  auto g = guard_for("http://127.0.0.1:8083", 8083);
  auto with = [](Headers extra) {
    extra.emplace("Host", "127.0.0.1:8083");
    return extra;
  };
  const std::string json = "application/json";
  for (std::string bad : {"-1", "abc", "1e3", " ", "+5", "0x10"}) {
    INFO(bad);
    CHECK(status_of(g, "POST", with({{"Content-Length", bad}, {"Content-Type", json}})) == 400);
  }
  CHECK(status_of(g, "POST", with({{"Content-Length", "2"}, {"Content-Length", "3"}, {"Content-Type", json}})) == 400);
  for (std::string huge : {"1048577", "99999999999999999999999", "18446744073709551616"}) {
    INFO(huge);
    CHECK(status_of(g, "POST", with({{"Content-Length", huge}, {"Content-Type", json}})) == 413);
  }
  CHECK(status_of(g, "POST", with({{"Content-Length", "1048576"}, {"Content-Type", json}})) == 0);
  CHECK(status_of(g, "POST", with({{"Content-Length", "0001048576"}, {"Content-Type", json}})) == 0);
  CHECK(status_of(g, "POST", with({{"Transfer-Encoding", "chunked"}, {"Content-Type", json}})) == 411);
  for (std::string type : {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                           "application/jsonp", ""}) {
    INFO(type);
    CHECK(status_of(g, "PUT", with({{"Content-Length", "2"}, {"Content-Type", type}})) == 415);
  }
  CHECK(status_of(g, "PUT", with({{"Content-Length", "2"}})) == 415);
  CHECK(status_of(g, "PUT", with({{"Content-Length", "2"}, {"Content-Type", "Application/JSON; charset=utf-8"}})) == 0);
  // No body, no type needed.
  CHECK(status_of(g, "PUT", with({{"Content-Length", "0"}})) == 0);
  CHECK(status_of(g, "PUT", with({{"Content-Length", "0"}, {"Content-Type", "text/plain"}})) == 0);
}

TEST_CASE("rest.allowed.hosts entries are host names without scheme or port", "[http][guard]") {
  for (std::string ok : {"connect.example.com", "10.0.0.5", "::1", "[::1]", "LOCALHOST"}) {
    INFO(ok);
    CHECK_FALSE(allowed_host_problem(ok));
  }
  for (std::string bad : {"", "http://connect.example.com", "connect.example.com:8083", "a b", "[::1]:8083", "x/y"}) {
    INFO(bad);
    CHECK(allowed_host_problem(bad));
  }
}
