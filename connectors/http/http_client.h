// HttpClient: one libcurl easy handle kept for the life of a task, so
// connections are reused (HTTP/1.1 keep-alive, HTTP/2 where the server offers
// it over TLS). One attempt per call: retrying is the sender's business.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connectors/common/curl_handles.h"

namespace connectrun::http {

struct TlsOptions {
  std::string ca_file;           // empty: the system's CA bundle
  std::string cert_file;         // client certificate (PEM); empty: none
  std::string key_file;          // its private key (PEM); empty: in cert_file
  std::string key_password;
  bool verify = true;            // false only with http.ssl.trust.all.certs
};

struct ClientOptions {
  std::chrono::milliseconds timeout{30000};  // the whole request (http.timeout)
  std::string proxy;                          // "host:port"; empty: no proxy (environment ignored)
  TlsOptions tls;
};

struct HttpResponse {
  long status = 0;            // 0: no HTTP answer (see curl_code)
  CURLcode curl_code = CURLE_OK;
  std::string error;          // curl's message when there was no answer
  std::string body;           // the start of the answer's body (at most kMaxBody bytes)
  std::optional<std::chrono::milliseconds> retry_after;  // the Retry-After header, when given
  static constexpr size_t kMaxBody = 64 * 1024;
  bool ok() const { return status >= 200 && status < 300; }
};

// Parses a Retry-After value: delay-seconds or an HTTP date (RFC 9110 10.2.3),
// relative to `now` (seconds since the epoch); nullopt when it is neither.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value, long long now_epoch_s);

class HttpClient {
 public:
  explicit HttpClient(ClientOptions options);
  // Not copied or moved: libcurl keeps a pointer to error_buf_.
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  // POSTs `body` to `url` with `headers`. Never throws for network or HTTP
  // errors: they are in the response.
  HttpResponse post(const std::string& url, const curl_slist* headers, std::string_view body);

 private:
  ClientOptions options_;
  CurlEasy easy_;
  char error_buf_[CURL_ERROR_SIZE] = {};
};

}  // namespace connectrun::http
