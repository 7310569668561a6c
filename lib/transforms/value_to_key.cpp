#include "transforms/value_to_key.h"

#include <fmt/format.h>

#include "transforms/transforms.h"

namespace connectrun::transforms {

namespace {
constexpr std::string_view kPurpose = "copying fields from value to key";
}

config::ConfigSpec ValueToKey::spec() {
  config::ConfigSpec s;
  s.define({"fields", config::KeyType::List, std::nullopt, "Field names on the record value to extract as the record key.",
            non_empty_list()});
  s.define(replace_null_with_default_key());
  return s;
}

void ValueToKey::configure(const config::ConfigValues& cfg) {
  fields_ = cfg.get_list("fields");
  replace_null_with_default_ = cfg.get_bool("replace.null.with.default");
}

bool ValueToKey::apply_in_place(Record& record) {
  if (!record.value_schema) {
    const MapEntries& value = require_map(record.value, kPurpose);
    MapEntries key;
    for (auto& f : fields_) {
      const Value* v = map_find(value, f);
      map_put(key, f, v ? *v : Value());
    }
    record.key_schema = nullptr;
    record.key = Value(std::move(key));
    return true;
  }
  const StructValue& value = require_struct(record.value, kPurpose);
  SchemaPtr key_schema = cache_.get(value.schema);
  if (!key_schema) {
    SchemaBuilder b = SchemaBuilder::structure();
    for (auto& name : fields_) {
      const Field* f = value.schema->field(name);
      if (!f) throw DataException(fmt::format("Field does not exist: {}", name));
      b.field(name, f->schema);
    }
    key_schema = b.build();
    cache_.put(value.schema, key_schema);
  }
  auto key = StructValue::make(key_schema);
  for (auto& f : key_schema->fields) {
    const Field* from = value.schema->field(f.name);
    struct_put_from(*key, f, *from, replace_null_with_default_ ? struct_get(value, *from) : value.values[from->index]);
  }
  record.key_schema = key_schema;
  record.key = Value(std::move(key));
  return true;
}

void register_value_to_key(PluginRegistry& registry) {
  add_transform(registry, "ValueToKey", "Sets the key from fields of the value",
                "Replace the record key with a new key formed from a subset of fields in the record value.",
                ValueToKey::spec(), [] { return std::make_unique<ValueToKey>(); });
}

}  // namespace connectrun::transforms
