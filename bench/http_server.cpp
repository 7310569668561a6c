// bench/http's endpoint: a cpp-httplib server on 127.0.0.1 that answers every
// POST with 200 at once and counts requests and body bytes.
//   http_server PORT_FILE   writes its port to PORT_FILE, serves until SIGTERM
//   GET /stats              "REQUESTS BYTES"
// Built by bench/http with g++ (cpp-httplib is header-only: libcpp-httplib-dev).
#include <httplib.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <string>

namespace {
httplib::Server* g_server = nullptr;
void on_term(int) {
  if (g_server) g_server->stop();
}
}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: http_server PORT_FILE\n");
    return 2;
  }
  httplib::Server server;
  std::atomic<long long> requests{0}, bytes{0};
  // One connection carries the whole run, as libcurl's and curl's keep it open.
  server.set_keep_alive_max_count(100000000);
  server.set_keep_alive_timeout(60);
  server.set_tcp_nodelay(true);  // else Nagle and delayed ACKs cost ~40 ms per answer
  server.Post(R"(/.*)", [&](const httplib::Request& req, httplib::Response& res) {
    requests.fetch_add(1, std::memory_order_relaxed);
    bytes.fetch_add(static_cast<long long>(req.body.size()), std::memory_order_relaxed);
    res.set_content("ok", "text/plain");
  });
  server.Get("/stats", [&](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::to_string(requests.load()) + " " + std::to_string(bytes.load()) + "\n", "text/plain");
  });
  const int port = server.bind_to_any_port("127.0.0.1");
  if (port <= 0) return 1;
  std::ofstream(argv[1]) << port << "\n";
  g_server = &server;
  std::signal(SIGTERM, on_term);
  std::signal(SIGINT, on_term);
  return server.listen_after_bind() ? 0 : 1;
}
