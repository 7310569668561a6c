#include "transforms/extract_field.h"

#include <fmt/format.h>

#include "transforms/transforms.h"

namespace connectrun::transforms {

namespace {
constexpr std::string_view kPurpose = "field extraction";
}

config::ConfigSpec ExtractField::spec() {
  config::ConfigSpec s;
  s.define({"field", config::KeyType::String, std::nullopt, "Field name to extract.", std::nullopt});
  s.define(field_syntax_key());
  s.define(replace_null_with_default_key());
  return s;
}

void ExtractField::configure(const config::ConfigValues& cfg) {
  original_ = cfg.get_string("field");
  path_.emplace(original_, field_syntax_from(cfg));
  replace_null_with_default_ = cfg.get_bool("replace.null.with.default");
}

bool ExtractField::apply_in_place(Record& record) {
  SchemaPtr& schema = side_schema(record, side_);
  Value& value = side_value(record, side_);
  if (!schema) {
    const MapEntries* m = require_map_or_null(value, kPurpose);
    const Value* found = m ? path_->value_from(*m) : nullptr;
    value = found ? Value(*found) : Value();
    return true;
  }
  const StructValue* s = require_struct_or_null(value, kPurpose);
  const Field* field = path_->field_from(schema);
  // Kafka throws IllegalArgumentException here; a DataException keeps it an apply-stage error.
  if (!field) throw DataException(fmt::format("Unknown field: {}", original_));
  const Value* found = s ? path_->value_from(*s, replace_null_with_default_) : nullptr;
  Value extracted = found ? Value(*found) : Value();
  schema = field->schema;
  value = std::move(extracted);
  return true;
}

void register_extract_field(PluginRegistry& registry) {
  add_key_value(registry, "ExtractField", "Replaces the key/value by one of its fields",
                "Extract the specified field from a Struct when schema present, or a Map in the case of schemaless "
                "data. Any null values are passed through unmodified. With field.syntax.version=V2 the field may be "
                "a dotted path into nested structs or maps.",
                ExtractField::spec(), [](Side s) { return std::make_unique<ExtractField>(s); });
}

}  // namespace connectrun::transforms
