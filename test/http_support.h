// Helpers for the REST tests: a connectrun process with a REST listener on an
// ephemeral port, read from its log, and an HTTP client (cpp-httplib) for it.
#pragma once

#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <simdjson.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <optional>
#include <regex>
#include <string>

#include "support.h"

namespace testsupport {

// The port of "REST listening on http://127.0.0.1:PORT" in the log, once there.
inline std::optional<int> rest_port(const std::string& log_path) {
  std::smatch m;
  std::string log = read_file(log_path);
  static const std::regex re(R"(REST listening on http://127\.0\.0\.1:(\d+))");
  if (!std::regex_search(log, m, re)) return std::nullopt;
  return std::stoi(m[1]);
}

struct HttpReply {
  int status = -1;  // -1: no reply
  std::string body;
  std::string content_type;
  httplib::Headers headers;  // every response header
  std::string header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
  }
};

class RestClient {
 public:
  explicit RestClient(int port) : client_("127.0.0.1", port) { client_.set_read_timeout(30, 0); }
  HttpReply get(const std::string& path) { return wrap(client_.Get(path.c_str())); }
  HttpReply put(const std::string& path) { return wrap(client_.Put(path.c_str())); }
  HttpReply post(const std::string& path) { return wrap(client_.Post(path.c_str())); }
  HttpReply del(const std::string& path) { return wrap(client_.Delete(path.c_str())); }
  // With a JSON body.
  HttpReply put(const std::string& path, const std::string& json) {
    return wrap(client_.Put(path.c_str(), json, "application/json"));
  }
  HttpReply post(const std::string& path, const std::string& json) {
    return wrap(client_.Post(path.c_str(), json, "application/json"));
  }
  // Sent with every request from now on (e.g. Authorization).
  void set_headers(httplib::Headers headers) { client_.set_default_headers(std::move(headers)); }

 private:
  static HttpReply wrap(const httplib::Result& r) {
    HttpReply out;
    if (!r) return out;
    out.status = r->status;
    out.body = r->body;
    out.content_type = r->get_header_value("Content-Type");
    out.headers = r->headers;
    return out;
  }
  httplib::Client client_;
};

// A parsed JSON document that owns its parser (dom elements point into it).
struct Json {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  explicit Json(const std::string& text) { root = parser.parse(text).value(); }
};

// A running job (DIR/job.yaml, logging to DIR/log.txt) with its REST client.
struct RestJob {
  const TempDir& dir;
  Process process;
  int port = 0;
  explicit RestJob(const TempDir& d) : dir(d), process({"run", d / "job.yaml"}, d / "log.txt") {
    REQUIRE(eventually([&] { return rest_port(dir / "log.txt").has_value(); }));
    port = *rest_port(dir / "log.txt");
  }
  RestClient client() const { return RestClient(port); }
  std::string state(const std::string& name) {
    auto r = client().get("/connectors/" + name + "/status");
    if (r.status != 200) return "HTTP " + std::to_string(r.status);
    Json j(r.body);
    return std::string(j.root["connector"]["state"].get_string().value());
  }
};

// A running `connectrun run ARGS…` logging to LOG, with its REST client.
struct RestRun {
  Process process;
  int port = 0;
  RestRun(const std::vector<std::string>& args, const std::string& log) : process(args, log) {
    REQUIRE(eventually([&] { return rest_port(log).has_value(); }));
    port = *rest_port(log);
  }
  RestClient client() const { return RestClient(port); }
  void stop() {
    process.signal(SIGTERM);
    CHECK(process.wait(std::chrono::seconds(30)) == 0);
  }
};

// A TCP connection to the listener at 127.0.0.1:PORT made by hand, for what
// httplib's client cannot do: send any bytes (a bad Content-Length, a request
// line one byte at a time) and come from another loopback address (`source`).
class RawConnection {
 public:
  explicit RawConnection(int port, const std::string& source = "127.0.0.1") : fd_(socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in from{};
    from.sin_family = AF_INET;
    inet_pton(AF_INET, source.c_str(), &from.sin_addr);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(static_cast<uint16_t>(port));
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    connected_ = fd_ >= 0 && bind(fd_, reinterpret_cast<sockaddr*>(&from), sizeof(from)) == 0 &&
                 connect(fd_, reinterpret_cast<sockaddr*>(&to), sizeof(to)) == 0;
  }
  ~RawConnection() {
    if (fd_ >= 0) close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;
  bool connected() const { return connected_; }

  // False once the server has closed the connection.
  bool send(std::string_view data) {
    return ::send(fd_, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size());
  }

  // Appends what arrives within `timeout` (0: what is there) to received();
  // true when the server has closed the connection.
  bool read_until_closed(std::chrono::milliseconds timeout) {
    auto end = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - std::chrono::steady_clock::now());
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(std::max<long>(left.count(), 0))) <= 0) return false;
      char buf[4096];
      ssize_t n = recv(fd_, buf, sizeof(buf), 0);
      if (n <= 0) return true;
      received_.append(buf, static_cast<size_t>(n));
    }
  }
  const std::string& received() const { return received_; }

  // The status and body of the answer received (status -1: none).
  HttpReply reply() const {
    HttpReply out;
    if (received_.rfind("HTTP/1.1 ", 0) != 0) return out;
    out.status = std::stoi(received_.substr(9, 3));
    auto body = received_.find("\r\n\r\n");
    if (body != std::string::npos) out.body = received_.substr(body + 4);
    return out;
  }

 private:
  int fd_;
  bool connected_ = false;
  std::string received_;
};

// Sends `request` as it is on a new connection and returns the answer (the
// server closes the connection after it: send "Connection: close").
inline HttpReply raw_request(int port, const std::string& request) {
  RawConnection c(port);
  if (!c.connected() || !c.send(request)) return {};
  c.read_until_closed(std::chrono::seconds(10));
  return c.reply();
}

}  // namespace testsupport
