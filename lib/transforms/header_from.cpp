#include "transforms/header_from.h"

#include <algorithm>

#include <fmt/format.h>

#include "transforms/transforms.h"

namespace connectrun::transforms {

config::ConfigSpec HeaderFrom::spec() {
  config::ConfigSpec s;
  s.define({"fields", config::KeyType::List, std::nullopt,
            "Field names in the record whose values are to be copied or moved to headers.", non_empty_list()});
  s.define({"headers", config::KeyType::List, std::nullopt,
            "Header names, in the same order as the field names listed in the fields configuration property.",
            non_empty_list()});
  s.define({"operation", config::KeyType::String, std::nullopt,
            "Either move if the fields are to be moved to the headers (removed from the key/value), or copy if the "
            "fields are to be copied to the headers (retained in the key/value).",
            config::validators::one_of({"move", "copy"})});
  s.define(replace_null_with_default_key());
  return s;
}

void HeaderFrom::configure(const config::ConfigValues& cfg) {
  fields_ = cfg.get_list("fields");
  headers_ = cfg.get_list("headers");
  if (fields_.size() != headers_.size())
    throw config::ConfigError("headers", "'fields' config must have the same number of elements as 'headers' config.");
  std::string op = cfg.get_string("operation");
  std::transform(op.begin(), op.end(), op.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  move_ = op == "move";
  replace_null_with_default_ = cfg.get_bool("replace.null.with.default");
}

SchemaPtr HeaderFrom::move_schema(const SchemaPtr& schema) {
  if (auto cached = cache_.get(schema)) return cached;
  SchemaBuilder b = SchemaBuilder::structure();
  copy_schema_basics(*schema, b);
  for (auto& f : schema->fields)
    if (std::find(fields_.begin(), fields_.end(), f.name) == fields_.end()) b.field(f.name, f.schema);
  SchemaPtr out = b.build();
  cache_.put(schema, out);
  return out;
}

bool HeaderFrom::apply_in_place(Record& record) {
  SchemaPtr& schema = side_schema(record, side_);
  Value& value = side_value(record, side_);
  std::string purpose = move_ ? "header move" : "header copy";
  if (!schema) {
    MapEntries updated = require_map(value, purpose);
    for (size_t i = 0; i < fields_.size(); ++i) {
      const Value* v = map_find(updated, fields_[i]);
      Value field_value = v ? *v : Value();
      record.headers.push_back(Header{headers_[i], nullptr, field_value});
    }
    if (move_)
      for (auto& f : fields_) map_erase(updated, f);
    value = Value(std::move(updated));
    return true;
  }
  const StructValue& input = require_struct(value, purpose);
  for (size_t i = 0; i < fields_.size(); ++i) {
    const Field* f = schema->field(fields_[i]);
    // Kafka fails here with a NullPointerException; say what is missing instead.
    if (!f) throw DataException(fmt::format("Field does not exist: {}", fields_[i]));
    const Value& v = replace_null_with_default_ ? struct_get(input, *f) : input.values[f->index];
    record.headers.push_back(Header{headers_[i], f->schema, v});
  }
  if (move_) {
    SchemaPtr updated_schema = move_schema(schema);
    auto out = StructValue::make(updated_schema);
    for (auto& f : updated_schema->fields) {
      const Field* orig = input.schema->field(f.name);
      struct_put_from(*out, f, *orig, replace_null_with_default_ ? struct_get(input, *orig) : input.values[orig->index]);
    }
    schema = updated_schema;
    value = Value(std::move(out));
  }
  return true;
}

void register_header_from(PluginRegistry& registry) {
  add_key_value(registry, "HeaderFrom", "Moves or copies fields into headers",
                "Moves or copies fields in the key/value of a record into that record's headers. Corresponding "
                "elements of fields and headers together identify a field and the header it should be moved or "
                "copied to.",
                HeaderFrom::spec(), [](Side s) { return std::make_unique<HeaderFrom>(s); });
}

}  // namespace connectrun::transforms
