#include "connectors/avro/schema_registry.h"

#include <algorithm>
#include <thread>

#include <fmt/format.h>
#include <simdjson.h>

#include "json/json_writer.h"

namespace connectrun::avro {

namespace {

constexpr const char* kContentType = "Content-Type: application/vnd.schemaregistry.v1+json";
constexpr const char* kAccept = "Accept: application/vnd.schemaregistry.v1+json, application/json";

size_t collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// A subject in a URL path: every byte but unreserved ones percent-encoded.
std::string path_segment(const std::string& s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out.push_back(static_cast<char>(c));
    else out += fmt::format("%{:02X}", c);
  }
  return out;
}

std::string schema_body(const std::string& schema, const std::string& type) {
  std::string body = "{";
  if (type != "AVRO") {
    body += "\"schemaType\":";
    append_json_string(body, type);
    body.push_back(',');
  }
  body += "\"schema\":";
  append_json_string(body, schema);
  body.push_back('}');
  return body;
}

// A URL as messages show it: without the user info of basic.auth.credentials.source=URL.
std::string shown_url(const std::string& url) {
  auto scheme = url.find("://");
  size_t start = scheme == std::string::npos ? 0 : scheme + 3;
  auto at = url.find('@', start);
  auto slash = url.find('/', start);
  if (at == std::string::npos || (slash != std::string::npos && at > slash)) return url;
  return url.substr(0, start) + url.substr(at + 1);
}

std::string join_shown_urls(const std::vector<std::string>& urls) {
  std::string out;
  for (auto& u : urls) out += (out.empty() ? "" : ", ") + shown_url(u);
  return out;
}

// Statuses worth asking again (as Confluent's RestService retries them).
bool retriable(long status) { return status == 408 || status == 429 || status == 502 || status == 503 || status == 504; }

struct Parsed {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  bool ok = false;
  explicit Parsed(const std::string& body) { ok = !parser.parse(body).get(root); }
  int64_t integer(std::string_view key) {
    int64_t v = 0;
    if (!ok || root[key].get_int64().get(v)) return 0;
    return v;
  }
  std::string string(std::string_view key, std::string_view absent = {}) {
    std::string_view v;
    if (!ok || root[key].get_string().get(v)) return std::string(absent);
    return std::string(v);
  }
};

}  // namespace

void append_wire_header(std::string& out, int32_t id) {
  out.push_back(0);
  auto uid = static_cast<uint32_t>(id);
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((uid >> shift) & 0xFF));
}

std::optional<int32_t> wire_schema_id(std::string_view bytes) {
  if (bytes.size() < kWireHeaderSize || bytes[0] != 0) return std::nullopt;
  uint32_t uid = 0;
  for (size_t i = 1; i < kWireHeaderSize; ++i) uid = (uid << 8) | static_cast<unsigned char>(bytes[i]);
  return static_cast<int32_t>(uid);
}

SchemaRegistryClient::SchemaRegistryClient(RegistryOptions options) : options_(std::move(options)) {
  curl_global_init_once();
  easy_.reset(curl_easy_init());
  if (!easy_) throw std::bad_alloc();
  if (options_.urls.empty()) throw std::invalid_argument("schema.registry.url is empty");
  for (auto& u : options_.urls)
    while (!u.empty() && u.back() == '/') u.pop_back();
}

