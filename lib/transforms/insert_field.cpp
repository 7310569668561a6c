#include "transforms/insert_field.h"

#include "transforms/transforms.h"

namespace connectrun::transforms {

namespace {
constexpr std::string_view kPurpose = "field insertion";

std::optional<InsertField::Insertion> parse_insertion(const config::ConfigValues& cfg, std::string_view key) {
  if (cfg.is_null(key)) return std::nullopt;
  std::string spec = cfg.get_string(key);
  if (!spec.empty() && (spec.back() == '?' || spec.back() == '!')) {
    bool optional = spec.back() == '?';
    spec.pop_back();
    return InsertField::Insertion{spec, optional};
  }
  return InsertField::Insertion{spec, true};
}

config::KeyDef optional_string(std::string name, std::string doc) {
  return config::KeyDef{std::move(name), config::KeyType::String, config::ConfigValue{std::monostate{}},
                        std::move(doc), std::nullopt};
}
}  // namespace

config::ConfigSpec InsertField::spec() {
  const std::string suffix = " Suffix with ! to make this a required field, or ? to keep it optional (the default).";
  config::ConfigSpec s;
  s.define(optional_string("topic.field", "Field name for Kafka topic." + suffix));
  s.define(optional_string("partition.field", "Field name for Kafka partition." + suffix));
  s.define(optional_string("offset.field", "Field name for Kafka offset - only applicable to sink connectors." + suffix));
  s.define(optional_string("timestamp.field", "Field name for record timestamp." + suffix));
  s.define(optional_string("static.field", "Field name for static data field." + suffix));
  s.define(optional_string("static.value", "Static field value, if field name configured."));
  s.define(replace_null_with_default_key());
  return s;
}

void InsertField::configure(const config::ConfigValues& cfg) {
  topic_ = parse_insertion(cfg, "topic.field");
  partition_ = parse_insertion(cfg, "partition.field");
  offset_ = parse_insertion(cfg, "offset.field");
  timestamp_ = parse_insertion(cfg, "timestamp.field");
  static_ = parse_insertion(cfg, "static.field");
  static_value_.reset();
  if (!cfg.is_null("static.value")) static_value_ = cfg.get_string("static.value");
  static_as_value_ = static_value_ ? Value(*static_value_) : Value();
  replace_null_with_default_ = cfg.get_bool("replace.null.with.default");
  // Kafka's InsertField.configure refuses a transform that would insert nothing.
  if (!topic_ && !partition_ && !offset_ && !timestamp_ && !static_)
    throw config::ConfigError("", "No field insertion configured: set at least one of topic.field, partition.field, "
                                  "offset.field, timestamp.field, static.field");
  if (static_ && !static_value_)
    throw config::ConfigError("static.value", "No value specified for static field: " + static_->name);
}

SchemaPtr InsertField::updated_schema(const SchemaPtr& schema) {
  if (auto cached = cache_.get(schema)) return cached;
  SchemaBuilder b = SchemaBuilder::structure();
  copy_schema_basics(*schema, b);
  for (auto& f : schema->fields) b.field(f.name, f.schema);
  if (topic_) b.field(topic_->name, schemas::string(topic_->optional));
  if (partition_) b.field(partition_->name, schemas::int32(partition_->optional));
  if (offset_) b.field(offset_->name, schemas::int64(offset_->optional));
  if (timestamp_) b.field(timestamp_->name, schemas::timestamp().optional(timestamp_->optional).build());
  if (static_) b.field(static_->name, schemas::string(static_->optional));
  SchemaPtr out = b.build();
  cache_.put(schema, out);
  return out;
}

bool InsertField::apply_in_place(Record& record) {
  Value& value = side_value(record, side_);
  if (value.is_null()) return true;  // tombstones pass unchanged
  SchemaPtr& schema = side_schema(record, side_);
  if (!schema) {
    require_map(value, kPurpose);
    MapEntries& updated = value.as<MapEntries>();  // the record is ours: update its map in place
    if (topic_) map_put(updated, topic_->name, Value(record.topic));
    if (partition_ && record.partition) map_put(updated, partition_->name, Value(*record.partition));
    if (offset_) {
      require_sink_record(record, kPurpose);
      map_put(updated, offset_->name, Value(record.bus_offset));
    }
    if (timestamp_ && record.timestamp) map_put(updated, timestamp_->name, Value(*record.timestamp));
    if (static_ && static_value_) map_put(updated, static_->name, static_as_value_);
    return true;
  }
  const StructValue& input = require_struct(value, kPurpose);
  SchemaPtr out_schema = updated_schema(input.schema);
  auto out = StructValue::make(out_schema);
  for (auto& f : input.schema->fields)
    struct_put_from(*out, out_schema->fields[f.index], f,
                    replace_null_with_default_ ? struct_get(input, f) : input.values[f.index]);
  if (topic_) out->put(topic_->name, Value(record.topic));
  if (partition_ && record.partition) out->put(partition_->name, Value(*record.partition));
  if (offset_) {
    require_sink_record(record, kPurpose);
    out->put(offset_->name, Value(record.bus_offset));
  }
  if (timestamp_ && record.timestamp) out->put(timestamp_->name, Value(Timestamp{*record.timestamp}));
  if (static_ && static_value_) out->put(static_->name, Value(*static_value_));
  schema = out_schema;
  value = Value(std::move(out));
  return true;
}

void register_insert_field(PluginRegistry& registry) {
  add_key_value(registry, "InsertField", "Adds topic, partition, offset, timestamp or a static value as fields",
                "Insert field(s) using attributes from the record metadata or a configured static value. Applies to "
                "Struct when schema present, or a Map in the case of schemaless data. Null keys/values pass "
                "through unchanged.",
                InsertField::spec(), [](Side s) { return std::make_unique<InsertField>(s); });
}

}  // namespace connectrun::transforms
