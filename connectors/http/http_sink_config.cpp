#include "connectors/http/http_sink_config.h"

#include <strings.h>

#include <algorithm>
#include <cctype>
#include <set>

#include <fmt/format.h>

namespace connectrun::http {

namespace {

using config::ConfigError;
using config::ConfigValue;
using config::KeyType;
namespace validators = config::validators;

const ConfigValue kNull{std::monostate{}};
ConfigValue str(std::string s) { return ConfigValue{std::move(s)}; }

// Aiven keys connectrun does not implement: declared so that a .properties
// file naming them is refused with a reason, not an "unknown key".
struct Refused {
  const char* name;
  KeyType type;
  const char* why;
};
constexpr Refused kRefused[] = {
    {"kafka.retry.backoff.ms", KeyType::Long,
     "Kafka Connect's retry of a failed batch: use errors.retry.timeout and errors.retry.delay.max.ms"},
    {"max.outstanding.records", KeyType::Int,
     "the sink sends from the task's own thread; the engine's batches bound what is kept in memory"},
    {"http.ssl.truststore.location", KeyType::String, "Java key stores: use http.ssl.ca.file (PEM)"},
    {"http.ssl.truststore.password", KeyType::Password, "Java key stores: use http.ssl.ca.file (PEM)"},
};

bool is_http_url(const std::string& s) {
  auto starts = [&](const char* p) { return strncasecmp(s.c_str(), p, strlen(p)) == 0; };
  return (starts("http://") && s.size() > 7) || (starts("https://") && s.size() > 8);
}

std::string trimmed(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

bool has_control(const std::string& s) {
  return std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

}  // namespace

void define_http_sink_keys(config::ConfigSpec& spec) {
  spec.define({.name = "http.url", .type = KeyType::String, .default_value = std::nullopt,
               .doc = "The URL to send data to (http:// or https://). Every request is a POST to it."});
  spec.define({.name = "http.authorization.type", .type = KeyType::String, .default_value = std::nullopt,
               .doc = "The HTTP authorization type: none, static (http.headers.authorization) or oauth2 (client "
                      "credentials grant, oauth2.*). Required, as in Aiven's connector.",
               .validator = validators::one_of({"none", "static", "oauth2"})});
  spec.define({.name = "http.headers.authorization", .type = KeyType::Password, .default_value = kNull,
               .doc = "The static content of the Authorization header. Must be set with http.authorization.type "
                      "static, and only then."});
  spec.define({.name = "http.headers.content.type", .type = KeyType::String, .default_value = kNull,
               .doc = "The value of Content-Type sent with each request. Null: no Content-Type header."});
  spec.define({.name = "http.headers.additional", .type = KeyType::List,
               .default_value = ConfigValue{std::vector<std::string>{}},
               .doc = "Additional headers, as header:value separated by commas; headers are case-insensitive and "
                      "may not repeat."});
  spec.define({.name = "http.timeout", .type = KeyType::Int, .default_value = ConfigValue{int64_t{30}},
               .doc = "HTTP response timeout in seconds: a request (connecting included) that takes longer fails "
                      "and is retried.",
               .validator = validators::at_least(1)});
  spec.define({.name = "oauth2.access.token.url", .type = KeyType::String, .default_value = kNull,
               .doc = "The URL an access token is fetched from (client credentials grant). Required with "
                      "http.authorization.type oauth2."});
  spec.define({.name = "oauth2.client.id", .type = KeyType::String, .default_value = kNull,
               .doc = "The client id used for fetching an access token."});
  spec.define({.name = "oauth2.client.secret", .type = KeyType::Password, .default_value = kNull,
               .doc = "The secret used for fetching an access token."});
  spec.define({.name = "oauth2.client.authorization.mode", .type = KeyType::String, .default_value = str("HEADER"),
               .doc = "How client_id and client_secret go to the token URL: HEADER (Authorization: Basic "
                      "base64(id:secret)) or URL (form parameters in the body).",
               .validator = validators::one_of({"HEADER", "URL"})});
  spec.define({.name = "oauth2.client.scope", .type = KeyType::String, .default_value = kNull,
               .doc = "The scope sent when fetching an access token; null: none."});
  spec.define({.name = "oauth2.response.token.property", .type = KeyType::String,
               .default_value = str("access_token"),
               .doc = "The JSON property of the token response holding the access token."});
  spec.define({.name = "batching.enabled", .type = KeyType::Boolean, .default_value = ConfigValue{false},
               .doc = "Send several records in one request: batch.prefix, the values joined by batch.separator, "
                      "batch.suffix. Off: one request per record, its body the value alone."});
  spec.define({.name = "batch.max.size", .type = KeyType::Int, .default_value = ConfigValue{int64_t{500}},
               .doc = "The most records in one request.", .validator = validators::between(1, 1000000)});
  spec.define({.name = "batch.max.bytes", .type = KeyType::Long, .default_value = ConfigValue{int64_t{0}},
               .doc = "connectrun: the most bytes of record values in one request (a larger value goes alone); "
                      "0: no limit.",
               .validator = validators::at_least(0)});
  spec.define({.name = "batch.linger.ms", .type = KeyType::Long, .default_value = ConfigValue{int64_t{0}},
               .doc = "connectrun: how long a batch that is not full waits for more records; 0: it is sent as "
                      "soon as the engine commits.",
               .validator = validators::at_least(0)});
  spec.define({.name = "batch.prefix", .type = KeyType::String, .default_value = str(""),
               .doc = "Written once before the first record of a batch."});
  // Null defaults standing for "\n", as in Aiven's ConfigDef (a newline would not survive Kafka's trimming).
  spec.define({.name = "batch.suffix", .type = KeyType::String, .default_value = kNull,
               .doc = "Written once after the last record of a batch; null: a newline."});
  spec.define({.name = "batch.separator", .type = KeyType::String, .default_value = kNull,
               .doc = "Written between the records of a batch; null: a newline."});
  spec.define({.name = "max.retries", .type = KeyType::Int, .default_value = ConfigValue{int64_t{1}},
               .doc = "How many times a request is retried after a connection error, a timeout, 429 or 5xx "
                      "before the batch fails (and the engine's errors.retry.timeout takes over).",
               .validator = validators::at_least(0)});
  spec.define({.name = "retry.backoff.ms", .type = KeyType::Int, .default_value = ConfigValue{int64_t{3000}},
               .doc = "The first retry's backoff cap in ms, doubled for each further retry (full jitter, capped "
                      "by errors.retry.delay.max.ms); a Retry-After header is honoured instead.",
               .validator = validators::at_least(0)});
  spec.define({.name = "http.proxy.host", .type = KeyType::String, .default_value = kNull,
               .doc = "An HTTP proxy's host; null: no proxy (http_proxy in the environment is not used)."});
  spec.define({.name = "http.proxy.port", .type = KeyType::Int, .default_value = ConfigValue{int64_t{-1}},
               .doc = "The proxy's port; required with http.proxy.host.",
               .validator = validators::between(-1, 65535)});
  spec.define({.name = "http.ssl.trust.all.certs", .type = KeyType::Boolean, .default_value = ConfigValue{false},
               .doc = "Skip the verification of the server's certificate and host name (testing only). The "
                      "verification is on by default."});
  spec.define({.name = "http.ssl.ca.file", .type = KeyType::String, .default_value = kNull,
               .doc = "connectrun: CA certificates (PEM) to verify the server with; null: the system's.",
               .file_use = config::FileUse::Reads});
  spec.define({.name = "http.ssl.client.cert.file", .type = KeyType::String, .default_value = kNull,
               .doc = "connectrun: a client certificate (PEM) for mutual TLS.", .file_use = config::FileUse::Reads});
  spec.define({.name = "http.ssl.client.key.file", .type = KeyType::String, .default_value = kNull,
               .doc = "connectrun: the client certificate's private key (PEM); null: in the certificate file.",
               .file_use = config::FileUse::Reads});
  spec.define({.name = "http.ssl.client.key.password", .type = KeyType::Password, .default_value = kNull,
               .doc = "connectrun: the passphrase of the client key, when it has one."});
  for (auto& r : kRefused)
    spec.define({.name = r.name, .type = r.type, .default_value = kNull,
                 .doc = fmt::format("Aiven's key, not supported by connectrun ({}); refused when set.", r.why)});
}

HttpSinkConfig HttpSinkConfig::from(const config::ConfigValues& cfg) {
  for (auto& r : kRefused)
    if (cfg.was_set(r.name) && !cfg.is_null(r.name))
      throw ConfigError(r.name, fmt::format("not supported by connectrun: {} ({})", r.name, r.why));
  HttpSinkConfig c;
  c.url = cfg.get_string("http.url");
  if (!is_http_url(c.url))
    throw ConfigError("http.url", fmt::format("'{}' is not an http:// or https:// URL", c.url));
  std::string type = cfg.get_string("http.authorization.type");
  std::transform(type.begin(), type.end(), type.begin(), [](unsigned char ch) { return std::tolower(ch); });
  c.auth = type == "static" ? AuthorizationType::Static
           : type == "oauth2" ? AuthorizationType::OAuth2 : AuthorizationType::None;
  c.static_authorization = trimmed(cfg.get_string("http.headers.authorization"));
  if (c.auth == AuthorizationType::Static && c.static_authorization.empty())
    throw ConfigError("http.headers.authorization", "must be set when http.authorization.type = static");
  if (c.auth != AuthorizationType::Static && !c.static_authorization.empty())
    throw ConfigError("http.headers.authorization",
                      "must not be set unless http.authorization.type = static (it is " + type + ")");
  if (has_control(c.static_authorization))
    throw ConfigError("http.headers.authorization", "contains a control character (a line break?)");
  if (!cfg.is_null("http.headers.content.type")) {
    c.content_type = trimmed(cfg.get_string("http.headers.content.type"));
    if (c.content_type.empty()) throw ConfigError("http.headers.content.type", "must not be blank (or leave it unset)");
    if (has_control(c.content_type)) throw ConfigError("http.headers.content.type", "contains a control character");
  }
  std::set<std::string> seen;
  for (auto& entry : cfg.get_list("http.headers.additional")) {
    const auto colon = entry.find(':');
    std::string name = colon == std::string::npos ? std::string() : trimmed(entry.substr(0, colon));
    if (name.empty() || has_control(entry) || name.find(' ') != std::string::npos)
      throw ConfigError("http.headers.additional",
                        fmt::format("'{}' is not header:value (a header name, a colon, its value)", entry));
    std::string lower = name;
    std::transform(lower.begin(), lower.end(), lower.begin(), [](unsigned char ch) { return std::tolower(ch); });
    if (!seen.insert(lower).second)
      throw ConfigError("http.headers.additional", fmt::format("header '{}' is given twice", name));
    c.additional_headers.emplace_back(std::move(name), trimmed(entry.substr(colon + 1)));
  }
  if (c.auth == AuthorizationType::OAuth2) {
    c.oauth2.token_url = cfg.get_string("oauth2.access.token.url");
    c.oauth2.client_id = cfg.get_string("oauth2.client.id");
    c.oauth2.client_secret = cfg.get_string("oauth2.client.secret");
    if (c.oauth2.token_url.empty())
      throw ConfigError("oauth2.access.token.url", "must be set when http.authorization.type = oauth2");
    if (!is_http_url(c.oauth2.token_url))
      throw ConfigError("oauth2.access.token.url",
                        fmt::format("'{}' is not an http:// or https:// URL", c.oauth2.token_url));
    if (c.oauth2.client_id.empty())
      throw ConfigError("oauth2.client.id", "must be set when http.authorization.type = oauth2");
    if (c.oauth2.client_secret.empty())
      throw ConfigError("oauth2.client.secret", "must be set when http.authorization.type = oauth2");
    c.oauth2.credentials_in_header = strcasecmp(cfg.get_string("oauth2.client.authorization.mode").c_str(), "URL") != 0;
    c.oauth2.scope = cfg.get_string("oauth2.client.scope");
    c.oauth2.token_property = cfg.get_string("oauth2.response.token.property");
    if (c.oauth2.token_property.empty())
      throw ConfigError("oauth2.response.token.property", "must not be empty");
  }
  c.batching = cfg.get_bool("batching.enabled");
  c.batch_max_size = static_cast<size_t>(cfg.get_long("batch.max.size"));
  c.batch_max_bytes = static_cast<size_t>(cfg.get_long("batch.max.bytes"));
  c.batch_linger = std::chrono::milliseconds(cfg.get_long("batch.linger.ms"));
  c.batch_prefix = cfg.get_string("batch.prefix");
  if (!cfg.is_null("batch.suffix")) c.batch_suffix = cfg.get_string("batch.suffix");
  if (!cfg.is_null("batch.separator")) c.batch_separator = cfg.get_string("batch.separator");
  c.max_retries = cfg.get_int("max.retries");
  c.retry_backoff = std::chrono::milliseconds(cfg.get_long("retry.backoff.ms"));
  c.client.timeout = std::chrono::seconds(cfg.get_long("http.timeout"));
  if (!cfg.is_null("http.proxy.host") && !cfg.get_string("http.proxy.host").empty()) {
    const auto port = cfg.get_long("http.proxy.port");
    if (port <= 0) throw ConfigError("http.proxy.port", "must be set (1-65535) when http.proxy.host is");
    c.client.proxy = fmt::format("http://{}:{}", cfg.get_string("http.proxy.host"), port);
  } else if (cfg.was_set("http.proxy.port") && cfg.get_long("http.proxy.port") != -1) {
    throw ConfigError("http.proxy.port", "is set but http.proxy.host is not");
  }
  c.client.tls.verify = !cfg.get_bool("http.ssl.trust.all.certs");
  c.client.tls.ca_file = cfg.get_string("http.ssl.ca.file");
  c.client.tls.cert_file = cfg.get_string("http.ssl.client.cert.file");
  c.client.tls.key_file = cfg.get_string("http.ssl.client.key.file");
  c.client.tls.key_password = cfg.get_string("http.ssl.client.key.password");
  if (c.client.tls.cert_file.empty() && !c.client.tls.key_file.empty())
    throw ConfigError("http.ssl.client.key.file", "is set but http.ssl.client.cert.file is not");
  return c;
}

}  // namespace connectrun::http
