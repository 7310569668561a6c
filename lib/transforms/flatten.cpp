#include "transforms/flatten.h"

#include <fmt/format.h>

#include "transforms/transforms.h"

namespace connectrun::transforms {

namespace {
constexpr std::string_view kPurpose = "flattening";

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}
}  // namespace

config::ConfigSpec Flatten::spec() {
  config::ConfigSpec s;
  s.define({"delimiter", config::KeyType::String, config::ConfigValue{std::string(".")},
            "Delimiter to insert between field names from the input record when generating field names for the "
            "output record",
            std::nullopt});
  return s;
}

void Flatten::configure(const config::ConfigValues& cfg) {
  delimiter_ = cfg.get_string("delimiter");
}

std::string Flatten::name(const std::string& prefix, const std::string& field) const {
  return prefix.empty() ? field : prefix + delimiter_ + field;
}

void Flatten::flatten_map(const MapEntries& in, const std::string& prefix, MapEntries& out) const {
  for (auto& [k, v] : in) {
    // Schemaless maps come from JSON objects: string keys. Others print as Java would.
    std::string key = k.is<std::string>() ? k.as<std::string>() : fmt::format("{}", k.java_class());
    std::string field = name(prefix, key);
    if (v.is_null()) {
      map_put(out, field, Value());
      continue;
    }
    if (v.is<MapEntries>()) {
      flatten_map(v.as<MapEntries>(), field, out);
    } else if (v.is_struct()) {
      throw DataException(fmt::format("Flatten transformation does not support class {} for record without schemas "
                                      "(for field {}).", v.java_class(), field));
    } else if (v.is<Decimal>() || v.is<Timestamp>()) {
      throw DataException(fmt::format("Flatten transformation was passed a value of type class {} which is not "
                                      "supported by Connect's data API", v.java_class()));
    } else {
      map_put(out, field, v);
    }
  }
}

void Flatten::build_schema(const Schema& schema, const std::string& prefix, SchemaBuilder& out, bool optional,
                           const StructValue* parent_default) const {
  for (auto& f : schema.fields) {
    std::string field = name(prefix, f.name);
    bool field_optional = optional || f.schema->optional;
    std::optional<Value> field_default;
    if (f.schema->default_value) field_default = *f.schema->default_value;
    else if (parent_default) field_default = struct_get(*parent_default, f);
    if (field_default && field_default->is_null()) field_default.reset();
    switch (f.schema->type) {
      case Type::Struct:
        build_schema(*f.schema, field, out, field_optional,
                     field_default && field_default->is_struct() ? &field_default->as_struct() : nullptr);
        break;
      case Type::Map:
        throw DataException(fmt::format("Flatten transformation does not support {} for record with schemas (for "
                                        "field {}).", upper(type_name(f.schema->type)), field));
      default: {
        SchemaBuilder b = SchemaBuilder::from(*f.schema);
        b.schema().default_value.reset();
        if (field_optional) b.optional();
        if (field_default) b.default_value(*field_default);
        out.field(field, b.build());
      }
    }
  }
}

void Flatten::flatten_struct(const StructValue* in, const std::string& prefix, StructValue& out) const {
  if (!in) return;
  for (auto& f : in->schema->fields) {
    std::string field = name(prefix, f.name);
    const Value& v = struct_get(*in, f);
    if (f.schema->type == Type::Struct) {
      const Value& nested = struct_get(*in, f);
      flatten_struct(nested.is_struct() ? &nested.as_struct() : nullptr, field, out);
    } else {
      out.put(field, v);
    }
  }
}

bool Flatten::apply_in_place(Record& record) {
  SchemaPtr& schema = side_schema(record, side_);
  Value& value = side_value(record, side_);
  if (!schema) {
    const MapEntries* m = require_map_or_null(value, kPurpose);
    if (!m) return true;
    MapEntries out;
    flatten_map(*m, "", out);
    value = Value(std::move(out));
    return true;
  }
  const StructValue* s = require_struct_or_null(value, kPurpose);
  if (!s) return true;  // Kafka passes a null struct through with its original schema
  SchemaPtr updated = cache_.get(schema);
  if (!updated) {
    if (schema->type != Type::Struct) throw DataException(fmt::format("Only Struct objects supported for [{}], found: {}", kPurpose, value.java_class()));
    SchemaBuilder b = SchemaBuilder::structure();
    copy_schema_basics(*schema, b);
    const StructValue* def = schema->default_value && schema->default_value->is_struct()
                                 ? &schema->default_value->as_struct() : nullptr;
    build_schema(*schema, "", b, schema->optional, def);
    updated = b.build();
    cache_.put(schema, updated);
  }
  schema = updated;
  auto out = StructValue::make(updated);
  flatten_struct(s, "", *out);
  value = Value(std::move(out));
  return true;
}

void register_flatten(PluginRegistry& registry) {
  add_key_value(registry, "Flatten", "Flattens nested structs/maps into delimited field names",
                "Flatten a nested data structure, generating names for each field by concatenating the field names "
                "at each level with a configurable delimiter character. Applies to Struct when schema present, or a "
                "Map in the case of schemaless data. Array fields and their contents are not modified. The default "
                "delimiter is '.'.",
                Flatten::spec(), [](Side s) { return std::make_unique<Flatten>(s); });
}

}  // namespace connectrun::transforms
