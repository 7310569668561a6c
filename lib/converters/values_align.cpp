// Values.commonSchemaFor and Values.convertTo (without a source schema): the
// parts of parseString that give an array or map one element schema.
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "converters/values.h"
#include "json/json_writer.h"

namespace connectrun::values {

namespace {

// BigDecimal.doubleValue(): unscaled digits and exponent straight to strtod.
// The plain text (to_string) of 1e999999999 would be a gigabyte of zeros.
double decimal_to_double(const Decimal& d) {
  return std::strtod(fmt::format("{}e{}", decimal_unscaled_digits(d), -static_cast<int64_t>(d.scale)).c_str(), nullptr);
}
constexpr int64_t kMillisPerDay = 24LL * 60 * 60 * 1000;

bool is_numeric(Type t) {
  return t == Type::Int8 || t == Type::Int16 || t == Type::Int32 || t == Type::Int64 || t == Type::Float32 ||
         t == Type::Float64;
}
int numeric_rank(Type t) { return static_cast<int>(t) - static_cast<int>(Type::Int8); }

[[noreturn]] void unable(const Value& v, const Schema& to) {
  throw DataException(fmt::format("Unable to convert {} ({}) to {}", convert_to_string(v), v.java_class(),
                                  type_name(to.type)));
}

// Java's double → long narrowing: truncation, NaN → 0, saturation.
int64_t java_d2l(double d) {
  if (std::isnan(d)) return 0;
  if (d >= 9.2233720368547758e18) return INT64_MAX;
  if (d <= -9.2233720368547758e18) return INT64_MIN;
  return static_cast<int64_t>(d);
}

std::optional<double> as_double_opt(const Value& v) {
  switch (v.storage().index()) {
    case 2: return v.as<int8_t>();
    case 3: return v.as<int16_t>();
    case 4: return v.as<int32_t>();
    case 5: return static_cast<double>(v.as<int64_t>());
    case 6: return v.as<float>();
    case 7: return v.as<double>();
    case 13: return decimal_to_double(v.as<Decimal>());
    case 8: {
      try {
        return decimal_to_double(Decimal::from_string(v.as<std::string>()));
      } catch (const DataException&) {
        return std::nullopt;
      }
    }
    default: return std::nullopt;
  }
}

int64_t as_long(const Value& v, const Schema& to) {
  switch (v.storage().index()) {
    case 2: return v.as<int8_t>();
    case 3: return v.as<int16_t>();
    case 4: return v.as<int32_t>();
    case 5: return v.as<int64_t>();
    default: break;
  }
  if (auto d = as_double_opt(v)) return java_d2l(*d);
  unable(v, to);
}
}  // namespace

SchemaPtr common_schema_for(const SchemaPtr& previous, const std::optional<SchemaAndValue>& latest) {
  if (!latest) return previous;
  if (!previous) return latest->schema;
  const SchemaPtr& next = latest->schema;
  if (!next) return nullptr;
  if (previous->type != next->type) {
    // Numbers widen to the larger type; nothing else mixes.
    if (is_numeric(previous->type) && is_numeric(next->type))
      return numeric_rank(next->type) > numeric_rank(previous->type) ? next : previous;
    return nullptr;
  }
  if (previous->optional == next->optional) return previous->optional ? previous : next;
  if (!(*previous == *next)) return nullptr;
  return previous;
}

Value convert_to(const SchemaPtr& to, const Value& v) {
  if (v.is_null()) {
    if (to->optional) return Value();
    throw DataException("Unable to convert a null value to a schema that requires a value");
  }
  const std::string* name = to->name ? &*to->name : nullptr;
  switch (to->type) {
    case Type::String: return Value(convert_to_string(v));
    case Type::Boolean: {
      if (v.is<bool>()) return v;
      if (const auto* s = v.get_if<std::string>()) {
        auto parsed = parse_string(*s);
        if (parsed.value.is<bool>()) return parsed.value;
      }
      return Value(as_long(v, *to) != 0);
    }
    case Type::Int8: return v.is<int8_t>() ? v : Value(static_cast<int8_t>(as_long(v, *to)));
    case Type::Int16: return v.is<int16_t>() ? v : Value(static_cast<int16_t>(as_long(v, *to)));
    case Type::Int32:
    case Type::Int64: {
      bool temporal = name && (*name == schemas::kDateName || *name == schemas::kTimeName || *name == schemas::kTimestampName);
      if (temporal) {
        Value value = v;
        if (const auto* s = v.get_if<std::string>()) value = parse_string(*s).value;
        if (value.is<Timestamp>()) return value;  // no source schema: no conversion needed
        int64_t n = as_long(value, *to);
        return Value(Timestamp{*name == schemas::kDateName ? n * kMillisPerDay : n});
      }
      if (to->type == Type::Int32) return v.is<int32_t>() ? v : Value(static_cast<int32_t>(as_long(v, *to)));
      return v.is<int64_t>() ? v : Value(as_long(v, *to));
    }
    case Type::Float32: {
      if (v.is<float>()) return v;
      auto d = as_double_opt(v);
      if (!d) unable(v, *to);
      return Value(static_cast<float>(*d));
    }
    case Type::Float64: {
      if (v.is<double>()) return v;
      auto d = as_double_opt(v);
      if (!d) unable(v, *to);
      return Value(*d);
    }
    case Type::Bytes:
      if (v.is<Bytes>() || v.is<Decimal>()) return v;
      break;
    case Type::Array:
      if (v.is<Array>()) return v;
      break;
    case Type::Map:
      if (v.is<MapEntries>()) return v;
      break;
    case Type::Struct:
      if (v.is_struct()) return v;
      break;
  }
  unable(v, *to);
}

}  // namespace connectrun::values
