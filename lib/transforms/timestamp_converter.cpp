#include "transforms/timestamp_converter.h"

#include <limits>

#include <fmt/format.h>

#include "transforms/transforms.h"

namespace connectrun::transforms {

namespace {
constexpr std::string_view kPurpose = "converting timestamp formats";
constexpr int64_t kDay = 86400000;

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0); }

// TimeUnit conversions saturate instead of overflowing.
int64_t saturating_mul(int64_t v, int64_t m) {
  if (v > std::numeric_limits<int64_t>::max() / m) return std::numeric_limits<int64_t>::max();
  if (v < std::numeric_limits<int64_t>::min() / m) return std::numeric_limits<int64_t>::min();
  return v * m;
}

std::optional<TimestampConverter::Kind> kind_of_schema(const Schema& s) {
  using K = TimestampConverter::Kind;
  if (s.name == schemas::kTimestampName) return K::Timestamp;
  if (s.name == schemas::kDateName) return K::Date;
  if (s.name == schemas::kTimeName) return K::Time;
  if (s.type == Type::String) return K::String;
  if (s.type == Type::Int64) return K::Unix;
  return std::nullopt;
}

TimestampConverter::Kind require_kind(const Schema& s) {
  if (auto k = kind_of_schema(s)) return *k;
  throw DataException(fmt::format("Schema {}{} does not correspond to a known timestamp type format",
                                  type_name(s.type), s.name ? " " + *s.name : std::string()));
}
}  // namespace

config::ConfigSpec TimestampConverter::spec() {
  config::ConfigSpec s;
  s.define({"field", config::KeyType::String, config::ConfigValue{std::string()},
            "The field containing the timestamp, or empty if the entire value is a timestamp", std::nullopt});
  s.define({"target.type", config::KeyType::String, std::nullopt,
            "The desired timestamp representation: string, unix, Date, Time, or Timestamp",
            config::validators::one_of({"string", "unix", "Date", "Time", "Timestamp"})});
  s.define({"format", config::KeyType::String, config::ConfigValue{std::string()},
            "A SimpleDateFormat-compatible format for the timestamp. Used to generate the output when type=string or "
            "used to parse the input if the input is a string.",
            std::nullopt});
  s.define({"unix.precision", config::KeyType::String, config::ConfigValue{std::string("milliseconds")},
            "The desired Unix precision for the timestamp: seconds, milliseconds, microseconds, or nanoseconds. Used "
            "to generate the output when type=unix or used to parse the input if the input is a Long. Note: This SMT "
            "will cause precision loss during conversions from, and to, values with sub-millisecond components.",
            config::validators::one_of({"nanoseconds", "microseconds", "milliseconds", "seconds"})});
  s.define(replace_null_with_default_key());
  return s;
}

void TimestampConverter::configure(const config::ConfigValues& cfg) {
  field_ = cfg.get_string("field");
  // Kafka's ValidString is case-sensitive; the spec's one_of is not, so match exactly here.
  std::string type = cfg.get_string("target.type");
  if (type == "string") target_ = Kind::String;
  else if (type == "unix") target_ = Kind::Unix;
  else if (type == "Date") target_ = Kind::Date;
  else if (type == "Time") target_ = Kind::Time;
  else if (type == "Timestamp") target_ = Kind::Timestamp;
  else throw config::ConfigError("target.type", "String must be one of: string, unix, Date, Time, Timestamp");
  std::string precision = cfg.get_string("unix.precision");
  if (precision == "seconds") precision_ = Precision::Seconds;
  else if (precision == "milliseconds") precision_ = Precision::Millis;
  else if (precision == "microseconds") precision_ = Precision::Micros;
  else if (precision == "nanoseconds") precision_ = Precision::Nanos;
  else throw config::ConfigError("unix.precision", "String must be one of: nanoseconds, microseconds, milliseconds, seconds");
  std::string pattern = cfg.get_string("format");
  if (target_ == Kind::String && pattern.empty())
    throw config::ConfigError("format", "TimestampConverter requires format option to be specified when using string timestamps");
  format_.reset();
  if (!pattern.empty()) {
    try {
      format_.emplace(pattern);
    } catch (const std::invalid_argument& e) {
      throw config::ConfigError("format", fmt::format("TimestampConverter requires a SimpleDateFormat-compatible "
                                                      "pattern for string timestamps: {} ({})", pattern, e.what()));
    }
  }
  replace_null_with_default_ = cfg.get_bool("replace.null.with.default");
}

int64_t TimestampConverter::to_raw(const Value& v, Kind from) const {
  switch (from) {
    case Kind::String: {
      auto* s = v.get_if<std::string>();
      if (!s) throw DataException(fmt::format("Expected string timestamp to be a String, but found class {}", v.java_class()));
      // Kafka fails with a NullPointerException when no format is configured; say so instead.
      if (!format_) throw DataException("TimestampConverter needs the format option to parse string timestamps");
      auto parsed = format_->parse(*s);
      if (!parsed)
        throw DataException(fmt::format("Could not parse timestamp: value ({}) does not match pattern ({})", *s,
                                        format_->pattern()));
      return *parsed;
    }
    case Kind::Unix: {
      auto* l = v.get_if<int64_t>();
      if (!l) throw DataException(fmt::format("Expected Unix timestamp to be a Long, but found class {}", v.java_class()));
      switch (precision_) {
        case Precision::Seconds: return saturating_mul(*l, 1000);
        case Precision::Micros: return *l / 1000;
        case Precision::Nanos: return *l / 1000000;
        case Precision::Millis: return *l;
      }
      return *l;
    }
    case Kind::Date:
    case Kind::Time:
    case Kind::Timestamp: {
      auto* t = v.get_if<Timestamp>();
      if (!t) {
        std::string_view what = from == Kind::Date ? "Date" : from == Kind::Time ? "Time" : "Timestamp";
        throw DataException(fmt::format("Expected {} to be a java.util.Date, but found class {}", what, v.java_class()));
      }
      return t->millis;
    }
  }
  return 0;
}

