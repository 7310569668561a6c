// Helpers for the REST tests: a connectrun process with a REST listener on an
// ephemeral port, read from its log, and an HTTP client (cpp-httplib) for it.
#pragma once

#include <httplib.h>
#include <simdjson.h>

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
};

class RestClient {
 public:
  explicit RestClient(int port) : client_("127.0.0.1", port) { client_.set_read_timeout(30, 0); }
  HttpReply get(const std::string& path) { return wrap(client_.Get(path.c_str())); }
  HttpReply put(const std::string& path) { return wrap(client_.Put(path.c_str())); }
  HttpReply post(const std::string& path) { return wrap(client_.Post(path.c_str())); }
  HttpReply del(const std::string& path) { return wrap(client_.Delete(path.c_str())); }

 private:
  static HttpReply wrap(const httplib::Result& r) {
    HttpReply out;
    if (!r) return out;
    out.status = r->status;
    out.body = r->body;
    out.content_type = r->get_header_value("Content-Type");
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

}  // namespace testsupport
