// The REST listener's connections, bounded in time and number so that slow or
// idle clients cannot hold every worker (docs/http-api.md, "Slow and many
// connections").
//
// cpp-httplib 0.11 bounds each recv() (its read timeout), not a whole request:
// a client sending a byte every few seconds holds a worker thread forever, and
// its fixed pool of 8 threads is then stopped by 8 such clients. Its per
// connection loop (Server::process_and_close_socket) is a private virtual whose
// base cannot be called, so BoundedServer replaces it with a loop of its own
// over a stream with a deadline, and keeps httplib's request parsing and
// routing (Server::process_request).
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <string>

#include <httplib.h>

namespace connectrun::rest {

// A request (line, headers and body) must arrive within this time from its
// first byte; else 408 and the connection is closed.
inline constexpr std::chrono::seconds kRequestDeadline{5};
// Connections served at once (one thread each, started as they are needed); one more gets 503.
inline constexpr size_t kMaxConnections = 256;
// Connections one client address may hold at once; one more gets 429. Half of
// kMaxConnections, so one address cannot take every worker.
inline constexpr size_t kMaxConnectionsPerClient = 128;

class BoundedServer : public httplib::Server {
 public:
  BoundedServer();
  // Once bound: a listen backlog of kMaxConnections. httplib 0.11 listens with
  // 5 (CPPHTTPLIB_LISTEN_BACKLOG, compiled into Debian's library), so a burst
  // of connections waited for SYN retransmits (1 s, 3 s, ...) before a thread
  // could take them; listen() on the bound socket again sets a longer queue.
  void widen_backlog();

 private:
  bool process_and_close_socket(socket_t sock) override;
  // Takes a place for `address` (false when it holds kMaxConnectionsPerClient).
  bool take_client_place(const std::string& address);
  void release_client_place(const std::string& address);

  std::mutex clients_mutex_;
  std::map<std::string, size_t> clients_;  // open connections per client address
};

}  // namespace connectrun::rest
