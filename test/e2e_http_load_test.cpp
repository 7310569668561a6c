// End-to-end: slow and many connections to the REST listener. A request must
// arrive within 5 s of its first byte (else 408); connections are served by
// threads started as needed, up to 256, at most 128 per client address (see
// lib/ops/rest_connections.h and docs/http-api.md).
#include <catch2/catch.hpp>

#include <memory>
#include <thread>

#include <fmt/format.h>

#include "http_support.h"

using namespace testsupport;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

using Connections = std::vector<std::unique_ptr<RawConnection>>;

void open_connections(Connections& into, int port, size_t n, const std::string& source) {
  for (size_t i = 0; i < n; ++i) {
    into.push_back(std::make_unique<RawConnection>(port, source));
    REQUIRE(into.back()->connected());
  }
}

// How many of `conns` have been answered with `status` (reading what has arrived).
size_t answered(Connections& conns, int status) {
  size_t n = 0;
  for (auto& c : conns) {
    c->read_until_closed(0ms);
    n += c->reply().status == status;
  }
  return n;
}

void start_job(const TempDir& dir) {
  write_file(dir / "job.yaml", lines_job(dir.path(), {.worker_extra = "  listeners: http://127.0.0.1:0\n"}));
  write_file(dir / "in.txt", numbered_lines(0, 10));
}

}  // namespace

TEST_CASE("REST: 64 slow clients do not stop /health — each is cut off with 408 at the request deadline",
          "[e2e][http]") {
  TempDir dir;
  start_job(dir);
  RestJob job(dir);
  auto c = job.client();
  REQUIRE(eventually([&] { return c.get("/health").status == 200; }));

  // 64 connections send a request one byte every 150 ms: its ~47 bytes would
  // take 7 s, longer than the 5 s deadline. The last byte is never sent. A
  // connection that has been answered is sent nothing more (its answer could
  // be lost to the reset a closed socket answers further bytes with).
  Connections slow;
  open_connections(slow, job.port, 64, "127.0.0.1");
  const std::string request = fmt::format("GET /health HTTP/1.1\r\nHost: 127.0.0.1:{}\r\n\r\n", job.port);
  auto started = Clock::now();
  std::vector<Clock::duration> closed_after(slow.size(), Clock::duration::zero());
  std::thread drip([&] {
    for (size_t i = 0; Clock::now() - started < 8s; i = std::min(i + 1, request.size() - 2)) {
      bool all_closed = true;
      for (size_t k = 0; k < slow.size(); ++k) {
        if (closed_after[k] != Clock::duration::zero()) continue;
        if (slow[k]->read_until_closed(0ms)) closed_after[k] = Clock::now() - started;
        else if (slow[k]->received().empty()) slow[k]->send(request.substr(i, 1));
        all_closed = all_closed && closed_after[k] != Clock::duration::zero();
      }
      if (all_closed) return;
      std::this_thread::sleep_for(150ms);
    }
  });

  // Meanwhile /health and /metrics are answered at once, again and again.
  while (Clock::now() - started < 4s) {
    for (std::string path : {"/health", "/metrics"}) {
      INFO(path);
      auto t0 = Clock::now();
      CHECK(c.get(path).status == 200);
      CHECK(Clock::now() - t0 < 2s);
    }
    std::this_thread::sleep_for(300ms);
  }
  drip.join();

  // Each slow client was answered 408 and disconnected once its 5 s were up.
  for (size_t k = 0; k < slow.size(); ++k) {
    INFO("connection " << k << " closed after "
                       << std::chrono::duration_cast<std::chrono::milliseconds>(closed_after[k]).count() << " ms");
    CHECK(closed_after[k] > 4500ms);
    CHECK(closed_after[k] < 7s);
    auto r = slow[k]->reply();
    CHECK(r.status == 408);
    CHECK(r.body == R"({"error_code":408,"message":"the request did not arrive within 5 s of its first byte"})");
  }
  CHECK(c.get("/health").status == 200);
}

TEST_CASE("REST: connections are capped per client address (429) and in total (503)", "[e2e][http]") {
  TempDir dir;
  start_job(dir);
  RestJob job(dir);
  REQUIRE(eventually([&] { return job.client().get("/health").status == 200; }));

  // 129 idle connections from 127.0.0.1: one over the cap of 128 per address
  // (which one depends on the order the server's threads run in).
  Connections first;
  open_connections(first, job.port, 129, "127.0.0.1");
  REQUIRE(eventually([&] { return answered(first, 429) == 1; }, 3s));
  std::this_thread::sleep_for(200ms);
  CHECK(answered(first, 429) == 1);
  for (auto& c : first)
    if (c->reply().status == 429)
      CHECK(c->reply().body == R"({"error_code":429,"message":"127.0.0.1 holds 128 connections, the most one client )"
                               R"(may; close some"})");

  // Another address is still served.
  RawConnection other(job.port, "127.0.0.2");
  REQUIRE(other.send(fmt::format("GET /health HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\r\n", job.port)));
  CHECK(other.read_until_closed(3s));
  CHECK(other.reply().status == 200);

  // 128 held, 129 more from two other addresses: one over the 256 in total
  // (once the threads that answered the 429 and /health are free: a closed
  // connection's thread waits up to 1 s for the client to stop sending).
  std::this_thread::sleep_for(1200ms);
  Connections more;
  open_connections(more, job.port, 128, "127.0.0.2");
  open_connections(more, job.port, 1, "127.0.0.3");
  REQUIRE(eventually([&] { return answered(more, 503) == 1; }, 3s));
  std::this_thread::sleep_for(200ms);
  CHECK(answered(more, 503) == 1);
  CHECK(answered(more, 429) == 0);
}
