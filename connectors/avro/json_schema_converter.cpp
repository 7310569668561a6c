#include "connectors/avro/json_schema_converter.h"

#include <fmt/format.h>

namespace connectrun::avro {

namespace {

// Confluent switches connectrun does not implement: refused when turned on, never ignored.
constexpr std::pair<const char*, const char*> kRefusedWhenTrue[] = {
    {"json.fail.invalid.schema", "validating payloads against their JSON Schema is not implemented"},
    {"normalize.schemas", "schema normalization is not implemented"},
    {"generalized.sum.type.support", "Connect unions and enums as generalized sum types are not implemented"},
    {"ignore.default.for.nullables", "writing null instead of a nullable field's default is not implemented"},
    {"preserve.additional.properties", "keeping undeclared JSON properties (ConnectVariant) is not implemented"},
    {"ignore.modern.dialects", "connectrun reads the same JSON Schema keywords whatever the dialect; the switch "
                               "has nothing to change"},
};

std::string side(bool is_key) { return is_key ? "key" : "value"; }

}  // namespace

void JsonSchemaConverter::configure(const config::ConfigValues& cfg, bool is_key) {
  is_key_ = is_key;
  for (auto& [key, why] : kRefusedWhenTrue)
    if (cfg.get_bool(key))
      throw config::ConfigError(key, fmt::format("{}=true is not supported by connectrun's JsonSchemaConverter: {}; "
                                                 "remove it or set it to false",
                                                 key, why));
  opts_.allow_additional_properties = cfg.get_bool("object.additional.properties");
  opts_.use_optional_for_nonrequired = cfg.get_bool("use.optional.for.nonrequired");
  opts_.flatten_singleton_unions = cfg.get_bool("flatten.singleton.unions");
  std::string format = cfg.get_string("decimal.format");
  for (auto& c : format) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  opts_.decimal_format = format == "NUMERIC" ? json::DecimalFormat::Numeric : json::DecimalFormat::Base64;
  strategy_ = subject_strategy(cfg, is_key);
  auto_register_ = cfg.get_bool("auto.register.schemas");
  use_latest_ = cfg.get_bool("use.latest.version");
  latest_strict_ = cfg.get_bool("latest.compatibility.strict");
  written_.set_capacity(static_cast<size_t>(cfg.get_long("schemas.cache.config")));
  registry_ = registry_from_config(cfg);
}

std::string JsonSchemaConverter::subject(std::string_view topic, const Schema* schema) const {
  if (strategy_ == SubjectNameStrategy::TopicName) return subject_name(strategy_, topic, is_key_, "");
  // The record name is the schema's title: a named schema that is not wrapped in a oneOf.
  bool titled = schema && schema->name && !(schema->type == Type::Struct && schema->optional) &&
                *schema->name != kJsonOneOf;
  if (!titled)
    throw DataException(fmt::format("{}.subject.name.strategy names the subject after the schema's title, and the "
                                    "schema for topic {} has none (an unnamed or optional struct): name the struct, "
                                    "or use TopicNameStrategy",
                                    side(is_key_), topic));
  return subject_name(strategy_, topic, is_key_, *schema->name);
}

const JsonSchemaConverter::Written& JsonSchemaConverter::written(const SchemaPtr& schema) {
  if (auto* hit = written_.get(schema.get())) return *hit;
  return written_.put(schema.get(), Written{schema, json_schema_from_connect(*schema, opts_)});
}

namespace {
// latest.compatibility.strict: every field of the record is in the latest schema, with the same Connect type.
void check_fits(const Schema& ours, const Schema& latest, const std::string& subject, int32_t version) {
  auto fail = [&](const std::string& what) {
    throw DataException(fmt::format("use.latest.version: the record does not fit the latest schema (version {}) of "
                                    "subject \"{}\": {}; register the record's schema, or set "
                                    "latest.compatibility.strict=false",
                                    version, subject, what));
  };
  if (ours.type != latest.type)
    fail(fmt::format("{} where the latest has {}", type_name(ours.type), type_name(latest.type)));
  if (ours.type != Type::Struct) return;
  for (auto& f : ours.fields) {
    const Field* l = latest.field(f.name);
    if (!l) fail(fmt::format("field {} is not in the latest", f.name));
    if (l->schema->type != f.schema->type)
      fail(fmt::format("field {} is {} in the latest, {} in the record", f.name, type_name(l->schema->type),
                       type_name(f.schema->type)));
  }
}
}  // namespace

int32_t JsonSchemaConverter::schema_id(std::string_view topic, const Schema& schema, const std::string& json) {
  std::string subj = subject(topic, &schema);
  // As Confluent's serializer: auto.register.schemas first, use.latest.version only without it.
  if (auto_register_) return registry_->register_schema(subj, json, "JSON");
  if (use_latest_) {
    RegisteredSchema latest = registry_->latest(subj);
    if (latest.type != "JSON")
      throw DataException(fmt::format("use.latest.version: the latest schema of subject \"{}\" is a {} schema, not a "
                                      "JSON Schema",
                                      subj, latest.type));
    if (latest_strict_ && latest.schema != json)
      check_fits(schema, *json_schema_to_connect(latest.schema, opts_), subj, latest.version);
    return latest.id;
  }
  if (auto found = registry_->lookup(subj, json, "JSON")) return found->id;
  throw DataException(fmt::format("The record's schema is not registered under subject \"{}\" and "
                                  "auto.register.schemas=false: register it first, set use.latest.version=true, or "
                                  "set auto.register.schemas=true",
                                  subj));
}

bool JsonSchemaConverter::from_connect_data(std::string_view topic, const SchemaPtr& schema, const Value& value,
                                            std::string& out) {
  out.clear();
  if (!registry_) throw DataException("JsonSchemaConverter has no schema.registry.url");
  if (!schema) {
    if (value.is_null()) return false;
    throw DataException(fmt::format(
        "JsonSchemaConverter cannot write schemaless data (topic {}): a JSON Schema is made from the record's Connect "
        "schema, and this {} has none (Confluent's converter fails such records too); give the records a schema "
        "(JsonConverter with schemas.enable=true on the source side, or a connector that sets one), or use "
        "JsonConverter with schemas.enable=false as the {}.converter",
        topic, side(is_key_), side(is_key_)));
  }
  // The document first: a null that converts to no document is a null message, registered nowhere.
  std::string body;
  if (!json_schema_value(body, *schema, value, opts_)) return false;
  const Written& w = written(schema);
  int32_t id = 0;
  try {
    id = schema_id(topic, *schema, w.json);
  } catch (const RegistryError& e) {
    throw DataException(fmt::format("Failed to serialize JSON Schema data for topic {}: {}", topic, e.what()));
  }
  out.reserve(kWireHeaderSize + body.size());
  append_wire_header(out, id);
  out += body;
  return true;
}

const SchemaPtr& JsonSchemaConverter::read(std::string_view topic, int32_t id) {
  auto key = std::make_pair(std::string(topic), id);
  if (auto it = read_.find(key); it != read_.end()) return it->second;
  RegisteredSchema rs = writer_schema(*registry_, topic, id, "JSON", "JSON", is_key_);
  SchemaPtr schema;
  try {
    schema = json_schema_to_connect(rs.schema, opts_);
    // The Connect schema's version is the registry's version of it under the subject, unless it carries connect.version.
    if (!schema->version) {
      std::optional<RegisteredSchema> found;
      try {
        found = registry_->lookup(subject(topic, schema.get()), rs.schema, "JSON");
      } catch (const RegistryError& e) {
        throw DataException(fmt::format("Error retrieving JSON Schema {} schema version for id {}: {}", side(is_key_), id, e.what()));
      }
      if (found) schema = json_schema_to_connect(rs.schema, opts_, found->version);
    }
  } catch (const DataException& e) {
    throw DataException(fmt::format("Failed to deserialize data for topic {} to JSON (schema id {}): {}", topic, id, e.what()));
  }
  return read_.emplace(key, std::move(schema)).first->second;
}

SchemaAndValue JsonSchemaConverter::to_connect_data(std::string_view topic, std::optional<std::string_view> bytes) {
  if (!bytes) return {};
  if (!registry_) throw DataException("JsonSchemaConverter has no schema.registry.url");
  std::optional<int32_t> id = wire_schema_id(*bytes);
  if (!id)
    throw DataException(fmt::format("Failed to deserialize data for topic {} to JSON: Unknown magic byte! The bytes "
                                    "do not start with Confluent's wire format (magic byte 0, then a 4-byte schema "
                                    "id), so a JSON Schema serializer with a Schema Registry did not write them; check "
                                    "the {}.converter of this connector against what the topic holds",
                                    topic, side(is_key_)));
  const SchemaPtr& schema = read(topic, *id);
  std::string_view body = bytes->substr(kWireHeaderSize);
  simdjson::dom::element doc;
  if (auto err = parser_.parse(body.data(), body.size()).get(doc))
    throw DataException(fmt::format("Failed to deserialize data for topic {} to JSON (schema id {}): the body is not "
                                    "valid JSON: {}",
                                    topic, *id, simdjson::error_message(err)));
  try {
    return {schema, json_schema_value_to_connect(schema, doc, opts_)};
  } catch (const DataException& e) {
    throw DataException(fmt::format("Failed to deserialize data for topic {} to JSON (schema id {}): {}", topic, *id, e.what()));
  }
}

}  // namespace connectrun::avro
