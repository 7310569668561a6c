// A client of Confluent Schema Registry's REST API, over libcurl: the calls
// an Avro serializer and deserializer make, with their answers cached so the
// registry is asked once per schema, retries with backoff while it cannot be
// reached, and each documented error turned into a message saying what to do.
#pragma once

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/common/curl_handles.h"

namespace connectrun::avro {

struct RegistryOptions {
  std::vector<std::string> urls;     // schema.registry.url, tried in turn
  std::string user_info;             // "user:password" for basic auth; empty: none
  std::string bearer_token;          // bearer.auth.token; empty: none
  std::string ca_file;               // PEM trust store; empty: the system's
  std::string cert_file;             // PEM client certificate (and key); empty: none
  std::string key_password;
  int max_retries = 3;               // max.retries
  std::chrono::milliseconds retry_wait{1000};       // retries.wait.ms: the first wait, doubled each time
  std::chrono::milliseconds retry_max_wait{20000};  // retries.max.wait.ms
  std::chrono::milliseconds connect_timeout{60000};
  std::chrono::milliseconds read_timeout{60000};
};

// A registry answer that is an error: the HTTP status and Confluent's error_code.
class RegistryError : public std::runtime_error {
 public:
  RegistryError(const std::string& what, long status, int code)
      : std::runtime_error(what), status_(status), code_(code) {}
  long status() const { return status_; }
  int code() const { return code_; }  // 40401, 40901, 42201, …; 0 when the body had none

 private:
  long status_;
  int code_;
};

struct RegisteredSchema {
  int32_t id = 0;
  int32_t version = 0;
  std::string schema;  // the schema text as the registry holds it
  std::string type = "AVRO";  // schemaType: AVRO (the registry leaves it out), JSON, PROTOBUF
};

// Confluent's wire format: the magic byte 0 and the schema id (4 bytes, big-endian) before the body.
inline constexpr size_t kWireHeaderSize = 5;
void append_wire_header(std::string& out, int32_t id);
// The schema id of a message; nullopt when it does not start with the wire format's header.
std::optional<int32_t> wire_schema_id(std::string_view bytes);

class SchemaRegistryClient {
 public:
  explicit SchemaRegistryClient(RegistryOptions options);

  // `type` is the schemaType sent with a schema: "AVRO" sends none (the registry's default), as
  // Confluent's Avro serializer does; "JSON" sends "schemaType":"JSON".
  // POST /subjects/S/versions: the id of `schema` under `subject`, registering it when new.
  int32_t register_schema(const std::string& subject, const std::string& schema, const std::string& type = "AVRO");
  // POST /subjects/S: the id and version of `schema` under `subject`; nullopt when not registered there.
  std::optional<RegisteredSchema> lookup(const std::string& subject, const std::string& schema,
                                         const std::string& type = "AVRO");
  // GET /schemas/ids/N: the schema text of id N. Throws RegistryError (40403) when unknown.
  std::string schema_by_id(int32_t id);
  // The same with its schemaType.
  RegisteredSchema typed_schema_by_id(int32_t id);
  // GET /subjects/S/versions/latest.
  RegisteredSchema latest(const std::string& subject);
  // POST /compatibility/subjects/S/versions/latest: whether `schema` may follow the latest version.
  bool compatible_with_latest(const std::string& subject, const std::string& schema);

  // Requests sent so far (each retry counted), for tests and benchmarks.
  int requests() const { return requests_; }
  // The URLs as messages show them (user info removed).
  std::string shown_urls() const;

 private:
  struct Response {
    long status = 0;
    std::string body;
  };
  Response send(const std::string& method, const std::string& path, const std::string& body);
  Response attempt(const std::string& url, const std::string& method, const std::string& body, std::string& error);
  [[noreturn]] void fail(const Response& r, const std::string& what, const std::string& subject);

  RegistryOptions options_;
  CurlEasy easy_;
  std::mutex mutex_;  // one request at a time on the handle; the caches share it
  int requests_ = 0;
  std::map<int32_t, RegisteredSchema> by_id_;  // id and schema (and type) only
  std::map<std::pair<std::string, std::string>, int32_t> id_by_subject_schema_;
  std::map<std::pair<std::string, std::string>, std::optional<RegisteredSchema>> lookups_;
  std::map<std::string, RegisteredSchema> latest_;
};

}  // namespace connectrun::avro
