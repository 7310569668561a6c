#include "connectors/http/http_client.h"

#include <strings.h>

#include <algorithm>
#include <charconv>
#include <ctime>
#include <mutex>
#include <stdexcept>

#include <fmt/format.h>

#include "plugin/connect_error.h"

namespace connectrun::http {

namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

struct Exchange {
  HttpResponse* response;
  long long now_epoch_s;
};

size_t on_body(char* data, size_t size, size_t n, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  const size_t len = size * n;
  std::string& body = ex->response->body;
  if (body.size() < HttpResponse::kMaxBody)
    body.append(data, std::min(len, HttpResponse::kMaxBody - body.size()));
  return len;  // the rest is read and dropped, keeping the connection usable
}

size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* ex = static_cast<Exchange*>(user);
  const size_t len = size * n;
  std::string_view line(data, len);
  constexpr std::string_view name = "retry-after:";
  if (line.size() > name.size() && strncasecmp(line.data(), name.data(), name.size()) == 0)
    ex->response->retry_after = parse_retry_after(trim(line.substr(name.size())), ex->now_epoch_s);
  // A new status line (a redirect or 100 Continue before the answer) resets what was read.
  if (line.rfind("HTTP/", 0) == 0) ex->response->retry_after.reset();
  return len;
}

template <class T>
void set(CURL* c, CURLoption opt, T value) {
  if (CURLcode rc = curl_easy_setopt(c, opt, value); rc != CURLE_OK)
    throw ConnectError(fmt::format("libcurl refused option {}: {}", static_cast<int>(opt), curl_easy_strerror(rc)));
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value, long long now_epoch_s) {
  value = trim(value);
  if (value.empty()) return std::nullopt;
  long long seconds = 0;
  auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (ec == std::errc() && end == value.data() + value.size())
    return seconds < 0 ? std::nullopt : std::optional(std::chrono::milliseconds(seconds * 1000));
  const std::string text(value);
  const time_t when = curl_getdate(text.c_str(), nullptr);
  if (when < 0) return std::nullopt;
  return std::chrono::milliseconds(std::max<long long>(0, static_cast<long long>(when) - now_epoch_s) * 1000);
}

HttpClient::HttpClient(ClientOptions options) : options_(std::move(options)) {
  curl_global_init_once();
  easy_.reset(curl_easy_init());
  if (!easy_) throw ConnectError("libcurl could not create a handle (out of memory?)");
  CURL* c = easy_.get();
  set(c, CURLOPT_ERRORBUFFER, error_buf_);
  set(c, CURLOPT_NOSIGNAL, 1L);  // no SIGALRM from timeouts in a multi-threaded process
  set(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout.count()));
  set(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(std::min<long long>(options_.timeout.count(), 10000)));
  // HTTP/2 where TLS negotiates it (ALPN), HTTP/1.1 with keep-alive otherwise.
  set(c, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
  set(c, CURLOPT_TCP_KEEPALIVE, 1L);
  set(c, CURLOPT_FOLLOWLOCATION, 0L);  // a redirect is an answer like any other 3xx
  // Only the configured proxy: Aiven's connector (Java's HttpClient) ignores http_proxy too.
  set(c, CURLOPT_PROXY, options_.proxy.c_str());
  set(c, CURLOPT_SSL_VERIFYPEER, options_.tls.verify ? 1L : 0L);
  set(c, CURLOPT_SSL_VERIFYHOST, options_.tls.verify ? 2L : 0L);
  if (!options_.tls.ca_file.empty()) set(c, CURLOPT_CAINFO, options_.tls.ca_file.c_str());
  if (!options_.tls.cert_file.empty()) {
    set(c, CURLOPT_SSLCERT, options_.tls.cert_file.c_str());
    set(c, CURLOPT_SSLCERTTYPE, "PEM");
  }
  if (!options_.tls.key_file.empty()) set(c, CURLOPT_SSLKEY, options_.tls.key_file.c_str());
  if (!options_.tls.key_password.empty()) set(c, CURLOPT_KEYPASSWD, options_.tls.key_password.c_str());
  set(c, CURLOPT_WRITEFUNCTION, on_body);
  set(c, CURLOPT_HEADERFUNCTION, on_header);
  set(c, CURLOPT_POST, 1L);
}

HttpResponse HttpClient::post(const std::string& url, const curl_slist* headers, std::string_view body) {
  HttpResponse out;
  Exchange ex{&out, static_cast<long long>(std::time(nullptr))};
  CURL* c = easy_.get();
  error_buf_[0] = '\0';
  set(c, CURLOPT_URL, url.c_str());
  set(c, CURLOPT_HTTPHEADER, headers);
  set(c, CURLOPT_POSTFIELDS, body.data());
  set(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  set(c, CURLOPT_WRITEDATA, &ex);
  set(c, CURLOPT_HEADERDATA, &ex);
  out.curl_code = curl_easy_perform(c);
  if (out.curl_code != CURLE_OK) {
    out.error = error_buf_[0] ? std::string(error_buf_) : std::string(curl_easy_strerror(out.curl_code));
    out.status = 0;
    return out;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out.status);
  return out;
}

}  // namespace connectrun::http
