// HttpSink's keys (Aiven's HttpSinkConfig, plus connectrun's batch.max.bytes,
// batch.linger.ms and TLS keys), declared once, and the typed configuration a
// task works from.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "config/spec.h"
#include "connectors/http/http_client.h"

namespace connectrun::http {

enum class AuthorizationType { None, Static, OAuth2 };

struct OAuth2Config {
  std::string token_url;
  std::string client_id;
  std::string client_secret;
  bool credentials_in_header = true;  // oauth2.client.authorization.mode HEADER (else URL)
  std::string scope;                  // empty: none sent
  std::string token_property = "access_token";
};

struct HttpSinkConfig {
  std::string url;
  AuthorizationType auth = AuthorizationType::None;
  std::string static_authorization;  // http.headers.authorization
  std::string content_type;          // empty: no Content-Type header
  std::vector<std::pair<std::string, std::string>> additional_headers;
  OAuth2Config oauth2;
  bool batching = false;
  size_t batch_max_size = 500;
  size_t batch_max_bytes = 0;  // 0: no limit
  std::chrono::milliseconds batch_linger{0};
  std::string batch_prefix, batch_suffix = "\n", batch_separator = "\n";
  int max_retries = 1;
  std::chrono::milliseconds retry_backoff{3000};
  ClientOptions client;

  // Throws config::ConfigError naming the key for what the spec cannot check.
  static HttpSinkConfig from(const config::ConfigValues& cfg);
};

void define_http_sink_keys(config::ConfigSpec& spec);

}  // namespace connectrun::http
