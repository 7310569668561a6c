// Connect schema → JSON Schema text (JsonSchemaData.fromConnectSchema), as
// Confluent's converter registers it: everit's ToStringVisitor writes a
// schema's members in a fixed order and its HashMaps (properties, the connect.*
// keywords) in hash order, and Jackson rewrites that text compactly.
#include <algorithm>
#include <cstring>

#include <fmt/format.h>

#include "connectors/avro/json_schema_data.h"
#include "connectors/common/java_hash_map.h"
#include "json/json_writer.h"

namespace connectrun::avro {

namespace {

using Members = std::vector<std::pair<std::string, std::string>>;  // key, JSON text

// The members of `m` as a HashMap filled in this order iterates them, then as
// `copies` successive copies (new HashMap<>(map), or HashMap(size) for org.json's JSONObject).
Members hash_ordered(const Members& m, size_t initial_capacity, const std::vector<size_t>& copy_capacities) {
  std::vector<std::string> keys;
  for (auto& kv : m) keys.push_back(kv.first);
  auto order = java_hash_map_order(keys, initial_capacity);
  for (size_t cap : copy_capacities) {
    std::vector<std::string> now;
    for (size_t i : order) now.push_back(keys[i]);
    auto again = java_hash_map_order(now, cap);
    std::vector<size_t> composed;
    for (size_t j : again) composed.push_back(order[j]);
    order = std::move(composed);
  }
  Members out;
  for (size_t i : order) out.push_back(m[i]);
  return out;
}

void append_members(std::string& out, const Members& m) {
  for (auto& [k, v] : m) {
    if (out.back() != '{') out.push_back(',');
    append_json_string(out, k);
    out.push_back(':');
    out += v;
  }
}

std::string json_text(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

// A default value as Confluent's schema text holds it. JsonSchemaData hands the
// default to everit as a Java value (objects as org.json JSONObjects, whose
// HashMap lists keys in hash order); everit prints numbers with org.json's
// numberToString (trailing fractional zeros dropped: 1.0 → 1); Jackson reads
// the text back, decimals as BigDecimal, which writes a positive exponent with
// a sign (1.0E20 → 1.0E+20). `json` is compact JSON this file wrote.
class DefaultText {
 public:
  explicit DefaultText(std::string_view json) : in_(json) {}
  std::string value() {
    char c = in_[pos_];
    if (c == '{') return object();
    if (c == '[') return array();
    if (c == '"') return string();
    if (c == '-' || (c >= '0' && c <= '9')) return number();
    size_t start = pos_;  // true, false, null
    while (pos_ < in_.size() && std::isalpha(static_cast<unsigned char>(in_[pos_]))) ++pos_;
    return std::string(in_.substr(start, pos_ - start));
  }

 private:
  std::string string() {
    size_t start = pos_++;
    while (in_[pos_] != '"') pos_ += in_[pos_] == '\\' ? 2 : 1;
    ++pos_;
    return std::string(in_.substr(start, pos_ - start));
  }
  std::string number() {
    size_t start = pos_;
    while (pos_ < in_.size() && std::strchr("+-.0123456789eE", in_[pos_])) ++pos_;
    std::string n(in_.substr(start, pos_ - start));
    auto e = n.find_first_of("eE");
    if (e != std::string::npos) {
      if (n[e + 1] != '-' && n[e + 1] != '+') n.insert(e + 1, "+");
    } else if (n.find('.') != std::string::npos) {
      while (n.back() == '0') n.pop_back();
      if (n.back() == '.') n.pop_back();
    }
    return n;
  }
  std::string array() {
    std::string out = "[";
    ++pos_;
    while (in_[pos_] != ']') {
      if (in_[pos_] == ',') ++pos_;
      out += (out.size() > 1 ? "," : "") + value();
    }
    ++pos_;
    return out + "]";
  }
  std::string object() {
    Members m;
    ++pos_;
    while (in_[pos_] != '}') {
      if (in_[pos_] == ',') ++pos_;
      std::string key = string();
      ++pos_;  // ':'
      std::string text = value();
      simdjson::dom::parser p;
      std::string_view plain_key;
      if (p.parse(key).get_string().get(plain_key)) throw DataException("Invalid default value");
      m.emplace_back(std::string(plain_key), std::move(text));
    }
    ++pos_;
    std::string out = "{";
    append_members(out, hash_ordered(m, 16, {}));
    return out + "}";
  }

  std::string_view in_;
  size_t pos_ = 0;
};

bool is_enum(const Schema& s) {
  for (auto& [k, v] : s.parameters)
    if (k == kJsonEnum) return true;
  return false;
}

enum class Kind { Integer, Number, Boolean, String, Enum, Array, Object, Combined };

const char* kind_type(Kind kind) {
  switch (kind) {
    case Kind::Integer: return "integer";
    case Kind::Number: return "number";
    case Kind::Boolean: return "boolean";
    case Kind::String: return "string";
    case Kind::Array: return "array";
    case Kind::Object: return "object";
    default: return nullptr;  // enum: no type keyword
  }
}

class FromConnect {
 public:
  explicit FromConnect(const JsonSchemaDataOptions& opts) : opts_(opts) {}

  std::string write(const Schema& s, std::optional<int> index, bool ignore_optional) {
    Kind kind = Kind::Object;
    Members props;  // the connect.* keywords, in the order JsonSchemaData puts them
    std::string items, additional, properties, enum_values;
    std::vector<std::string> one_of;
    bool closed = false;  // additionalProperties: false
    auto connect_type = [&](std::string_view t) { props.emplace_back("connect.type", json_text(t)); };
    switch (s.type) {
      case Type::Int8: kind = Kind::Integer; connect_type("int8"); break;
      case Type::Int16: kind = Kind::Integer; connect_type("int16"); break;
      case Type::Int32: kind = Kind::Integer; connect_type("int32"); break;
      case Type::Int64: kind = Kind::Integer; connect_type("int64"); break;
      case Type::Float32: kind = Kind::Number; connect_type("float32"); break;
      case Type::Float64: kind = Kind::Number; connect_type("float64"); break;
      case Type::Boolean: kind = Kind::Boolean; break;
      case Type::String:
        if (is_enum(s)) {
          kind = Kind::Enum;
          std::string prefix = std::string(kJsonEnum) + ".";
          for (auto& [k, v] : s.parameters) {
            if (k.rfind(prefix, 0) != 0) continue;
            std::string symbol = k.substr(prefix.size());
            enum_values += enum_values.empty() ? "" : ",";
            enum_values += symbol == "<NULL>" ? std::string("null") : json_text(symbol);
          }
        } else {
          kind = Kind::String;
        }
        break;
      case Type::Bytes:
        kind = schemas::is_logical(s, schemas::kDecimalName) && opts_.decimal_format == json::DecimalFormat::Numeric
                   ? Kind::Number
                   : Kind::String;
        connect_type("bytes");
        break;
      case Type::Array:
        kind = Kind::Array;
        items = write(*s.value_schema, std::nullopt, false);
        break;
      case Type::Map:
        connect_type("map");
        if (s.key_schema->type == Type::String && !s.key_schema->optional) {
          kind = Kind::Object;
          additional = write(*s.value_schema, std::nullopt, false);
        } else {
          // JSON objects have string keys only: other maps are arrays of {key, value} objects.
          kind = Kind::Array;
          Members kv = {{"key", write(*s.key_schema, 0, false)}, {"value", write(*s.value_schema, 1, false)}};
          items = R"({"type":"object","properties":{)";
          append_members(items, hash_ordered(kv, 16, {}));
          items += "}}";
        }
        break;
      case Type::Struct:
        if (s.name && *s.name == kJsonOneOf) {
          kind = Kind::Combined;
          if (s.optional) one_of.push_back(R"({"type":"null"})");
          for (auto& f : s.fields) one_of.push_back(write(non_optional(*f.schema), static_cast<int>(f.index), true));
        } else if (s.optional) {
          kind = Kind::Combined;
          one_of = {R"({"type":"null"})", write(non_optional(s), std::nullopt, false)};
        } else {
          kind = Kind::Object;
          closed = !opts_.allow_additional_properties;
          Members fields;
          for (auto& f : s.fields) fields.emplace_back(f.name, write(*f.schema, static_cast<int>(f.index), false));
          if (!fields.empty()) {
            properties = "{";
            append_members(properties, hash_ordered(fields, 16, {}));
            properties += "}";
          }
        }
        break;
    }

    std::string title, description, default_text;
    if (kind != Kind::Combined) {
      if (s.name) title = json_text(*s.name);
      if (s.version) props.emplace_back("connect.version", std::to_string(*s.version));
      if (s.doc) description = json_text(*s.doc);
      Members params;
      for (auto& [k, v] : s.parameters)
        if (k.rfind(kJsonNamespace, 0) != 0) params.emplace_back(k, json_text(v));
      if (!params.empty()) {
        // Collectors.toMap's HashMap, then org.json's JSONObject(map) copy, HashMap(size).
        std::string text = "{";
        append_members(text, hash_ordered(params, 16, {params.size()}));
        props.emplace_back("connect.parameters", text + "}");
      }
      if (s.default_value && !s.default_value->is_null()) {
        std::string written;
        if (json_schema_value(written, s, *s.default_value, opts_)) default_text = DefaultText(written).value();
      }
      if (!ignore_optional && s.optional) {
        std::string inner = object(kind_type(kind), closed, title, description, default_text, props, items,
                                   additional, properties, enum_values);
        kind = Kind::Combined;
        one_of = {R"({"type":"null"})", inner};
        props.clear();
        title.clear();
        description.clear();
        default_text.clear();
      }
    }
    if (index) props.emplace_back(std::string(kConnectIndex), std::to_string(*index));
    if (kind == Kind::Combined) {
      std::string out = "{";
      append_members(out, hash_ordered(props, 16, {java_hash_map_copy_capacity(props.size())}));
      if (out.back() != '{') out.push_back(',');
      out += R"("oneOf":[)";
      for (size_t i = 0; i < one_of.size(); ++i) out += (i ? "," : "") + one_of[i];
      return out + "]}";
    }
    return object(kind_type(kind), closed, title, description, default_text, props, items, additional, properties,
                  enum_values);
  }

 private:
  // One schema object in everit's order: type (and additionalProperties: false
  // for objects), then title, description, default, the connect.* keywords, then
  // the kind's own members (a boolean's type comes after the keywords).
  std::string object(const char* type, bool closed, const std::string& title, const std::string& description,
                     const std::string& default_text, const Members& props, const std::string& items,
                     const std::string& additional, const std::string& properties, const std::string& enum_values) {
    // everit writes a boolean schema's "type" last, every other kind's first.
    bool type_last = type && std::string_view(type) == "boolean";
    std::string out = "{";
    if (type && !type_last) out += fmt::format(R"("type":"{}")", type);
    else if (!type) out += "\"enum\":[" + enum_values + "]";
    if (closed) out += R"(,"additionalProperties":false)";
    auto member = [&](std::string_view key, const std::string& text) {
      if (text.empty()) return;
      if (out.back() != '{') out.push_back(',');
      out += fmt::format("\"{}\":{}", key, text);
    };
    member("title", title);
    member("description", description);
    member("default", default_text);
    append_members(out, hash_ordered(props, 16, {java_hash_map_copy_capacity(props.size())}));
    if (type_last) member("type", R"("boolean")");
    if (!items.empty()) out += ",\"items\":" + items;
    if (!additional.empty()) out += ",\"additionalProperties\":" + additional;
    if (!properties.empty()) out += ",\"properties\":" + properties;
    return out + "}";
  }

  static Schema non_optional(const Schema& s) {
    Schema copy = s;
    copy.optional = false;
    return copy;
  }

  const JsonSchemaDataOptions& opts_;
};

}  // namespace

std::string json_schema_from_connect(const Schema& schema, const JsonSchemaDataOptions& opts) {
  return FromConnect(opts).write(schema, std::nullopt, false);
}

}  // namespace connectrun::avro