Value TimestampConverter::to_type(int64_t millis) const {
  switch (target_) {
    case Kind::String: return Value(format_->format(millis));
    case Kind::Unix:
      switch (precision_) {
        case Precision::Seconds: return Value(millis / 1000);
        case Precision::Micros: return Value(saturating_mul(millis, 1000));
        case Precision::Nanos: return Value(saturating_mul(millis, 1000000));
        case Precision::Millis: return Value(millis);
      }
      return Value(millis);
    case Kind::Date: return Value(Timestamp{floor_div(millis, kDay) * kDay});
    case Kind::Time: return Value(Timestamp{millis - floor_div(millis, kDay) * kDay});
    case Kind::Timestamp: return Value(Timestamp{millis});
  }
  return Value();
}

Value TimestampConverter::convert(const Value& v, std::optional<Kind> from) const {
  if (v.is_null()) return v;
  if (!from) {
    if (v.is<Timestamp>()) from = Kind::Timestamp;
    else if (v.is<int64_t>()) from = Kind::Unix;
    else if (v.is<std::string>()) from = Kind::String;
    else throw DataException(fmt::format("TimestampConverter does not support class {} objects as timestamps", v.java_class()));
  }
  return to_type(to_raw(v, *from));
}

SchemaPtr TimestampConverter::type_schema(bool optional) const {
  switch (target_) {
    case Kind::String: return schemas::string(optional);
    case Kind::Unix: return schemas::int64(optional);
    case Kind::Date: return schemas::date().optional(optional).build();
    case Kind::Time: return schemas::time().optional(optional).build();
    case Kind::Timestamp: return schemas::timestamp().optional(optional).build();
  }
  return nullptr;
}

std::optional<StructValue> TimestampConverter::convert_struct(const StructValue* s, const SchemaPtr& updated) const {
  if (!s) return std::nullopt;
  StructValue out(updated);
  for (auto& f : s->schema->fields) {
    const Value& original = replace_null_with_default_ ? struct_get(*s, f) : s->values[f.index];
    Value v = f.name == field_ ? convert(original, require_kind(*f.schema)) : original;
    out.put(f.name, std::move(v));
  }
  return out;
}

bool TimestampConverter::apply_in_place(Record& record) {
  SchemaPtr& schema = side_schema(record, side_);
  Value& value = side_value(record, side_);
  if (!schema) {
    if (value.is_null() || field_.empty()) {
      value = convert(value, std::nullopt);
      return true;
    }
    MapEntries updated = require_map(value, kPurpose);
    const Value* original = map_find(updated, field_);
    Value converted = original ? convert(*original, std::nullopt) : Value();
    map_put(updated, field_, std::move(converted));
    value = Value(std::move(updated));
    return true;
  }
  if (field_.empty()) {
    Kind from = require_kind(*schema);
    SchemaPtr updated = cache_.get(schema);
    if (!updated) {
      updated = type_schema(schema->optional);
      cache_.put(schema, updated);
    }
    value = convert(value, from);
    schema = updated;
    return true;
  }
  const StructValue* s = require_struct_or_null(value, kPurpose);
  SchemaPtr updated = cache_.get(schema);
  if (!updated) {
    if (schema->type != Type::Struct)
      throw DataException(fmt::format("Only Struct objects supported for [{}], found schema type {}", kPurpose,
                                      type_name(schema->type)));
    SchemaBuilder b = SchemaBuilder::structure();
    copy_schema_basics(*schema, b);
    for (auto& f : schema->fields) b.field(f.name, f.name == field_ ? type_schema(f.schema->optional) : f.schema);
    if (schema->optional) b.optional();
    if (schema->default_value && schema->default_value->is_struct()) {
      SchemaPtr shape = b.build();
      auto def = convert_struct(&schema->default_value->as_struct(), shape);
      b.default_value(Value(std::make_shared<StructValue>(std::move(*def))));
    }
    updated = b.build();
    cache_.put(schema, updated);
  }
  auto out = convert_struct(s, updated);
  value = out ? Value(std::make_shared<StructValue>(std::move(*out))) : Value();
  schema = updated;
  return true;
}

void register_timestamp_converter(PluginRegistry& registry) {
  add_key_value(registry, "TimestampConverter", "Converts timestamps between string, unix, Date, Time and Timestamp",
                "Convert timestamps between different formats such as Unix epoch, strings, and Connect Date/Timestamp "
                "types. Applies to individual fields or to the entire value. String formats are Java "
                "SimpleDateFormat patterns, in UTC.",
                TimestampConverter::spec(), [](Side s) { return std::make_unique<TimestampConverter>(s); });
}

}  // namespace connectrun::transforms
