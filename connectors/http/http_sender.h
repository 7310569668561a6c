// HttpSender: delivers one request body to http.url with the configured
// headers and authorization, retrying transient failures (connection errors,
// timeouts, 408, 429, 5xx) with exponential backoff and full jitter, or after
// the server's Retry-After. An OAuth2 token is fetched once, cached, and
// fetched again when the server answers 401.
#pragma once

#include <optional>
#include <random>
#include <string>
#include <string_view>

#include "connectors/http/http_client.h"
#include "connectors/http/http_sink_config.h"
#include "plugin/connector.h"

namespace connectrun::http {

// The server refused a request for good (a 4xx other than 408 and 429).
struct Rejection {
  long status = 0;
  std::string body;  // the start of the answer's body
};

class HttpSender {
 public:
  HttpSender(const HttpSinkConfig& config, const TaskContext& ctx);
  // Sends `body`: nullopt once a 2xx came back, the rejection for a 4xx.
  // Throws ConnectError(retriable) when max.retries retries of a transient
  // failure did not get through, ConnectError for what no retry can fix
  // (a certificate that does not verify, a token URL that refuses the
  // client), RetryStopped when the task is asked to stop while waiting.
  std::optional<Rejection> send(std::string_view body);

  // "POST URL answered HTTP 400: <start of the body>", for messages.
  std::string describe(const HttpResponse& r, const std::string& url) const;
  const std::string& url() const { return config_.url; }

 private:
  void ensure_token();
  void rebuild_headers();
  bool wait(std::chrono::milliseconds d);

  const HttpSinkConfig& config_;
  const TaskContext& ctx_;
  HttpClient client_;
  std::vector<std::string> base_headers_;
  CurlHeaders headers_;
  std::string authorization_;  // the Authorization header's value (static or "Bearer <token>")
  bool token_valid_ = false;
  std::mt19937_64 rng_{std::random_device{}()};
};

// For tests and the docs: the form body of a client-credentials token request.
std::string token_request_body(const OAuth2Config& c);

}  // namespace connectrun::http