SchemaRegistryClient::Response SchemaRegistryClient::attempt(const std::string& url, const std::string& method,
                                                             const std::string& body, std::string& error) {
  CURL* c = easy_.get();
  curl_easy_reset(c);
  Response r;
  char errbuf[CURL_ERROR_SIZE] = {};
  CurlHeaders headers = make_curl_headers({kContentType, kAccept});
  if (!options_.bearer_token.empty()) headers = make_curl_headers({kContentType, kAccept, "Authorization: Bearer " + options_.bearer_token});
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &r.body);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.connect_timeout.count() + options_.read_timeout.count()));
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  if (!options_.user_info.empty()) {
    curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(c, CURLOPT_USERPWD, options_.user_info.c_str());
  }
  if (!options_.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, options_.ca_file.c_str());
  if (!options_.cert_file.empty()) {
    curl_easy_setopt(c, CURLOPT_SSLCERT, options_.cert_file.c_str());
    curl_easy_setopt(c, CURLOPT_SSLKEY, options_.cert_file.c_str());
    if (!options_.key_password.empty()) curl_easy_setopt(c, CURLOPT_KEYPASSWD, options_.key_password.c_str());
  }
  if (method == "POST") {
    curl_easy_setopt(c, CURLOPT_POST, 1L);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  ++requests_;
  CURLcode code = curl_easy_perform(c);
  if (code != CURLE_OK) {
    error = errbuf[0] ? errbuf : curl_easy_strerror(code);
    if (code == CURLE_PEER_FAILED_VERIFICATION || code == CURLE_SSL_CACERT_BADFILE || code == CURLE_SSL_CONNECT_ERROR)
      error += "; an https registry whose certificate is not signed by a CA the system trusts needs "
               "schema.registry.ssl.truststore.location (PEM) and schema.registry.ssl.truststore.type=PEM";
    return Response{};
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
  return r;
}

SchemaRegistryClient::Response SchemaRegistryClient::send(const std::string& method, const std::string& path,
                                                          const std::string& body) {
  std::string error;
  std::chrono::milliseconds wait = options_.retry_wait;
  for (int round = 0;; ++round) {
    Response last;
    for (auto& base : options_.urls) {
      last = attempt(base + path, method, body, error);
      if (last.status != 0 && !retriable(last.status)) return last;
      if (last.status != 0) error = fmt::format("HTTP {}", last.status);
    }
    if (round >= options_.max_retries) break;
    std::this_thread::sleep_for(wait);
    wait = std::min(wait * 2, options_.retry_max_wait);
  }
  std::string urls = join_shown_urls(options_.urls);
  throw RegistryError(fmt::format("Schema Registry at {} could not be reached after {} attempts ({}): check "
                                  "schema.registry.url and that the registry is running",
                                  urls, options_.max_retries + 1, error),
                      0, 0);
}

void SchemaRegistryClient::fail(const Response& r, const std::string& what, const std::string& subject) {
  Parsed p(r.body);
  int code = static_cast<int>(p.integer("error_code"));
  std::string message = p.string("message");
  if (message.empty()) message = r.body.substr(0, 300);
  std::string urls = join_shown_urls(options_.urls);
  std::string text;
  if (r.status == 401)
    text = fmt::format("Schema Registry at {} refused the request to {} (401 Unauthorized): set "
                       "basic.auth.credentials.source=USER_INFO and basic.auth.user.info=USER:PASSWORD (or "
                       "bearer.auth.token) to credentials the registry accepts",
                       urls, what);
  else if (r.status == 403)
    text = fmt::format("Schema Registry at {} forbids the request to {} (403 Forbidden): the credentials are valid "
                       "but lack the permission; grant them access to subject \"{}\"",
                       urls, what, subject);
  else if (code == 40901 || r.status == 409)
    text = fmt::format("Schema being registered is incompatible with an earlier schema for subject \"{}\" ({}): {}; "
                       "make the change compatible with the subject's compatibility level (fields added or removed "
                       "need defaults under BACKWARD), or change that level",
                       subject, code ? code : 409, message);
  else if (code == 42201 || (r.status == 422 && code / 100 == 422))
    text = fmt::format("Schema Registry at {} rejected the schema for subject \"{}\" as invalid ({}): {}", urls,
                       subject, code, message);
  else
    text = fmt::format("Schema Registry at {} answered {} to {} (HTTP {}, error code {}): {}", urls,
                       r.status, what, r.status, code, message);
  throw RegistryError(text, r.status, code);
}

std::string SchemaRegistryClient::shown_urls() const { return join_shown_urls(options_.urls); }

int32_t SchemaRegistryClient::register_schema(const std::string& subject, const std::string& schema,
                                              const std::string& type) {
  std::lock_guard lock(mutex_);
  auto key = std::make_pair(subject, schema);
  if (auto it = id_by_subject_schema_.find(key); it != id_by_subject_schema_.end()) return it->second;
  Response r = send("POST", "/subjects/" + path_segment(subject) + "/versions", schema_body(schema, type));
  if (r.status != 200) fail(r, "register a schema under subject \"" + subject + "\"", subject);
  Parsed p(r.body);
  auto id = static_cast<int32_t>(p.integer("id"));
  id_by_subject_schema_[key] = id;
  by_id_.emplace(id, RegisteredSchema{id, 0, schema, type});
  return id;
}

std::optional<RegisteredSchema> SchemaRegistryClient::lookup(const std::string& subject, const std::string& schema,
                                                             const std::string& type) {
  std::lock_guard lock(mutex_);
  auto key = std::make_pair(subject, schema);
  if (auto it = lookups_.find(key); it != lookups_.end()) return it->second;
  Response r = send("POST", "/subjects/" + path_segment(subject), schema_body(schema, type));
  std::optional<RegisteredSchema> found;
  if (r.status == 404) {
    Parsed p(r.body);
    int code = static_cast<int>(p.integer("error_code"));
    if (code != 40401 && code != 40403) fail(r, "look up a schema under subject \"" + subject + "\"", subject);
  } else if (r.status != 200) {
    fail(r, "look up a schema under subject \"" + subject + "\"", subject);
  } else {
    Parsed p(r.body);
    found = RegisteredSchema{static_cast<int32_t>(p.integer("id")), static_cast<int32_t>(p.integer("version")), schema, type};
    id_by_subject_schema_[key] = found->id;
  }
  lookups_[key] = found;
  return found;
}

std::string SchemaRegistryClient::schema_by_id(int32_t id) { return typed_schema_by_id(id).schema; }

RegisteredSchema SchemaRegistryClient::typed_schema_by_id(int32_t id) {
  std::lock_guard lock(mutex_);
  if (auto it = by_id_.find(id); it != by_id_.end()) return it->second;
  Response r = send("GET", fmt::format("/schemas/ids/{}", id), "");
  if (r.status != 200) fail(r, fmt::format("fetch schema id {}", id), "");
  Parsed p(r.body);
  RegisteredSchema s{id, 0, p.string("schema"), p.string("schemaType", "AVRO")};
  by_id_[id] = s;
  return s;
}

RegisteredSchema SchemaRegistryClient::latest(const std::string& subject) {
  std::lock_guard lock(mutex_);
  if (auto it = latest_.find(subject); it != latest_.end()) return it->second;
  Response r = send("GET", "/subjects/" + path_segment(subject) + "/versions/latest", "");
  if (r.status != 200) fail(r, "fetch the latest schema of subject \"" + subject + "\"", subject);
  Parsed p(r.body);
  RegisteredSchema s{static_cast<int32_t>(p.integer("id")), static_cast<int32_t>(p.integer("version")),
                     p.string("schema"), p.string("schemaType", "AVRO")};
  latest_[subject] = s;
  by_id_.emplace(s.id, s);
  return s;
}

bool SchemaRegistryClient::compatible_with_latest(const std::string& subject, const std::string& schema) {
  std::lock_guard lock(mutex_);
  Response r = send("POST", "/compatibility/subjects/" + path_segment(subject) + "/versions/latest", schema_body(schema, "AVRO"));
  if (r.status != 200) fail(r, "check compatibility with subject \"" + subject + "\"", subject);
  Parsed p(r.body);
  bool ok = false;
  return p.ok && !p.root["is_compatible"].get_bool().get(ok) && ok;
}

}  // namespace connectrun::avro
