#include "connectors/http/http_sender.h"

#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "json/base64.h"
#include "json/json_reader.h"

namespace connectrun::http {

namespace {

// application/x-www-form-urlencoded, as Java's URLEncoder (Aiven's token request).
std::string form_encode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '.' || c == '-' || c == '*' || c == '_') out += static_cast<char>(c);
    else if (c == ' ') out += '+';
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

// Failures no retry can fix: a bad URL, a certificate problem. (Not
// CURLE_UNSUPPORTED_PROTOCOL: the URL's scheme is checked by configure, so at
// run time it means an answer that is not HTTP, which a retry may cure.)
bool permanent_curl_error(CURLcode c) {
  switch (c) {
    case CURLE_URL_MALFORMAT:
    case CURLE_NOT_BUILT_IN:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ISSUER_ERROR:
      return true;
    default:
      return false;
  }
}

bool transient(const HttpResponse& r) {
  if (r.status == 0) return !permanent_curl_error(r.curl_code);
  return r.status == 408 || r.status == 429 || r.status >= 500;
}

std::string body_start(const std::string& body) {
  constexpr size_t kShown = 300;
  std::string out = body.substr(0, kShown);
  for (char& c : out)
    if (c == '\n' || c == '\r') c = ' ';
  if (body.size() > kShown) out += "…";
  return out;
}

}  // namespace

std::string token_request_body(const OAuth2Config& c) {
  std::string body = "grant_type=client_credentials";
  if (!c.scope.empty()) body += "&scope=" + form_encode(c.scope);
  if (!c.credentials_in_header)
    body += "&client_id=" + form_encode(c.client_id) + "&client_secret=" + form_encode(c.client_secret);
  return body;
}

HttpSender::HttpSender(const HttpSinkConfig& config, const TaskContext& ctx)
    : config_(config), ctx_(ctx), client_(config.client) {
  // An empty "Content-Type:" keeps libcurl from adding its form type; an
  // empty "Expect:" from waiting for 100-continue before large bodies.
  base_headers_.push_back(config_.content_type.empty() ? "Content-Type:" : "Content-Type: " + config_.content_type);
  base_headers_.push_back("Expect:");
  for (auto& [name, value] : config_.additional_headers) base_headers_.push_back(name + ": " + value);
  if (config_.auth == AuthorizationType::Static) authorization_ = config_.static_authorization;
  rebuild_headers();
}

void HttpSender::rebuild_headers() {
  std::vector<std::string> lines = base_headers_;
  if (!authorization_.empty()) lines.push_back("Authorization: " + authorization_);
  headers_ = make_curl_headers(lines);
}

std::string HttpSender::describe(const HttpResponse& r, const std::string& url) const {
  if (r.status == 0) return fmt::format("POST {} failed: {}", url, r.error);
  return fmt::format("POST {} answered HTTP {}: {}", url, r.status, body_start(r.body));
}

bool HttpSender::wait(std::chrono::milliseconds d) { return RetryClock::real().sleep(d, ctx_.stopping); }

void HttpSender::ensure_token() {
  if (config_.auth != AuthorizationType::OAuth2 || token_valid_) return;
  const auto& o = config_.oauth2;
  std::vector<std::string> lines{"Content-Type: application/x-www-form-urlencoded", "Expect:"};
  if (o.credentials_in_header)
    lines.push_back("Authorization: Basic " + base64::encode(o.client_id + ":" + o.client_secret));
  auto headers = make_curl_headers(lines);
  const std::string body = token_request_body(o);
  for (int attempt = 0;; ++attempt) {
    HttpResponse r = client_.post(o.token_url, headers.get(), body);
    if (!r.ok()) {
      const std::string what = "OAuth2 token request: " + describe(r, o.token_url);
      if (!transient(r)) throw ConnectError(what + " (check oauth2.client.id, oauth2.client.secret and oauth2.*)");
      if (attempt >= config_.max_retries) throw ConnectError(what, /*retriable=*/true);
      RetryPolicy p{.timeout = {}, .max_delay = ctx_.retry_policy.max_delay, .initial_delay = config_.retry_backoff};
      auto d = r.retry_after ? std::min(*r.retry_after, p.max_delay)
                             : retry_backoff(p, attempt + 1, std::uniform_real_distribution<double>()(rng_));
      ctx_.log->warn("{}; retrying in {} ms", what, d.count());
      if (!wait(d)) throw RetryStopped(what);
      continue;
    }
    Value doc;
    try {
      doc = parse_schemaless_json(r.body);
    } catch (const std::exception& e) {
      throw ConnectError(fmt::format("OAuth2 token response from {} is not JSON: {}", o.token_url, e.what()));
    }
    const std::string* token = nullptr;
    std::string type = "Bearer";
    if (auto* m = doc.get_if<MapEntries>())
      for (auto& [k, v] : *m) {
        auto* key = k.get_if<std::string>();
        if (!key) continue;
        if (*key == o.token_property) token = v.get_if<std::string>();
        if (*key == "token_type" && v.get_if<std::string>()) type = *v.get_if<std::string>();
      }
    if (!token || token->empty())
      throw ConnectError(fmt::format("OAuth2 token response from {} has no string property '{}' (set "
                                     "oauth2.response.token.property): {}",
                                     o.token_url, o.token_property, body_start(r.body)));
    authorization_ = type + " " + *token;
    token_valid_ = true;
    rebuild_headers();
    ctx_.log->info("fetched an OAuth2 access token from {}", o.token_url);
    return;
  }
}

std::optional<Rejection> HttpSender::send(std::string_view body) {
  bool renewed = false;
  for (int attempt = 0;;) {
    ensure_token();
    HttpResponse r = client_.post(config_.url, headers_.get(), body);
    if (r.ok()) return std::nullopt;
    if (r.status == 401 && config_.auth == AuthorizationType::OAuth2 && !renewed) {
      // The token expired (or was revoked): fetch a new one and try again at once, once.
      ctx_.log->info("{} answered 401: fetching a new OAuth2 access token", config_.url);
      token_valid_ = false;
      renewed = true;
      continue;
    }
    const std::string what = describe(r, config_.url);
    if (!transient(r)) {
      if (r.status == 0) throw ConnectError(what);
      return Rejection{r.status, r.body};
    }
    if (attempt >= config_.max_retries)
      throw ConnectError(fmt::format("{} (after {} retries; max.retries={})", what, attempt, config_.max_retries),
                         /*retriable=*/true);
    ++attempt;
    RetryPolicy p{.timeout = {}, .max_delay = ctx_.retry_policy.max_delay, .initial_delay = config_.retry_backoff};
    const auto d = r.retry_after ? std::min(*r.retry_after, p.max_delay)
                                 : retry_backoff(p, attempt, std::uniform_real_distribution<double>()(rng_));
    ctx_.log->warn("{}; retry {} of {} in {} ms{}", what, attempt, config_.max_retries, d.count(),
                   r.retry_after ? " (Retry-After)" : "");
    if (!wait(d)) throw RetryStopped(what);
  }
}

}  // namespace connectrun::http
