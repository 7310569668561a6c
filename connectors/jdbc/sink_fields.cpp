#include "connectors/jdbc/sink_fields.h"

#include <algorithm>

#include <fmt/format.h>

#include "plugin/connect_error.h"

namespace connectrun::jdbc {

FieldsMetadata fields_metadata(const std::string& table, PkMode mode, const std::vector<std::string>& pk_fields,
                               const std::set<std::string>& whitelist, const Record& r) {
  FieldsMetadata m;
  const bool tombstone = r.value.is_null();
  if (!tombstone && (!r.value_schema || r.value_schema->type != Type::Struct))
    throw ConnectError(fmt::format("table {}: the record value has {}; the JDBC sink needs a struct with a schema "
                                   "(use a converter with schemas, e.g. JsonConverter with schemas.enable=true, or "
                                   "Avro)", table, r.value_schema ? "a " + std::string(type_name(r.value_schema->type)) + " schema" : "no schema"));
  std::set<std::string> key_names;
  switch (mode) {
    case PkMode::None:
      if (!pk_fields.empty())
        throw ConnectError("pk.fields must be empty when pk.mode is none");
      break;
    case PkMode::Kafka: {
      std::vector<std::string> names = pk_fields.empty()
          ? std::vector<std::string>{"__connect_topic", "__connect_partition", "__connect_offset"} : pk_fields;
      if (names.size() != 3)
        throw ConnectError("pk.mode kafka: pk.fields must name 3 columns (topic, partition, offset) or be empty");
      m.keys.push_back({names[0], schemas::string(), SinkColumn::Topic});
      m.keys.push_back({names[1], schemas::int32(), SinkColumn::Partition});
      m.keys.push_back({names[2], schemas::int64(), SinkColumn::Offset});
      break;
    }
    case PkMode::RecordKey: {
      if (!r.key_schema)
        throw ConnectError(fmt::format("table {}: pk.mode record_key needs a record key with a schema; this record's "
                                       "key has none", table));
      if (r.key_schema->type == Type::Struct) {
        for (auto& f : r.key_schema->fields)
          if (pk_fields.empty() || std::find(pk_fields.begin(), pk_fields.end(), f.name) != pk_fields.end())
            m.keys.push_back({f.name, f.schema, SinkColumn::KeyField, f.index});
        for (auto& p : pk_fields)
          if (!r.key_schema->field(p))
            throw ConnectError(fmt::format("table {}: pk.fields names {}, which the record key does not have", table, p));
      } else {
        if (pk_fields.size() > 1)
          throw ConnectError("pk.mode record_key with a primitive key: pk.fields names at most one column");
        m.keys.push_back({pk_fields.empty() ? "__connect_key" : pk_fields[0], r.key_schema, SinkColumn::KeyWhole});
      }
      break;
    }
    case PkMode::RecordValue: {
      if (tombstone) break;
      for (auto& f : r.value_schema->fields)
        if (pk_fields.empty() || std::find(pk_fields.begin(), pk_fields.end(), f.name) != pk_fields.end())
          m.keys.push_back({f.name, f.schema, SinkColumn::ValueField, f.index});
      for (auto& p : pk_fields)
        if (!r.value_schema->field(p))
          throw ConnectError(fmt::format("table {}: pk.fields names {}, which the record value does not have", table, p));
      break;
    }
  }
  for (auto& k : m.keys) key_names.insert(k.name);
  if (!tombstone)
    for (auto& f : r.value_schema->fields) {
      if (key_names.count(f.name)) continue;
      if (!whitelist.empty() && !whitelist.count(f.name)) continue;
      m.values.push_back({f.name, f.schema, SinkColumn::ValueField, f.index});
    }
  return m;
}

namespace {
// A record's struct field: by the column's index when the struct's schema has the column there (records of
// one group share their schema), else by name.
const Value& field_of(const StructValue& s, const SinkColumn& c) {
  if (c.index < s.values.size() && c.index < s.schema->fields.size() && s.schema->fields[c.index].name == c.name)
    return s.values[c.index];
  return s.get(c.name);
}
}  // namespace

namespace {
// The column's value as the record holds it; nullptr for the Kafka coordinates, which the record holds elsewhere.
const Value* held(const SinkColumn& c, const Record& r) {
  static const Value kNull;
  switch (c.source) {
    case SinkColumn::KeyWhole: return &r.key;
    case SinkColumn::KeyField: return r.key.is_null() ? &kNull : &field_of(r.key.as_struct(), c);
    case SinkColumn::ValueField: return r.value.is_null() ? &kNull : &field_of(r.value.as_struct(), c);
    default: return nullptr;
  }
}
// Whether column_value() sends `v` other than as it is: a logical date or time as text, a default for a null.
bool converted(const SinkColumn& c, const Value& v) {
  return (v.is<Timestamp>() && c.schema && c.schema->name) || (v.is_null() && c.schema && c.schema->default_value);
}
}  // namespace

const Value* column_ref(const SinkColumn& c, const Record& r) {
  const Value* v = held(c, r);
  return v && !converted(c, *v) ? v : nullptr;
}

Value column_value(const SinkColumn& c, const Record& r, const DbTimeZone* tz) {
  switch (c.source) {
    case SinkColumn::Topic: return Value(r.topic);
    case SinkColumn::Partition: return Value(static_cast<int32_t>(r.partition.value_or(0)));
    case SinkColumn::Offset: return Value(static_cast<int64_t>(r.bus_offset));
    default: break;
  }
  const Value& v = *held(c, r);
  if (!converted(c, v)) return v;
  if (v.is_null()) return *c.schema->default_value;
  const int64_t millis = v.as<Timestamp>().millis;
  if (*c.schema->name == schemas::kDateName) return Value(format_date(millis));
  if (*c.schema->name == schemas::kTimeName) return Value(format_time(millis));
  if (tz && !tz->is_utc()) return Value(format_timestamp_nanos(tz->to_local_ns(millis * 1000000)).substr(0, 23));
  return Value(format_timestamp(millis));
}

}  // namespace connectrun::jdbc
