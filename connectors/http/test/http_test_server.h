// Real HTTP endpoints for HttpSink's tests, in the test process: a
// cpp-httplib server answering POSTs per a schedule (status, Retry-After,
// delay) and recording exactly what arrived, with an OAuth2 token endpoint;
// and a TCP listener answering garbage, for a server that does not speak HTTP.
#pragma once

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

namespace httptest {

struct Reply {
  int status = 200;
  std::string body = "ok";
  std::string retry_after;  // the Retry-After header's value; empty: none
  std::chrono::milliseconds delay{0};
};

struct Received {
  std::string path, body, authorization, content_type, extra;  // extra: the X-Test header
};

class ScheduledServer {
 public:
  ScheduledServer() {
    server_.Post("/token", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mu_);
      token_requests_.push_back(req.get_header_value("Authorization") + "|" + req.body);
      res.set_content(fmt::format(R"({{"access_token":"tok-{}","token_type":"Bearer"}})", token_requests_.size()),
                      "application/json");
    });
    server_.Post(R"(.*)", [this](const httplib::Request& req, httplib::Response& res) {
      Reply reply;
      {
        std::lock_guard lock(mu_);
        received_.push_back({req.path, req.body, req.get_header_value("Authorization"),
                             req.get_header_value("Content-Type"), req.get_header_value("X-Test")});
        if (!schedule_.empty()) {
          reply = schedule_.front();
          schedule_.pop_front();
        }
      }
      if (reply.delay.count() > 0) std::this_thread::sleep_for(reply.delay);
      res.status = reply.status;
      if (!reply.retry_after.empty()) res.set_header("Retry-After", reply.retry_after);
      res.set_content(reply.body, "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // Debian 12's cpp-httplib has no wait_until_ready(): the port is bound
    // already (requests queue in the backlog), this only waits for the loop.
    for (int i = 0; i < 5000 && !server_.is_running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~ScheduledServer() {
    server_.stop();
    thread_.join();
  }
  ScheduledServer(const ScheduledServer&) = delete;
  ScheduledServer& operator=(const ScheduledServer&) = delete;

  // The next answers, in order; once they are used up every POST gets 200.
  void schedule(std::vector<Reply> replies) {
    std::lock_guard lock(mu_);
    schedule_.assign(replies.begin(), replies.end());
  }
  std::vector<Received> received() {
    std::lock_guard lock(mu_);
    return received_;
  }
  std::vector<std::string> bodies() {
    std::vector<std::string> out;
    for (auto& r : received()) out.push_back(r.body);
    return out;
  }
  std::vector<std::string> token_requests() {
    std::lock_guard lock(mu_);
    return token_requests_;
  }
  int port() const { return port_; }
  std::string url(const std::string& path = "/sink") const { return fmt::format("http://127.0.0.1:{}{}", port_, path); }

 private:
  httplib::Server server_;
  std::thread thread_;
  int port_ = 0;
  std::mutex mu_;
  std::deque<Reply> schedule_;
  std::vector<Received> received_;
  std::vector<std::string> token_requests_;
};

// Accepts connections and answers each with bytes that are not HTTP, then
// closes it; with `reset`, reads the request and resets the connection
// (SO_LINGER 0: an RST) without answering.
class GarbageServer {
 public:
  explicit GarbageServer(bool reset = false) : reset_(reset), fd_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(a);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a)) != 0 || ::listen(fd_, 16) != 0 ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      throw std::runtime_error("cannot listen on 127.0.0.1");
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~GarbageServer() {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  GarbageServer(const GarbageServer&) = delete;
  GarbageServer& operator=(const GarbageServer&) = delete;
  int port() const { return port_; }
  int connections() const { return connections_.load(); }

 private:
  void serve() {
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      ++connections_;
      pollfd q{c, POLLIN, 0};
      char buf[4096];
      if (::poll(&q, 1, 2000) > 0) (void)!::recv(c, buf, sizeof(buf), 0);
      if (reset_) {
        linger l{1, 0};
        ::setsockopt(c, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
      } else {
        const char garbage[] = "\x01\x02 this is not HTTP\r\n\r\n";
        (void)!::send(c, garbage, sizeof(garbage) - 1, MSG_NOSIGNAL);
      }
      ::close(c);
    }
  }
  bool reset_;
  int fd_;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::thread thread_;
};

// A 127.0.0.1 port nothing listens on (bound, then released).
inline int closed_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a));
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

}  // namespace httptest
