#include "transforms/set_schema_metadata.h"

#include <fmt/format.h>

#include "transforms/transforms.h"

namespace connectrun::transforms {

config::ConfigSpec SetSchemaMetadata::spec() {
  config::ConfigSpec s;
  s.define({"schema.name", config::KeyType::String, config::ConfigValue{std::monostate{}}, "Schema name to set.",
            std::nullopt});
  s.define({"schema.version", config::KeyType::Int, config::ConfigValue{std::monostate{}}, "Schema version to set.",
            std::nullopt});
  s.define(replace_null_with_default_key());
  return s;
}

void SetSchemaMetadata::configure(const config::ConfigValues& cfg) {
  name_.reset();
  version_.reset();
  if (!cfg.is_null("schema.name")) name_ = cfg.get_string("schema.name");
  if (!cfg.is_null("schema.version")) version_ = cfg.get_int("schema.version");
  if (!name_ && !version_) throw config::ConfigError("schema.name", "Neither schema name nor version configured");
  replace_null_with_default_ = cfg.get_bool("replace.null.with.default");
}

bool SetSchemaMetadata::apply_in_place(Record& record) {
  SchemaPtr& schema = side_schema(record, side_);
  require_schema(schema, "updating schema metadata");
  // Kafka 4.0 builds the new schema with schema.fields(), which fails for every non-struct schema
  // ("Cannot list fields on non-struct type"); connectrun fails the same records with a clearer message.
  if (schema->type != Type::Struct)
    throw DataException(fmt::format("SetSchemaMetadata supports only struct schemas (as Kafka 4.0), found {}",
                                    type_name(schema->type)));
  SchemaPtr updated = cache_.get(schema);
  if (!updated) {
    Schema s = *schema;
    if (name_) s.name = *name_;
    if (version_) s.version = *version_;
    updated = std::make_shared<const Schema>(std::move(s));
    cache_.put(schema, updated);
  }
  Value& value = side_value(record, side_);
  if (value.is_struct()) {
    const StructValue& input = value.as_struct();
    auto out = StructValue::make(updated);
    for (auto& f : updated->fields)
      out->values[f.index] = replace_null_with_default_ ? struct_get(input, f) : input.values[f.index];
    value = Value(std::move(out));
  }
  schema = updated;
  return true;
}

void register_set_schema_metadata(PluginRegistry& registry) {
  add_key_value(registry, "SetSchemaMetadata", "Sets the schema name and/or version",
                "Set the schema name, version or both on the record's key or value schema.",
                SetSchemaMetadata::spec(), [](Side s) { return std::make_unique<SetSchemaMetadata>(s); });
}

}  // namespace connectrun::transforms
