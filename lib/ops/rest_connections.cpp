#include "ops/rest_connections.h"

#include <arpa/inet.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <functional>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "ops/rest_json.h"

namespace connectrun::rest {

namespace {
using Clock = std::chrono::steady_clock;

// Set while the accepting thread runs a connection no worker could take: it is
// answered 503 at once instead of waiting behind slow ones.
thread_local bool t_overloaded = false;

// A pool that starts a thread when a connection arrives and none is idle, up to
// kMaxConnections. httplib's default pool has a fixed 8 threads, so 8 slow
// clients were enough to queue every other request (/health included) behind them.
class GrowingPool final : public httplib::TaskQueue {
 public:
  void enqueue(std::function<void()> fn) override {
    {
      std::lock_guard lock(mutex_);
      if (idle_ > 0 || threads_.size() < kMaxConnections) {
        // idle_ counts threads that are, or are about to be, waiting minus jobs queued.
        if (idle_ > 0) --idle_;
        else threads_.emplace_back([this] { work(); });
        jobs_.push_back(std::move(fn));
        cv_.notify_one();
        return;
      }
    }
    t_overloaded = true;
    fn();
    t_overloaded = false;
  }

  void shutdown() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) t.join();  // only the accepting thread enqueues, and it has stopped
  }

 private:
  void work() {
    std::unique_lock lock(mutex_);
    for (;;) {
      cv_.wait(lock, [this] { return !jobs_.empty() || stopping_; });
      if (jobs_.empty()) return;
      auto fn = std::move(jobs_.front());
      jobs_.pop_front();
      lock.unlock();
      fn();
      lock.lock();
      ++idle_;
    }
  }

  std::mutex mutex_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::vector<std::thread> threads_;
  size_t idle_ = 0;
  bool stopping_ = false;
};

std::string address_of(const sockaddr_storage& sa, int* port) {
  char text[INET6_ADDRSTRLEN] = "";
  if (sa.ss_family == AF_INET) {
    auto& in = reinterpret_cast<const sockaddr_in&>(sa);
    inet_ntop(AF_INET, &in.sin_addr, text, sizeof(text));
    if (port) *port = ntohs(in.sin_port);
  } else if (sa.ss_family == AF_INET6) {
    auto& in6 = reinterpret_cast<const sockaddr_in6&>(sa);
    inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof(text));
    if (port) *port = ntohs(in6.sin6_port);
  }
  return text;
}

std::string socket_address(int sock, bool peer, int* port = nullptr) {
  sockaddr_storage sa{};
  socklen_t len = sizeof(sa);
  int rc = peer ? getpeername(sock, reinterpret_cast<sockaddr*>(&sa), &len)
                : getsockname(sock, reinterpret_cast<sockaddr*>(&sa), &len);
  return rc == 0 ? address_of(sa, port) : std::string();
}

// A refusal written straight to the socket, without waiting: the connection is
// closed after it.
void send_refusal(int sock, int status, const char* reason, const std::string& message) {
  std::string body = error_json(status, message);
  std::string out = fmt::format("HTTP/1.1 {} {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n"
                                "Connection: close\r\n\r\n{}",
                                status, reason, body.size(), body);
  [[maybe_unused]] auto sent = send(sock, out.data(), out.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
}

// The accepted socket, closed in two steps (RFC 9112, 9.6): first our side
// (FIN after the answer), then, once the client has stopped sending (or after
// a second), the socket. Closing it while the client's bytes still arrive
// would make the kernel answer them with a reset, which can drop our answer
// before the client reads it. The accepting thread (503) does not wait.
class ConnectionSocket {
 public:
  ConnectionSocket(int fd, bool linger) : fd_(fd), linger_(linger) {}
  ~ConnectionSocket() {
    shutdown(fd_, SHUT_WR);
    auto until = Clock::now() + std::chrono::seconds(1);
    char scratch[4096];
    for (;;) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now()).count();
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, linger_ ? static_cast<int>(std::max<long>(left, 0)) : 0) <= 0) break;
      if (recv(fd_, scratch, sizeof(scratch), MSG_DONTWAIT) <= 0) break;
    }
    close(fd_);
  }
  ConnectionSocket(const ConnectionSocket&) = delete;
  ConnectionSocket& operator=(const ConnectionSocket&) = delete;

 private:
  int fd_;
  bool linger_;
};

// httplib's Stream over the socket, with a deadline for reading each request
// (httplib's own SocketStream has only a timeout per recv). Reads are buffered:
// httplib reads the request line and headers one byte at a time.
class RequestStream final : public httplib::Stream {
 public:
  RequestStream(int sock, std::chrono::milliseconds write_timeout, std::function<bool()> stopping)
      : sock_(sock), write_timeout_(write_timeout), stopping_(std::move(stopping)) {}

  // Waits up to `idle` for the first byte of the next request; false when none came.
  bool wait_for_request(std::chrono::milliseconds idle) { return off_ < len_ || wait(POLLIN, Clock::now() + idle); }
  void begin_request(Clock::time_point deadline) {
    deadline_ = deadline;
    timed_out_ = false;
  }
  bool timed_out() const { return timed_out_; }

