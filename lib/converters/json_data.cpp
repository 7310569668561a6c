#include "converters/json_data.h"

#include <charconv>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "json/base64.h"
#include "json/json_reader.h"
#include "json/json_writer.h"

namespace connectrun::json {

namespace {
constexpr int64_t kMillisPerDay = 24LL * 60 * 60 * 1000;

using simdjson::dom::element;
using simdjson::dom::element_type;

int32_t decimal_scale(const Schema& s) {
  const std::string* text = s.parameter(schemas::kDecimalScaleParam);
  if (!text) throw DataException("Invalid Decimal schema: scale parameter not found.");
  int32_t scale = 0;
  auto res = std::from_chars(text->data(), text->data() + text->size(), scale);
  if (res.ec != std::errc() || res.ptr != text->data() + text->size())
    throw DataException(fmt::format("Invalid scale parameter found in Decimal schema: {}", *text));
  return scale;
}

[[noreturn]] void invalid_type(const Schema* schema, const Value& v) {
  throw DataException(fmt::format("Invalid type for {}: class {}",
                                  schema ? upper_type_name(schema->type) : std::string("unknown schema"),
                                  v.java_class()));
}

// Logical types: true when handled.
bool append_logical(std::string& out, const Schema& s, const Value& v, const Options& opts) {
  const std::string& name = *s.name;
  if (name == schemas::kDecimalName) {
    const auto* d = v.get_if<Decimal>();
    if (!d) throw DataException(fmt::format("Invalid type for Decimal, expected BigDecimal but was class {}", v.java_class()));
    if (opts.decimal_format == DecimalFormat::Numeric) {
      append_big_decimal(out, *d);
    } else {
      if (d->scale != decimal_scale(s)) throw DataException("BigDecimal has mismatching scale value for given Decimal schema");
      out.push_back('"');
      base64::encode(out, d->unscaled);
      out.push_back('"');
    }
    return true;
  }
  bool is_date = name == schemas::kDateName, is_time = name == schemas::kTimeName;
  if (is_date || is_time || name == schemas::kTimestampName) {
    const auto* t = v.get_if<Timestamp>();
    std::string_view logical = is_date ? "Date" : is_time ? "Time" : "Timestamp";
    if (!t) throw DataException(fmt::format("Invalid type for {}, expected Date but was class {}", logical, v.java_class()));
    int64_t n = t->millis;
    if (is_date) {
      if (n % kMillisPerDay != 0)
        throw DataException("Kafka Connect Date type should not have any time fields set to non-zero values.");
      n /= kMillisPerDay;
    } else if (is_time && (n < 0 || n >= kMillisPerDay)) {
      throw DataException("Kafka Connect Time type should not have any date fields set to non-zero values.");
    }
    append_integer(out, n);
    return true;
  }
  return false;
}

// The schema type a schemaless value stands for (ConnectSchema.schemaType).
Type type_of_value(const Value& v) {
  if (auto t = v.schema_type()) return *t;
  throw DataException(fmt::format("Java class class {} does not have corresponding schema type.", v.java_class()));
}

template <class T>
const T& expect(const Schema* schema, const Value& v) {
  const T* p = v.get_if<T>();
  if (!p) invalid_type(schema, v);
  return *p;
}
}  // namespace

std::string upper_type_name(Type t) {
  std::string s(type_name(t));
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

void append_connect_value(std::string& out, const Schema* schema, const Value& v, const Options& opts) {
  if (v.is_null()) {
    if (!schema) {
      out.append("null");
      return;
    }
    if (schema->default_value && !schema->default_value->is_null() && opts.replace_null_with_default)
      return append_connect_value(out, schema, *schema->default_value, opts);
    if (schema->optional) {
      out.append("null");
      return;
    }
    throw DataException("Conversion error: null value for field that is required and has no default value");
  }
  if (schema && schema->name && append_logical(out, *schema, v, opts)) return;
  Type t = schema ? schema->type : type_of_value(v);
  switch (t) {
    case Type::Int8: append_integer(out, expect<int8_t>(schema, v)); return;
    case Type::Int16: append_integer(out, expect<int16_t>(schema, v)); return;
    case Type::Int32: append_integer(out, expect<int32_t>(schema, v)); return;
    case Type::Int64: append_integer(out, expect<int64_t>(schema, v)); return;
    case Type::Float32: append_json_float(out, expect<float>(schema, v)); return;
    case Type::Float64: append_json_double(out, expect<double>(schema, v)); return;
    case Type::Boolean: out.append(expect<bool>(schema, v) ? "true" : "false"); return;
    case Type::String: append_json_string(out, expect<std::string>(schema, v)); return;
    case Type::Bytes:
      out.push_back('"');
      base64::encode(out, expect<Bytes>(schema, v).data);
      out.push_back('"');
      return;
    case Type::Array: {
      const auto& arr = expect<Array>(schema, v);
      const Schema* items = schema ? schema->value_schema.get() : nullptr;
      out.push_back('[');
      for (size_t i = 0; i < arr.size(); ++i) {
        if (i) out.push_back(',');
        append_connect_value(out, items, arr[i], opts);
      }
      out.push_back(']');
      return;
    }
    case Type::Map: {
      const auto& map = expect<MapEntries>(schema, v);
      const Schema* ks = schema ? schema->key_schema.get() : nullptr;
      const Schema* vs = schema ? schema->value_schema.get() : nullptr;
      // String keys give a JSON object; any other key type an array of [key, value] pairs.
      bool object_mode = true;
      if (schema) {
        object_mode = ks->type == Type::String;
      } else {
        for (auto& [k, val] : map)
          if (!k.is<std::string>()) object_mode = false;
      }
      out.push_back(object_mode ? '{' : '[');
      bool first = true;
      std::string key_text;
      for (auto& [k, val] : map) {
        if (!first) out.push_back(',');
        first = false;
        if (object_mode) {
          // Jackson uses the key node's text: a null key (allowed by an optional key schema) reads "null".
          if (k.is_null() && !(ks && ks->default_value && opts.replace_null_with_default)) {
            if (ks && !ks->optional)
              throw DataException("Conversion error: null value for field that is required and has no default value");
            out.append("\"null\"");
          } else {
            const Value& key = k.is_null() ? *ks->default_value : k;
            append_json_string(out, expect<std::string>(ks, key));
          }
          out.push_back(':');
          append_connect_value(out, vs, val, opts);
        } else {
          out.push_back('[');
          append_connect_value(out, ks, k, opts);
          out.push_back(',');
          append_connect_value(out, vs, val, opts);
          out.push_back(']');
        }
      }
      out.push_back(object_mode ? '}' : ']');
      return;
    }
    case Type::Struct: {
      if (!v.is_struct()) invalid_type(schema, v);
      const StructValue& st = v.as_struct();
      if (!schema || (st.schema.get() != schema && !(*st.schema == *schema))) throw DataException("Mismatching schema.");
      out.push_back('{');
      for (size_t i = 0; i < schema->fields.size(); ++i) {
        const Field& f = schema->fields[i];
        if (i) out.push_back(',');
        if (!f.json_key.empty()) {
          out += f.json_key;
        } else {
          append_json_string(out, f.name);
          out.push_back(':');
        }
        append_connect_value(out, f.schema.get(), st.values[f.index], opts);
      }
      out.push_back('}');
      return;
    }
  }
}

// ------------------------------------------------------------------ reading
namespace {

[[noreturn]] void wrong_json_type(const Schema& s, const element& e, std::string_view expected) {
  throw DataException(fmt::format("Invalid value for {} schema: expected {} but found {}", upper_type_name(s.type),
                                  expected, json_node_type(e)));
}

// A JSON number as a whole number, truncated toward zero as Java's
// intValue()/longValue() do for fractions, and range-checked (Kafka wraps).
int64_t integral_value(const Schema& s, const element& e, int64_t min, int64_t max) {
  int64_t n = 0;
  switch (e.type()) {
    case element_type::INT64: n = e.get_int64().value_unsafe(); break;
    case element_type::UINT64:
      throw DataException(fmt::format("Value {} is out of range for {}", e.get_uint64().value_unsafe(), upper_type_name(s.type)));
    case element_type::DOUBLE: {
      double d = std::trunc(e.get_double().value_unsafe());
      if (!(d >= static_cast<double>(min) && d <= static_cast<double>(max)))
        throw DataException(fmt::format("Value {} is out of range for {}", e.get_double().value_unsafe(), upper_type_name(s.type)));
      n = static_cast<int64_t>(d);
      break;
    }
    default: wrong_json_type(s, e, "a number");
  }
  if (n < min || n > max) throw DataException(fmt::format("Value {} is out of range for {}", n, upper_type_name(s.type)));
  return n;
}

double floating_value(const Schema& s, const element& e) {
  switch (e.type()) {
    case element_type::INT64: return static_cast<double>(e.get_int64().value_unsafe());
    case element_type::UINT64: return static_cast<double>(e.get_uint64().value_unsafe());
    case element_type::DOUBLE: return e.get_double().value_unsafe();
    default: wrong_json_type(s, e, "a number");
  }
}

Decimal decimal_from_number(const element& e) {
  switch (e.type()) {
    case element_type::INT64: return Decimal::from_int64(e.get_int64().value_unsafe(), 0);
    case element_type::UINT64: return Decimal::from_string(std::to_string(e.get_uint64().value_unsafe()));
    default: {
      // The DOM keeps only the double; its shortest digits give back the
      // written text for up to 15-17 significant digits.
      char buf[64];
      auto res = std::to_chars(buf, buf + sizeof buf, e.get_double().value_unsafe());
      return Decimal::from_string(std::string_view(buf, static_cast<size_t>(res.ptr - buf)));
    }
  }
}

Value logical_to_connect(const Schema& s, const element& e, bool& handled) {
  handled = true;
  const std::string& name = *s.name;
  if (name == schemas::kDecimalName) {
    if (e.is_number()) return decimal_from_number(e);
    if (e.is_string()) {
      int32_t scale = decimal_scale(s);
      auto bytes = base64::decode(e.get_string().value_unsafe());
      if (!bytes || bytes->empty()) throw DataException("Invalid bytes for Decimal field");
      return Decimal{std::move(*bytes), scale};
    }
    throw DataException(fmt::format(
        "Invalid type for Decimal, underlying representation should be numeric or bytes but was {}", json_node_type(e)));
  }
  bool is_date = name == schemas::kDateName, is_time = name == schemas::kTimeName;
  if (is_date || is_time) {
    std::string_view logical = is_date ? "Date" : "Time";
    if (e.type() != element_type::INT64 || e.get_int64().value_unsafe() < std::numeric_limits<int32_t>::min() ||
        e.get_int64().value_unsafe() > std::numeric_limits<int32_t>::max())
      throw DataException(fmt::format("Invalid type for {}, underlying representation should be integer but was {}",
                                      logical, json_node_type(e)));
    int64_t n = e.get_int64().value_unsafe();
    if (is_time && (n < 0 || n >= kMillisPerDay))
      throw DataException("Time values must use number of milliseconds greater than 0 and less than 86400000");
    return Timestamp{is_date ? n * kMillisPerDay : n};
  }
  if (name == schemas::kTimestampName) {
    if (e.type() != element_type::INT64)
      throw DataException(fmt::format(
          "Invalid type for Timestamp, underlying representation should be integral but was {}", json_node_type(e)));
    return Timestamp{e.get_int64().value_unsafe()};
  }
  handled = false;
  return Value();
}
}  // namespace

Value json_to_connect(const SchemaPtr& schema, const element* e, const Options& opts) {
  if (!schema) return (e == nullptr) ? Value() : json_element_to_value(*e);
  const Schema& s = *schema;
  if (e == nullptr || e->is_null()) {
    if (s.default_value && !s.default_value->is_null() && opts.replace_null_with_default) return *s.default_value;
    if (s.optional) return Value();
    throw DataException(fmt::format("Invalid null value for required {} field", upper_type_name(s.type)));
  }
  if (s.name) {
    bool handled = false;
    Value v = logical_to_connect(s, *e, handled);
    if (handled) return v;
  }
  switch (s.type) {
    case Type::Boolean:
      if (e->type() != element_type::BOOL) wrong_json_type(s, *e, "a boolean");
      return Value(bool(e->get_bool().value_unsafe()));
    case Type::Int8: return Value(static_cast<int8_t>(integral_value(s, *e, INT8_MIN, INT8_MAX)));
    case Type::Int16: return Value(static_cast<int16_t>(integral_value(s, *e, INT16_MIN, INT16_MAX)));
    case Type::Int32: return Value(static_cast<int32_t>(integral_value(s, *e, INT32_MIN, INT32_MAX)));
    case Type::Int64: return Value(integral_value(s, *e, INT64_MIN, INT64_MAX));
    case Type::Float32: return Value(static_cast<float>(floating_value(s, *e)));
    case Type::Float64: return Value(floating_value(s, *e));
    case Type::String:
      if (!e->is_string()) wrong_json_type(s, *e, "a string");
      return Value(std::string(e->get_string().value_unsafe()));
    case Type::Bytes: {
      if (!e->is_string()) wrong_json_type(s, *e, "a base64 string");
      auto bytes = base64::decode(e->get_string().value_unsafe());
      if (!bytes) throw DataException("Invalid bytes field: not valid base64");
      return Value(Bytes{std::move(*bytes)});
    }
    case Type::Array: {
      if (!e->is_array()) wrong_json_type(s, *e, "an array");
      Array out;
      auto arr = e->get_array().value_unsafe();
      out.reserve(arr.size());
      for (element item : arr) out.push_back(json_to_connect(s.value_schema, &item, opts));
      return Value(std::move(out));
    }
    case Type::Map: {
      MapEntries out;
      if (s.key_schema->type == Type::String) {
        if (!e->is_object())
          throw DataException(fmt::format("Maps with string fields should be encoded as JSON objects, but found {}",
                                          json_node_type(*e)));
        simdjson::dom::object obj = e->get_object().value_unsafe();  // named: a temporary would dangle
        uint64_t seen = 0;
        for (auto field : obj) {
          element val = field.value;
          size_t earlier = find_earlier_key(out, field.key, seen);
          if (earlier == kNoEarlierKey)
            out.emplace_back(Value(std::string(field.key)), json_to_connect(s.value_schema, &val, opts));
          else
            out[earlier].second = json_to_connect(s.value_schema, &val, opts);
        }
      } else {
        if (!e->is_array())
          throw DataException(fmt::format(
              "Maps with non-string fields should be encoded as JSON array of tuples, but found {}", json_node_type(*e)));
        simdjson::dom::array arr = e->get_array().value_unsafe();  // named: a temporary would dangle
        for (element entry : arr) {
          if (!entry.is_array())
            throw DataException(fmt::format("Found invalid map entry instead of array tuple: {}", json_node_type(entry)));
          auto pair = entry.get_array().value_unsafe();
          if (pair.size() != 2)
            throw DataException(fmt::format("Found invalid map entry, expected length 2 but found :{}", pair.size()));
          element k = pair.at(0).value_unsafe(), v = pair.at(1).value_unsafe();
          out.emplace_back(json_to_connect(s.key_schema, &k, opts), json_to_connect(s.value_schema, &v, opts));
        }
      }
      return Value(std::move(out));
    }
    case Type::Struct: {
      if (!e->is_object())
        throw DataException(fmt::format("Structs should be encoded as JSON objects, but found {}", json_node_type(*e)));
      auto obj = e->get_object().value_unsafe();
      auto st = StructValue::make(schema);
      // The usual shape, the one JsonConverter writes: one member per field, in the schema's order (then
      // no key repeats, as field names are distinct). Read by position instead of a search per field.
      if (obj.size() == s.fields.size()) {
        size_t i = 0;
        for (auto field : obj) {
          if (field.key != s.fields[i].name) break;
          ++i;
        }
        if (i == s.fields.size()) {
          i = 0;
          for (auto field : obj) {
            const Field& f = s.fields[i++];
            element fe = field.value;
            st->values[f.index] = json_to_connect(f.schema, &fe, opts);
          }
          return Value(std::move(st));
        }
      }
      for (const Field& f : s.fields) {
        element fe;
        bool found = find_member(obj, f.name, fe);
        st->values[f.index] = json_to_connect(f.schema, found ? &fe : nullptr, opts);
      }
      return Value(std::move(st));
    }
  }
  return Value();
}

}  // namespace connectrun::json
