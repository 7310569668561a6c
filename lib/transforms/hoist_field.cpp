#include "transforms/hoist_field.h"

#include "transforms/transforms.h"

namespace connectrun::transforms {

config::ConfigSpec HoistField::spec() {
  config::ConfigSpec s;
  s.define({"field", config::KeyType::String, std::nullopt,
            "Field name for the single field that will be created in the resulting Struct or Map.", std::nullopt});
  return s;
}

void HoistField::configure(const config::ConfigValues& cfg) { field_ = cfg.get_string("field"); }

bool HoistField::apply_in_place(Record& record) {
  SchemaPtr& schema = side_schema(record, side_);
  Value& value = side_value(record, side_);
  if (!schema) {
    MapEntries m;
    m.emplace_back(Value(field_), std::move(value));
    value = Value(std::move(m));
    return true;
  }
  SchemaPtr updated = cache_.get(schema);
  if (!updated) {
    updated = SchemaBuilder::structure().field(field_, schema).build();
    cache_.put(schema, updated);
  }
  auto out = StructValue::make(updated);
  out->put(updated->fields[0], std::move(value));
  schema = updated;
  value = Value(std::move(out));
  return true;
}

void register_hoist_field(PluginRegistry& registry) {
  add_key_value(registry, "HoistField", "Wraps the key/value in a one-field struct or map",
                "Wrap data using the specified field name in a Struct when schema present, or a Map in the case of "
                "schemaless data.",
                HoistField::spec(), [](Side s) { return std::make_unique<HoistField>(s); });
}

}  // namespace connectrun::transforms