  bool is_readable() const override { return off_ < len_ || wait_for_input(); }
  bool is_writable() const override { return !timed_out_ && wait(POLLOUT, Clock::now() + write_timeout_); }

  ssize_t read(char* ptr, size_t size) override {
    if (off_ == len_) {
      if (!wait_for_input()) return -1;
      ssize_t n = recv(sock_, buffer_, sizeof(buffer_), 0);
      if (n <= 0) return n;
      off_ = 0;
      len_ = static_cast<size_t>(n);
    }
    size_t n = std::min(size, len_ - off_);
    std::memcpy(ptr, buffer_ + off_, n);
    off_ += n;
    return static_cast<ssize_t>(n);
  }

  // After the deadline nothing of httplib's answer (a 400 for headers cut
  // short) is sent: the caller answers 408 instead.
  ssize_t write(const char* ptr, size_t size) override {
    if (!is_writable()) return -1;
    return send(sock_, ptr, size, MSG_NOSIGNAL);  // a client gone is an error here, never SIGPIPE
  }

  void get_remote_ip_and_port(std::string& ip, int& port) const override { ip = socket_address(sock_, true, &port); }
  void get_local_ip_and_port(std::string& ip, int& port) const override { ip = socket_address(sock_, false, &port); }
  socket_t socket() const override { return sock_; }

 private:
  bool wait_for_input() const {
    if (wait(POLLIN, deadline_)) return true;
    if (Clock::now() >= deadline_) timed_out_ = true;
    return false;
  }
  // poll() in short slices, so that a stopping server is not held up by a slow client.
  bool wait(short events, Clock::time_point until) const {
    for (;;) {
      if (stopping_()) return false;
      auto left = std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now()).count();
      if (left <= 0) return false;
      pollfd p{sock_, events, 0};
      int rc = poll(&p, 1, static_cast<int>(std::min<long>(left, 100)));
      if (rc > 0) return true;  // also on a hang-up or error: recv/send then says which
      if (rc < 0 && errno != EINTR) return false;
    }
  }

  int sock_;
  std::chrono::milliseconds write_timeout_;
  std::function<bool()> stopping_;
  Clock::time_point deadline_ = Clock::now();
  mutable bool timed_out_ = false;
  char buffer_[4096];
  size_t off_ = 0, len_ = 0;
};
}  // namespace

BoundedServer::BoundedServer() {
  new_task_queue = [] { return new GrowingPool(); };
}

void BoundedServer::widen_backlog() {
  if (svr_sock_ != INVALID_SOCKET) ::listen(svr_sock_, static_cast<int>(kMaxConnections));
}

bool BoundedServer::take_client_place(const std::string& address) {
  std::lock_guard lock(clients_mutex_);
  auto& count = clients_[address];
  if (count >= kMaxConnectionsPerClient) return false;
  ++count;
  return true;
}

void BoundedServer::release_client_place(const std::string& address) {
  std::lock_guard lock(clients_mutex_);
  if (auto it = clients_.find(address); it != clients_.end() && --it->second == 0) clients_.erase(it);
}

bool BoundedServer::process_and_close_socket(socket_t sock) {
  ConnectionSocket closer(sock, !t_overloaded);
  if (t_overloaded) {
    send_refusal(sock, 503, "Service Unavailable",
                 fmt::format("the REST interface is serving {} connections, its most; try again", kMaxConnections));
    return false;
  }
  std::string client = socket_address(sock, true);
  if (!take_client_place(client)) {
    send_refusal(sock, 429, "Too Many Requests",
                 fmt::format("{} holds {} connections, the most one client may; close some", client,
                             kMaxConnectionsPerClient));
    return false;
  }
  struct Place {
    BoundedServer& server;
    const std::string& client;
    ~Place() { server.release_client_place(client); }
  } place{*this, client};

  RequestStream stream(sock, std::chrono::seconds(write_timeout_sec_), [this] { return svr_sock_ == INVALID_SOCKET; });
  bool ok = true;
  for (size_t left = keep_alive_max_count_; ok && left > 0; --left) {
    if (!stream.wait_for_request(std::chrono::seconds(keep_alive_timeout_sec_))) break;
    stream.begin_request(Clock::now() + kRequestDeadline);
    bool closed = false, has_body = false;
    ok = process_request(stream, left == 1, closed, [&has_body](httplib::Request& req) {
      bool chunked = req.has_header("Transfer-Encoding"), sized = req.has_header("Content-Length");
      has_body = chunked || (sized && req.get_header_value("Content-Length") != "0");
      // Without either header a request has no body (RFC 9112 6.3); httplib
      // would read one up to the end of the connection.
      if (!chunked && !sized) req.set_header("Content-Length", "0");
      // A body the guard refused is left unread, so the connection cannot
      // carry another request: a request with a body is the connection's last.
      if (has_body) {
        req.headers.erase("Connection");
        req.set_header("Connection", "close");
      }
    });
    if (stream.timed_out()) {
      send_refusal(sock, 408, "Request Timeout",
                   fmt::format("the request did not arrive within {} s of its first byte", kRequestDeadline.count()));
      return false;
    }
    if (closed || has_body) break;
  }
  return ok;
}

}  // namespace connectrun::rest
