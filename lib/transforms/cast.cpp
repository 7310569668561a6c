#include "transforms/cast.h"

#include <cctype>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "transforms/java_text.h"
#include "transforms/transforms.h"
#include "transforms/util.h"

namespace connectrun::transforms {

namespace {
constexpr std::string_view kPurpose = "cast types";
constexpr std::string_view kOutputTypes = "[INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING]";
constexpr std::string_view kInputTypes = "[INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, STRING, BYTES]";

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

bool is_output_type(Type t) { return is_primitive(t) && t != Type::Bytes; }

Type output_type(const std::string& text) {
  auto t = type_from_name(trim(text) == "" ? std::string("?") : [&] {
    std::string l = trim(text);
    for (auto& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return l;
  }());
  if (!t) throw config::ConfigError("spec", fmt::format("Invalid type found in casting spec: {}", trim(text)));
  if (!is_output_type(*t))
    throw config::ConfigError("spec", fmt::format("Cast transformation does not support casting to {}; supported types are {}",
                                                  upper(type_name(*t)), kOutputTypes));
  return *t;
}

// A Java Number (Byte … Double, BigDecimal) seen through Number's xxxValue() methods.
struct Number {
  bool floating = false;
  int64_t i = 0;
  double d = 0;
  int64_t long_value() const {
    if (!floating) return i;
    if (std::isnan(d)) return 0;  // Java's narrowing: NaN → 0, saturating at the bounds
    if (d >= 9.2233720368547758e18) return std::numeric_limits<int64_t>::max();
    if (d <= -9.2233720368547758e18) return std::numeric_limits<int64_t>::min();
    return static_cast<int64_t>(d);
  }
  int32_t int_value() const {
    if (!floating) return static_cast<int32_t>(static_cast<uint32_t>(i));
    if (std::isnan(d)) return 0;
    if (d >= 2147483647.0) return std::numeric_limits<int32_t>::max();
    if (d <= -2147483648.0) return std::numeric_limits<int32_t>::min();
    return static_cast<int32_t>(d);
  }
  bool decimal = false;  // BigDecimal: integral part in i, nearest double in d
  double double_value() const { return floating || decimal ? d : static_cast<double>(i); }
};

struct NumberOf {
  std::optional<Number> operator()(int8_t x) const { return Number{false, x, 0}; }
  std::optional<Number> operator()(int16_t x) const { return Number{false, x, 0}; }
  std::optional<Number> operator()(int32_t x) const { return Number{false, x, 0}; }
  std::optional<Number> operator()(int64_t x) const { return Number{false, x, 0}; }
  std::optional<Number> operator()(float x) const { return Number{true, 0, x}; }
  std::optional<Number> operator()(double x) const { return Number{true, 0, x}; }
  std::optional<Number> operator()(const Decimal& x) const {
    // BigDecimal: integral conversions truncate toward zero; the double is the nearest one.
    std::string text = x.to_string();
    Number n{true, 0, std::strtod(text.c_str(), nullptr)};
    if (std::abs(n.d) < 9.2e18) {
      auto point = text.find('.');
      n.i = std::strtoll(text.substr(0, point).c_str(), nullptr, 10);
      n.floating = false;
      n.decimal = true;
    }
    return n;
  }
  template <class T>
  std::optional<Number> operator()(const T&) const { return std::nullopt; }
};

std::optional<Number> as_number(const Value& v) { return std::visit(NumberOf{}, v.storage()); }

struct NumberFormatError {};

Value encode_logical(const Schema& schema, const Value& v) {
  auto* ts = v.get_if<Timestamp>();
  if (!ts || !schema.name) return v;
  if (*schema.name == schemas::kDateName) return Value(static_cast<int32_t>(ts->millis / 86400000));
  if (*schema.name == schemas::kTimeName) return Value(static_cast<int32_t>(ts->millis));
  if (*schema.name == schemas::kTimestampName) return Value(ts->millis);
  return v;
}

Value cast_to(const Value& v, Type target) {
  auto unexpected = [&]() -> DataException {
    return DataException(fmt::format("Unexpected type in Cast transformation: class {}", v.java_class()));
  };
  if (target == Type::String) {
    return Value(java_to_string(v));
  }
  if (auto* b = v.get_if<bool>()) {
    switch (target) {
      case Type::Int8: return Value(static_cast<int8_t>(*b ? 1 : 0));
      case Type::Int16: return Value(static_cast<int16_t>(*b ? 1 : 0));
      case Type::Int32: return Value(static_cast<int32_t>(*b ? 1 : 0));
      case Type::Int64: return Value(static_cast<int64_t>(*b ? 1 : 0));
      case Type::Float32: return Value(*b ? 1.0f : 0.0f);
      case Type::Float64: return Value(*b ? 1.0 : 0.0);
      case Type::Boolean: return v;
      default: break;
    }
  }
  if (auto* s = v.get_if<std::string>()) {
    auto parse_int = [&](int64_t min, int64_t max) {
      auto r = java_parse_integer(*s, min, max);
      if (!r) throw NumberFormatError{};
      return *r;
    };
    switch (target) {
      case Type::Int8: return Value(static_cast<int8_t>(parse_int(INT8_MIN, INT8_MAX)));
      case Type::Int16: return Value(static_cast<int16_t>(parse_int(INT16_MIN, INT16_MAX)));
      case Type::Int32: return Value(static_cast<int32_t>(parse_int(INT32_MIN, INT32_MAX)));
      case Type::Int64: return Value(parse_int(INT64_MIN, INT64_MAX));
      case Type::Float32:
      case Type::Float64: {
        auto d = java_parse_double(*s);
        if (!d) throw NumberFormatError{};
        return target == Type::Float32 ? Value(static_cast<float>(*d)) : Value(*d);
      }
      case Type::Boolean: {
        std::string l = *s;
        for (auto& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return Value(l == "true");
      }
      default: break;
    }
  }
  if (auto n = as_number(v)) {
    switch (target) {
      case Type::Int8: return Value(static_cast<int8_t>(n->floating ? n->int_value() : n->i));
      case Type::Int16: return Value(static_cast<int16_t>(n->floating ? n->int_value() : n->i));
      case Type::Int32: return Value(n->int_value());
      case Type::Int64: return Value(n->long_value());
      case Type::Float32: return Value(n->floating || n->decimal ? static_cast<float>(n->d) : static_cast<float>(n->i));
      case Type::Float64: return Value(n->double_value());
      case Type::Boolean: return Value(n->long_value() != 0);
      default: break;
    }
  }
  throw unexpected();
}
}  // namespace

std::vector<std::pair<std::string, Type>> Cast::parse_spec(const std::vector<std::string>& entries) {
  if (entries.empty()) throw config::ConfigError("spec", "Must specify at least one field to cast.");
  std::vector<std::pair<std::string, Type>> out;
  bool whole = false;
  for (auto& mapping : entries) {
    auto parts = split_colon(mapping);
    if (parts.size() > 2)
      throw config::ConfigError("spec", fmt::format("Invalid rename mapping: {}", mapping));
    if (parts.size() == 1) {
      out.emplace_back("", output_type(parts[0]));
      whole = true;
    } else {
      out.emplace_back(trim(parts[0]), output_type(parts[1]));
    }
  }
  if (whole && entries.size() > 1)
    throw config::ConfigError("spec", "Cast transformations that specify a type to cast the entire value to may ony "
                                      "specify a single cast in their spec");
  return out;
}

config::ConfigSpec Cast::spec() {
  config::ConfigSpec s;
  s.define({"spec", config::KeyType::List, std::nullopt,
            "List of fields and the type to cast them to of the form field1:type,field2:type to cast fields of Maps "
            "or Structs. A single type to cast the entire value. Valid types are int8, int16, int32, int64, float32, "
            "float64, boolean, and string. Note that binary fields can only be cast to string.",
            config::Validator{[](const config::ConfigValue& v) -> std::optional<std::string> {
                                try {
                                  parse_spec(std::get<std::vector<std::string>>(v));
                                } catch (const config::ConfigError& e) {
                                  return std::string(e.what());
                                }
                                return std::nullopt;
                              },
                              "list of colon-delimited pairs, e.g. foo:bar,abc:xyz"}});
  s.define(replace_null_with_default_key());
  return s;
}

void Cast::configure(const config::ConfigValues& cfg) {
  casts_ = parse_spec(cfg.get_list("spec"));
  whole_.reset();
  if (casts_.size() == 1 && casts_[0].first.empty()) whole_ = casts_[0].second;
  replace_null_with_default_ = cfg.get_bool("replace.null.with.default");
}

Value Cast::cast_value(const SchemaPtr& schema, const Value& value, Type target) {
  if (value.is_null()) return value;
  auto type = schema ? std::optional<Type>(schema->type) : value.schema_type();
  if (!type)
    throw DataException(fmt::format("Cast transformation was passed a value of type class {} which is not "
                                    "supported by Connect's data API", value.java_class()));
  if (!is_primitive(*type))
    throw DataException(fmt::format("Cast transformation does not support casting from {}; supported types are {}",
                                    upper(type_name(*type)), kInputTypes));
  Value v = schema && schema->name && target != Type::String ? encode_logical(*schema, value) : value;
  try {
    return cast_to(v, target);
  } catch (const NumberFormatError&) {
    throw DataException(fmt::format("Value ({}) was out of range for requested data type", java_to_string(v)));
  }
}

namespace {
SchemaBuilder builder_for(Type t) { return SchemaBuilder(t); }
}  // namespace

SchemaPtr Cast::output_schema(const SchemaPtr& input) {
  if (auto cached = cache_.get(input)) return cached;
  SchemaBuilder builder = builder_for(whole_ ? *whole_ : Type::Struct);
  copy_schema_basics(*input, builder);
  if (!whole_) {
    for (auto& f : input->fields) {
      auto it = std::find_if(casts_.begin(), casts_.end(), [&](auto& c) { return c.first == f.name; });
      if (it == casts_.end()) {
        builder.field(f.name, f.schema);
        continue;
      }
      SchemaBuilder fb = builder_for(it->second);
      if (f.schema->optional) fb.optional();
      if (f.schema->default_value) fb.default_value(cast_value(f.schema, *f.schema->default_value, it->second));
      builder.field(f.name, fb.build());
    }
  }
  if (input->optional) builder.optional();
  if (input->default_value) builder.default_value(cast_value(input, *input->default_value, builder.schema().type));
  SchemaPtr out = builder.build();
  cache_.put(input, out);
  return out;
}

bool Cast::apply_in_place(Record& record) {
  Value& value = side_value(record, side_);
  if (value.is_null()) return true;
  SchemaPtr& schema = side_schema(record, side_);
  if (!schema) {
    if (whole_) {
      value = cast_value(nullptr, value, *whole_);
      return true;
    }
    MapEntries updated = require_map(value, kPurpose);
    for (auto& [field, type] : casts_) {
      const Value* original = map_find(updated, field);
      Value cast = original ? cast_value(nullptr, *original, type) : Value();
      map_put(updated, field, std::move(cast));
    }
    value = Value(std::move(updated));
    return true;
  }
  SchemaPtr updated_schema = output_schema(schema);
  if (whole_) {
    value = cast_value(schema, value, *whole_);
    schema = updated_schema;
    return true;
  }
  const StructValue& input = require_struct(value, kPurpose);
  auto out = StructValue::make(updated_schema);
  for (auto& f : input.schema->fields) {
    const Value& original = replace_null_with_default_ ? struct_get(input, f) : input.values[f.index];
    auto it = std::find_if(casts_.begin(), casts_.end(), [&](auto& c) { return c.first == f.name; });
    const Field* target = updated_schema->field(f.name);
    if (it == casts_.end()) struct_put_from(*out, *target, f, original);
    else out->put(*target, cast_value(f.schema, original, it->second));
  }
  value = Value(std::move(out));
  schema = updated_schema;
  return true;
}

void register_cast(PluginRegistry& registry) {
  add_key_value(registry, "Cast", "Casts fields or the whole key/value to another primitive type",
                "Cast fields or the entire key or value to a specific type, e.g. to force an integer field to a "
                "smaller width. Cast from integers, floats, boolean and string to any other type, and cast binary to "
                "string (base64 encoded).",
                Cast::spec(), [](Side s) { return std::make_unique<Cast>(s); });
}

}  // namespace connectrun::transforms
