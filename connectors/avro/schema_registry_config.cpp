#include "connectors/avro/schema_registry_config.h"

#include <fmt/format.h>

namespace connectrun::avro {

namespace {

std::chrono::milliseconds ms(const config::ConfigValues& cfg, std::string_view key) {
  return std::chrono::milliseconds(cfg.get_long(key));
}

// A PEM file given as a Java key or trust store: other store types cannot be handed to libcurl.
std::string pem_store(const config::ConfigValues& cfg, const std::string& location_key, const std::string& type_key) {
  std::string location = cfg.get_string(location_key);
  if (location.empty()) return location;
  std::string type = cfg.get_string(type_key);
  for (auto& c : type) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (type != "PEM")
    throw config::ConfigError(type_key, fmt::format("{} {} is not supported: convert the store to PEM (openssl "
                                                    "pkcs12 -in STORE -out FILE.pem) and set {}=PEM",
                                                    type_key, type, type_key));
  return location;
}

}  // namespace

void define_registry_keys(config::ConfigSpec& s) {
  using config::KeyDef;
  using config::KeyType;
  using config::ConfigValue;
  namespace v = config::validators;
  auto text = [](const char* t) { return ConfigValue(std::string(t)); };
  const std::vector<std::string> strategies = {
      "TopicNameStrategy", "RecordNameStrategy", "TopicRecordNameStrategy",
      "io.confluent.kafka.serializers.subject.TopicNameStrategy",
      "io.confluent.kafka.serializers.subject.RecordNameStrategy",
      "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy"};
  s.define(KeyDef{"schema.registry.url", KeyType::List, std::nullopt,
                  "Comma-separated list of URLs for Schema Registry instances, tried in turn.", std::nullopt, false});
  s.define(KeyDef{"auto.register.schemas", KeyType::Boolean, ConfigValue(true),
                  "Specify if the Serializer should attempt to register the Schema with Schema Registry.",
                  std::nullopt, false});
  s.define(KeyDef{"use.latest.version", KeyType::Boolean, ConfigValue(false),
                  "With auto.register.schemas=false: write with the latest schema of the subject (its id; Avro: "
                  "its types, the record's fields taken by position as Avro's Java writer does).",
                  std::nullopt, false});
  s.define(KeyDef{"latest.compatibility.strict", KeyType::Boolean, ConfigValue(true),
                  "With use.latest.version, require the latest schema to fit the record's (Avro: the record's "
                  "fields, by name, in the same places, of types it reads; JSON Schema: the same fields and types).",
                  std::nullopt, false});
  s.define(KeyDef{"key.subject.name.strategy", KeyType::String, text("io.confluent.kafka.serializers.subject.TopicNameStrategy"),
                  "How the subject of a key schema is named: TopicNameStrategy (TOPIC-key), RecordNameStrategy "
                  "(the record's full name) or TopicRecordNameStrategy (TOPIC-RECORD).",
                  v::one_of(strategies), false});
  s.define(KeyDef{"value.subject.name.strategy", KeyType::String, text("io.confluent.kafka.serializers.subject.TopicNameStrategy"),
                  "How the subject of a value schema is named: TopicNameStrategy (TOPIC-value), RecordNameStrategy "
                  "(the record's full name) or TopicRecordNameStrategy (TOPIC-RECORD).",
                  v::one_of(strategies), false});
  s.define(KeyDef{"basic.auth.credentials.source", KeyType::String, text("URL"),
                  "Where the basic auth credentials come from: URL (user info in schema.registry.url) or USER_INFO "
                  "(basic.auth.user.info). SASL_INHERIT is not supported.",
                  v::one_of({"URL", "USER_INFO", "SASL_INHERIT"}), false});
  s.define(KeyDef{"basic.auth.user.info", KeyType::Password, text(""),
                  "USER:PASSWORD for basic auth, with basic.auth.credentials.source=USER_INFO.", std::nullopt, true});
  s.define(KeyDef{"schema.registry.basic.auth.user.info", KeyType::Password, text(""),
                  "Same as basic.auth.user.info (used when that one is empty).", std::nullopt, true});
  s.define(KeyDef{"bearer.auth.credentials.source", KeyType::String, text("STATIC_TOKEN"),
                  "Where the bearer token comes from: STATIC_TOKEN (bearer.auth.token) only.",
                  v::one_of({"STATIC_TOKEN"}), false});
  s.define(KeyDef{"bearer.auth.token", KeyType::Password, text(""),
                  "A bearer token sent as Authorization: Bearer TOKEN; empty: none.", std::nullopt, true});
  s.define(KeyDef{"schema.registry.ssl.truststore.location", KeyType::String, text(""),
                  "A PEM file of the CA certificates to trust for an https registry; empty: the system's.",
                  std::nullopt, false, config::FileUse::Reads});
  s.define(KeyDef{"schema.registry.ssl.truststore.type", KeyType::String, text("JKS"),
                  "The trust store's format: only PEM is supported (convert JKS or PKCS12 stores with openssl).",
                  std::nullopt, false});
  s.define(KeyDef{"schema.registry.ssl.keystore.location", KeyType::String, text(""),
                  "A PEM file holding the client certificate and its key, for registries that ask for one.",
                  std::nullopt, false, config::FileUse::Reads});
  s.define(KeyDef{"schema.registry.ssl.keystore.type", KeyType::String, text("JKS"),
                  "The key store's format: only PEM is supported.", std::nullopt, false});
  s.define(KeyDef{"schema.registry.ssl.key.password", KeyType::Password, text(""),
                  "The password of the key in the key store.", std::nullopt, true});
  s.define(KeyDef{"max.retries", KeyType::Int, ConfigValue(int64_t{3}),
                  "How many times a request is retried while the registry cannot be reached (or answers 408, 429, "
                  "502, 503, 504), every URL tried each time.",
                  v::at_least(0), false});
  s.define(KeyDef{"retries.wait.ms", KeyType::Int, ConfigValue(int64_t{1000}),
                  "The wait before the first retry, doubled for each next one.", v::at_least(0), false});
  s.define(KeyDef{"retries.max.wait.ms", KeyType::Int, ConfigValue(int64_t{20000}),
                  "The longest wait between retries.", v::at_least(0), false});
  s.define(KeyDef{"http.connect.timeout.ms", KeyType::Int, ConfigValue(int64_t{60000}),
                  "How long to wait for a connection to the registry.", v::at_least(1), false});
  s.define(KeyDef{"http.read.timeout.ms", KeyType::Int, ConfigValue(int64_t{60000}),
                  "How long to wait for the registry's answer.", v::at_least(1), false});
  s.define(KeyDef{"schemas.cache.config", KeyType::Int, ConfigValue(int64_t{1000}),
                  "Size of the converted schemas cache", v::at_least(0), false});
}

std::unique_ptr<SchemaRegistryClient> registry_from_config(const config::ConfigValues& cfg) {
  RegistryOptions ro;
  ro.urls = cfg.get_list("schema.registry.url");
  // Missing, the required key was reported already by the spec's parse: no second problem for it.
  if (ro.urls.empty() && !cfg.was_set("schema.registry.url")) return nullptr;
  if (ro.urls.empty()) throw config::ConfigError("schema.registry.url", "schema.registry.url must name at least one Schema Registry URL");
  std::string source = cfg.get_string("basic.auth.credentials.source");
  for (auto& c : source) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (source == "USER_INFO") {
    ro.user_info = cfg.get_string("basic.auth.user.info");
    if (ro.user_info.empty()) ro.user_info = cfg.get_string("schema.registry.basic.auth.user.info");
    if (ro.user_info.find(':') == std::string::npos)
      throw config::ConfigError("basic.auth.user.info",
                                "basic.auth.credentials.source=USER_INFO needs basic.auth.user.info as USER:PASSWORD");
  } else if (source != "URL") {
    throw config::ConfigError("basic.auth.credentials.source",
                              fmt::format("basic.auth.credentials.source={} is not supported: use USER_INFO (or URL, "
                                          "credentials in schema.registry.url)", source));
  }
  ro.bearer_token = cfg.get_string("bearer.auth.token");
  ro.ca_file = pem_store(cfg, "schema.registry.ssl.truststore.location", "schema.registry.ssl.truststore.type");
  ro.cert_file = pem_store(cfg, "schema.registry.ssl.keystore.location", "schema.registry.ssl.keystore.type");
  ro.key_password = cfg.get_string("schema.registry.ssl.key.password");
  ro.max_retries = cfg.get_int("max.retries");
  ro.retry_wait = ms(cfg, "retries.wait.ms");
  ro.retry_max_wait = ms(cfg, "retries.max.wait.ms");
  ro.connect_timeout = ms(cfg, "http.connect.timeout.ms");
  ro.read_timeout = ms(cfg, "http.read.timeout.ms");
  return std::make_unique<SchemaRegistryClient>(std::move(ro));
}

SubjectNameStrategy subject_strategy(const config::ConfigValues& cfg, bool is_key) {
  std::string name = cfg.get_string(is_key ? "key.subject.name.strategy" : "value.subject.name.strategy");
  std::string_view n = name;
  if (auto dot = n.rfind('.'); dot != std::string_view::npos) n = n.substr(dot + 1);
  if (n == "RecordNameStrategy") return SubjectNameStrategy::RecordName;
  if (n == "TopicRecordNameStrategy") return SubjectNameStrategy::TopicRecordName;
  return SubjectNameStrategy::TopicName;
}

std::string subject_name(SubjectNameStrategy strategy, std::string_view topic, bool is_key, const std::string& record) {
  switch (strategy) {
    case SubjectNameStrategy::TopicName: return fmt::format("{}-{}", topic, is_key ? "key" : "value");
    case SubjectNameStrategy::RecordName: return record;
    case SubjectNameStrategy::TopicRecordName: return fmt::format("{}-{}", topic, record);
  }
  return {};
}

RegisteredSchema writer_schema(SchemaRegistryClient& registry, std::string_view topic, int32_t id,
                               std::string_view format, std::string_view expected_type, bool is_key) {
  RegisteredSchema rs;
  try {
    rs = registry.typed_schema_by_id(id);
  } catch (const RegistryError& e) {
    if (e.status() == 404)
      throw DataException(fmt::format("Failed to deserialize data for topic {} to {}: schema id {} is not in the "
                                      "Schema Registry at {} (error code {}): the data was written with another "
                                      "registry; point schema.registry.url at that one",
                                      topic, format, id, registry.shown_urls(), e.code()));
    throw DataException(fmt::format("Failed to deserialize data for topic {} to {}: {}", topic, format, e.what()));
  }
  if (rs.type != expected_type) {
    std::string_view writer = rs.type == "AVRO" ? "AvroConverter" : rs.type == "JSON" ? "JsonSchemaConverter"
                                                                                         : "ProtobufConverter";
    throw DataException(fmt::format("Failed to deserialize data for topic {} to {}: schema id {} is registered as "
                                    "schemaType {}, not {}: another converter wrote the topic ({}); set the "
                                    "{}.converter to it",
                                    topic, format, id, rs.type, expected_type, writer, is_key ? "key" : "value"));
  }
  return rs;
}

}  // namespace connectrun::avro
