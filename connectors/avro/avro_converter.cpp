#include "connectors/avro/avro_converter.h"

#include <fmt/format.h>

#include "connectors/avro/avro_anything.h"
#include "connectors/avro/avro_codec.h"

namespace connectrun::avro {

namespace {

constexpr char kMagicByte = 0;
constexpr size_t kIdSize = 4;

SubjectNameStrategy strategy_from(const std::string& name) {
  std::string_view n = name;
  if (auto dot = n.rfind('.'); dot != std::string_view::npos) n = n.substr(dot + 1);
  if (n == "RecordNameStrategy") return SubjectNameStrategy::RecordName;
  if (n == "TopicRecordNameStrategy") return SubjectNameStrategy::TopicRecordName;
  return SubjectNameStrategy::TopicName;
}

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

void AvroConverter::configure(const config::ConfigValues& cfg, bool is_key) {
  is_key_ = is_key;
  opts_.enhanced_schema_support = cfg.get_bool("enhanced.avro.schema.support");
  opts_.connect_meta_data = cfg.get_bool("connect.meta.data");
  opts_.scrub_invalid_names = cfg.get_bool("scrub.invalid.names");
  strategy_ = strategy_from(cfg.get_string(is_key ? "key.subject.name.strategy" : "value.subject.name.strategy"));
  auto_register_ = cfg.get_bool("auto.register.schemas");
  use_latest_ = cfg.get_bool("use.latest.version");
  latest_strict_ = cfg.get_bool("latest.compatibility.strict");
  written_.set_capacity(static_cast<size_t>(cfg.get_long("schemas.cache.config")));

  RegistryOptions ro;
  ro.urls = cfg.get_list("schema.registry.url");
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
  registry_ = std::make_unique<SchemaRegistryClient>(std::move(ro));
}

std::string AvroConverter::subject(std::string_view topic, const AvroNode& avro) const {
  // RecordNameStrategy names the subject after the record (a type's name for other schemas).
  std::string record = avro.is_named() ? avro.full_name() : std::string(avro_type_name(avro.type));
  switch (strategy_) {
    case SubjectNameStrategy::TopicName: return fmt::format("{}-{}", topic, is_key_ ? "key" : "value");
    case SubjectNameStrategy::RecordName: return record;
    case SubjectNameStrategy::TopicRecordName: return fmt::format("{}-{}", topic, record);
  }
  return {};
}

const AvroConverter::Written& AvroConverter::written(const SchemaPtr& schema) {
  if (auto* hit = written_.get(schema.get())) return *hit;
  AvroPtr avro = from_connect_schema(*schema, opts_);
  std::string json = avro_schema_json(*avro);
  return written_.put(schema.get(), Written{schema, std::move(avro), std::move(json)});
}

int32_t AvroConverter::schema_id(std::string_view topic, const AvroNode& avro, const std::string& json) {
  std::string subj = subject(topic, avro);
  if (use_latest_) {
    RegisteredSchema latest = registry_->latest(subj);
    if (latest.schema != json) {
      // Writing a record in another schema's shape (Confluent converts it) is not done: say so.
      if (latest_strict_ && !registry_->compatible_with_latest(subj, json))
        throw DataException(fmt::format("use.latest.version: the record's schema is not compatible with the latest "
                                        "schema (version {}) of subject \"{}\"", latest.version, subj));
      throw DataException(fmt::format("use.latest.version: the latest schema (version {}) of subject \"{}\" differs "
                                      "from the record's; writing a record in another schema is not supported yet, "
                                      "set use.latest.version=false",
                                      latest.version, subj));
    }
    return latest.id;
  }
  if (auto_register_) return registry_->register_schema(subj, json);
  if (auto found = registry_->lookup(subj, json)) return found->id;
  throw DataException(fmt::format("The record's schema is not registered under subject \"{}\" and "
                                  "auto.register.schemas=false: register it first, or set auto.register.schemas=true",
                                  subj));
}

bool AvroConverter::from_connect_data(std::string_view topic, const SchemaPtr& schema, const Value& value,
                                      std::string& out) {
  out.clear();
  if (value.is_null() && (!schema || schema->optional)) return false;
  // Schemaless data travels wrapped in Confluent's Anything record.
  static const AvroPtr anything = [] {
    auto n = make_node(AvroType::Record);
    n->name = "Anything";
    n->space = std::string(kNamespace);
    return n;
  }();
  const Written* w = schema ? &written(schema) : nullptr;
  int32_t id = 0;
  try {
    id = w ? schema_id(topic, *w->avro, w->json) : schema_id(topic, *anything, std::string(anything_schema_json()));
  } catch (const RegistryError& e) {
    throw DataException(fmt::format("Failed to serialize Avro data for topic {}: {}", topic, e.what()));
  }
  out.push_back(kMagicByte);
  auto uid = static_cast<uint32_t>(id);
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((uid >> shift) & 0xFF));
  if (w) encode_value(out, *schema, *w->avro, value, opts_);
  else encode_anything(out, value);
  return true;
}

const AvroConverter::Read& AvroConverter::read(std::string_view topic, int32_t id) {
  if (last_read_ && id == last_id_ && topic == last_topic_) return *last_read_;
  auto key = std::make_pair(std::string(topic), id);
  if (auto it = read_.find(key); it != read_.end()) {
    last_read_ = &it->second;
    last_topic_ = topic;
    last_id_ = id;
    return it->second;
  }
  std::string text;
  try {
    text = registry_->schema_by_id(id);
  } catch (const RegistryError& e) {
    if (e.status() == 404)
      throw DataException(fmt::format("Failed to deserialize data for topic {} to Avro: schema id {} is not in the "
                                      "Schema Registry at {} (error code {}): the data was written with another "
                                      "registry; point schema.registry.url at that one",
                                      topic, id, registry_->shown_urls(), e.code()));
    throw DataException(fmt::format("Failed to deserialize data for topic {} to Avro: {}", topic, e.what()));
  }
  if (is_anything_schema(text)) return read_.emplace(key, Read{nullptr, nullptr, true}).first->second;
  AvroPtr avro = parse_avro_schema(text);
  // The Connect schema's version is the registry's version of it under the subject, unless it carries connect.version.
  std::optional<int32_t> version;
  if (!avro->prop(kConnectVersion)) {
    try {
      if (auto found = registry_->lookup(subject(topic, *avro), text)) version = found->version;
    } catch (const RegistryError& e) {
      throw DataException(fmt::format("Error retrieving Avro {} schema version for id {}: {}", is_key_ ? "key" : "value", id, e.what()));
    }
  }
  SchemaPtr schema = to_connect_schema(*avro, opts_, version);
  return read_.emplace(key, Read{std::move(avro), std::move(schema)}).first->second;
}

SchemaAndValue AvroConverter::to_connect_data(std::string_view topic, std::optional<std::string_view> bytes) {
  if (!bytes) return {};
  std::string_view b = *bytes;
  if (b.size() < 1 + kIdSize || b[0] != kMagicByte)
    throw DataException(fmt::format("Failed to deserialize data for topic {} to Avro: Unknown magic byte! The bytes "
                                    "do not start with Confluent's wire format (magic byte 0, then a 4-byte schema "
                                    "id), so an Avro serializer with a Schema Registry did not write them; check the "
                                    "{}.converter of this connector against what the topic holds",
                                    topic, is_key_ ? "key" : "value"));
  uint32_t uid = 0;
  for (size_t i = 1; i <= kIdSize; ++i) uid = (uid << 8) | static_cast<unsigned char>(b[i]);
  auto id = static_cast<int32_t>(uid);
  const Read& r = read(topic, id);
  try {
    if (r.anything) return {nullptr, decode_anything(b.substr(1 + kIdSize))};
    return {r.schema, decode_value(b.substr(1 + kIdSize), r.schema, *r.avro, opts_)};
  } catch (const DataException& e) {
    throw DataException(fmt::format("Failed to deserialize data for topic {} to Avro (schema id {}): {}", topic, id, e.what()));
  }
}

}  // namespace connectrun::avro
