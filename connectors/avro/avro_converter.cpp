#include "connectors/avro/avro_converter.h"

#include <fmt/format.h>

#include "connectors/avro/avro_anything.h"
#include "connectors/avro/avro_codec.h"

namespace connectrun::avro {

void AvroConverter::configure(const config::ConfigValues& cfg, bool is_key) {
  is_key_ = is_key;
  opts_.enhanced_schema_support = cfg.get_bool("enhanced.avro.schema.support");
  opts_.connect_meta_data = cfg.get_bool("connect.meta.data");
  opts_.scrub_invalid_names = cfg.get_bool("scrub.invalid.names");
  strategy_ = subject_strategy(cfg, is_key);
  auto_register_ = cfg.get_bool("auto.register.schemas");
  use_latest_ = cfg.get_bool("use.latest.version");
  latest_strict_ = cfg.get_bool("latest.compatibility.strict");
  written_.set_capacity(static_cast<size_t>(cfg.get_long("schemas.cache.config")));

  registry_ = registry_from_config(cfg);
}

std::string AvroConverter::subject(std::string_view topic, const AvroNode& avro) const {
  // RecordNameStrategy names the subject after the record (a type's name for other schemas).
  std::string record = avro.is_named() ? avro.full_name() : std::string(avro_type_name(avro.type));
  return subject_name(strategy_, topic, is_key_, record);
}

const AvroConverter::Written& AvroConverter::written(const SchemaPtr& schema) {
  if (auto* hit = written_.get(schema.get())) return *hit;
  AvroPtr avro = from_connect_schema(*schema, opts_);
  std::string json = avro_schema_json(*avro);
  return written_.put(schema.get(), Written{schema, std::move(avro), std::move(json)});
}

namespace {
// Whether Avro's schema resolution reads a `writer` value as `reader` (the same type, or a promotion).
bool readable(AvroType writer, AvroType reader) {
  using T = AvroType;
  if (writer == reader) return true;
  switch (writer) {
    case T::Int: return reader == T::Long || reader == T::Float || reader == T::Double;
    case T::Long: return reader == T::Float || reader == T::Double;
    case T::Float: return reader == T::Double;
    case T::String: return reader == T::Bytes;
    case T::Bytes: return reader == T::String;
    default: return false;
  }
}

// latest.compatibility.strict: Avro's Java writer takes a record's fields by position, so the latest
// schema's records must have the record's fields, by name, in the same places, each of a type the
// latest's reads (the same, or an Avro promotion).
void check_lines_up(const AvroNode& ours, const AvroNode& latest, const std::string& subject, int32_t version) {
  auto fail = [&](const std::string& what) {
    throw DataException(fmt::format("use.latest.version: the record does not fit the latest schema (version {}) of "
                                    "subject \"{}\": {}; register the record's schema, or set "
                                    "latest.compatibility.strict=false",
                                    version, subject, what));
  };
  const AvroNode* a = &ours;
  const AvroNode* b = &latest;
  if (a->type == AvroType::Union && b->type == AvroType::Union && a->branches.size() == b->branches.size()) {
    for (size_t i = 0; i < a->branches.size(); ++i) check_lines_up(*a->branches[i], *b->branches[i], subject, version);
    return;
  }
  if (a->type != AvroType::Union && b->type == AvroType::Union) {  // the branch the writer's value goes to
    for (auto& branch : b->branches)
      if (readable(a->type, branch->type)) return check_lines_up(*a, *branch, subject, version);
    fail(fmt::format("no branch of the latest's union takes {}", avro_type_name(a->type)));
  }
  if (!readable(a->type, b->type)) fail(fmt::format("{} where the latest has {}", avro_type_name(a->type), avro_type_name(b->type)));
  if (a->type == AvroType::Record) {
    if (a->fields.size() != b->fields.size())
      fail(fmt::format("record {} has {} fields, the latest's {}", a->full_name(), a->fields.size(), b->fields.size()));
    for (size_t i = 0; i < a->fields.size(); ++i) {
      if (a->fields[i].name != b->fields[i].name)
        fail(fmt::format("field {} of {} is {} in the latest", i, a->full_name(), b->fields[i].name));
      check_lines_up(*a->fields[i].schema, *b->fields[i].schema, subject, version);
    }
  } else if (a->type == AvroType::Array) {
    check_lines_up(*a->items, *b->items, subject, version);
  } else if (a->type == AvroType::Map) {
    check_lines_up(*a->values, *b->values, subject, version);
  }
}
}  // namespace

std::pair<int32_t, const AvroNode*> AvroConverter::schema_id(std::string_view topic, const AvroNode& avro,
                                                              const std::string& json) {
  std::string subj = subject(topic, avro);
  // As Confluent's serializer: auto.register.schemas first, use.latest.version only without it.
  if (auto_register_) return {registry_->register_schema(subj, json), &avro};
  if (use_latest_) {
    RegisteredSchema latest = registry_->latest(subj);
    if (latest.schema == json) return {latest.id, &avro};
    auto it = latest_avro_.find(latest.id);
    if (it == latest_avro_.end()) it = latest_avro_.emplace(latest.id, parse_avro_schema(latest.schema)).first;
    if (latest_strict_) check_lines_up(avro, *it->second, subj, latest.version);
    return {latest.id, it->second.get()};
  }
  if (auto found = registry_->lookup(subj, json)) return {found->id, &avro};
  throw DataException(fmt::format("The record's schema is not registered under subject \"{}\" and "
                                  "auto.register.schemas=false: register it first, set use.latest.version=true, or "
                                  "set auto.register.schemas=true",
                                  subj));
}

bool AvroConverter::from_connect_data(std::string_view topic, const SchemaPtr& schema, const Value& value,
                                      std::string& out) {
  out.clear();
  if (!registry_) throw DataException("AvroConverter has no schema.registry.url");
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
  const AvroNode* writer = nullptr;
  try {
    std::tie(id, writer) =
        w ? schema_id(topic, *w->avro, w->json) : schema_id(topic, *anything, std::string(anything_schema_json()));
  } catch (const RegistryError& e) {
    throw DataException(fmt::format("Failed to serialize Avro data for topic {}: {}", topic, e.what()));
  }
  append_wire_header(out, id);
  if (!w && writer != anything.get())
    throw DataException(fmt::format("use.latest.version: the latest schema of the subject for topic {} is not "
                                    "Confluent's Anything schema, which schemaless data is written with",
                                    topic));
  if (w) encode_value(out, *schema, *writer, value, opts_);  // by position, as Avro's Java writer
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
  std::string text = writer_schema(*registry_, topic, id, "Avro", "AVRO", is_key_).schema;
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
  if (!registry_) throw DataException("AvroConverter has no schema.registry.url");
  std::string_view b = *bytes;
  std::optional<int32_t> wire_id = wire_schema_id(b);
  if (!wire_id)
    throw DataException(fmt::format("Failed to deserialize data for topic {} to Avro: Unknown magic byte! The bytes "
                                    "do not start with Confluent's wire format (magic byte 0, then a 4-byte schema "
                                    "id), so an Avro serializer with a Schema Registry did not write them; check the "
                                    "{}.converter of this connector against what the topic holds",
                                    topic, is_key_ ? "key" : "value"));
  int32_t id = *wire_id;
  const Read& r = read(topic, id);
  try {
    if (r.anything) return {nullptr, decode_anything(b.substr(kWireHeaderSize))};
    return {r.schema, decode_value(b.substr(kWireHeaderSize), r.schema, *r.avro, opts_)};
  } catch (const DataException& e) {
    throw DataException(fmt::format("Failed to deserialize data for topic {} to Avro (schema id {}): {}", topic, id, e.what()));
  }
}

}  // namespace connectrun::avro
