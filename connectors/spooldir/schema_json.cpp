#include "connectors/spooldir/schema_json.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "json/json_reader.h"
#include "json/json_writer.h"

namespace connectrun::spooldir {

namespace {

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

[[noreturn]] void fail(const std::string& where, const std::string& what) {
  throw std::invalid_argument(where.empty() ? what : where + ": " + what);
}

const std::string& need_string(const Value& v, const std::string& where) {
  if (!v.is<std::string>()) fail(where, "must be a string");
  return v.as<std::string>();
}

Value default_of(Type t, const Value& v, const std::string& where) {
  if (v.is_null()) return v;
  auto whole = [&](int64_t lo, int64_t hi) -> int64_t {
    if (!v.is<int64_t>() || v.as<int64_t>() < lo || v.as<int64_t>() > hi)
      fail(where, fmt::format("must be a whole number from {} to {}", lo, hi));
    return v.as<int64_t>();
  };
  switch (t) {
    case Type::Int8: return Value(static_cast<int8_t>(whole(INT8_MIN, INT8_MAX)));
    case Type::Int16: return Value(static_cast<int16_t>(whole(INT16_MIN, INT16_MAX)));
    case Type::Int32: return Value(static_cast<int32_t>(whole(INT32_MIN, INT32_MAX)));
    case Type::Int64: return Value(whole(INT64_MIN, INT64_MAX));
    case Type::Float32:
    case Type::Float64: {
      double d = v.is<int64_t>() ? static_cast<double>(v.as<int64_t>()) : v.is<double>() ? v.as<double>() : NAN;
      if (std::isnan(d) && !v.is<double>()) fail(where, "must be a number");
      return t == Type::Float32 ? Value(static_cast<float>(d)) : Value(d);
    }
    case Type::Boolean:
      if (!v.is<bool>()) fail(where, "must be true or false");
      return v;
    case Type::String: need_string(v, where); return v;
    default: fail(where, "a default value is supported for primitive types only");
  }
}

SchemaPtr build(const Value& node, const std::string& where) {
  if (!node.is<MapEntries>()) fail(where, "a schema must be a JSON object");
  const Value* type = node.find("type");
  if (!type) fail(where, "\"type\" is missing (STRING, INT64, STRUCT, …)");
  std::string tn = need_string(*type, where.empty() ? "type" : where + ".type");
  std::string lower = tn;
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  const auto t = type_from_name(lower);
  if (!t) fail(where, fmt::format("unknown type '{}' (STRING, INT8, INT16, INT32, INT64, FLOAT32, FLOAT64, BOOLEAN, BYTES, ARRAY, MAP, STRUCT)", tn));
  auto child = [&](const char* key) -> SchemaPtr {
    const Value* c = node.find(key);
    if (!c || c->is_null()) fail(where, fmt::format("\"{}\" is missing (a {} needs it)", key, tn));
    return build(*c, where.empty() ? key : where + "." + key);
  };
  SchemaBuilder b = *t == Type::Map     ? SchemaBuilder::map(child("keySchema"), child("valueSchema"))
                    : *t == Type::Array ? SchemaBuilder::array(child("valueSchema"))
                                        : SchemaBuilder(*t);
  for (const auto& [k, v] : node.as<MapEntries>()) {
    const std::string& key = k.as<std::string>();
    const std::string at = where.empty() ? key : where + "." + key;
    if (key == "type" || key == "keySchema" || key == "valueSchema" || v.is_null()) continue;
    if (key == "name") {
      if (!need_string(v, at).empty()) b.name(v.as<std::string>());
    } else if (key == "doc") {
      if (!need_string(v, at).empty()) b.doc(v.as<std::string>());
    } else if (key == "isOptional") {
      if (!v.is<bool>()) fail(at, "must be true or false");
      b.optional(v.as<bool>());
    } else if (key == "version") {
      if (!v.is<int64_t>()) fail(at, "must be a whole number");
      b.version(static_cast<int32_t>(v.as<int64_t>()));
    } else if (key == "parameters") {
      if (!v.is<MapEntries>()) fail(at, "must be an object of strings");
      for (const auto& [pk, pv] : v.as<MapEntries>()) b.parameter(pk.as<std::string>(), need_string(pv, at));
    } else if (key == "fieldSchemas") {
      if (*t != Type::Struct) fail(at, "only a STRUCT has fieldSchemas");
      if (!v.is<MapEntries>()) fail(at, "must be an object: field name → schema");
      for (const auto& [fk, fv] : v.as<MapEntries>()) b.field(fk.as<std::string>(), build(fv, at + "." + fk.as<std::string>()));
    } else if (key != "defaultValue") {
      fail(at, "unknown property (name, doc, type, isOptional, version, parameters, defaultValue, keySchema, valueSchema, fieldSchemas)");
    }
  }
  if (const Value* d = node.find("defaultValue"); d && !d->is_null()) b.default_value(default_of(*t, *d, where + ".defaultValue"));
  if (*t == Type::Struct && !node.find("fieldSchemas")) fail(where, "a STRUCT needs \"fieldSchemas\"");
  return b.build();
}

void append_schema(std::string& out, const Schema& s) {
  out += '{';
  if (s.name) {
    out += "\"name\":";
    append_json_string(out, *s.name);
    out += ',';
  }
  out += "\"type\":";
  append_json_string(out, upper(type_name(s.type)));
  if (s.version) out += fmt::format(",\"version\":{}", *s.version);
  if (!s.parameters.empty()) {
    out += ",\"parameters\":{";
    for (size_t i = 0; i < s.parameters.size(); ++i) {
      if (i) out += ',';
      append_json_string(out, s.parameters[i].first);
      out += ':';
      append_json_string(out, s.parameters[i].second);
    }
    out += '}';
  }
  out += s.optional ? ",\"isOptional\":true" : ",\"isOptional\":false";
  if (s.key_schema) {
    out += ",\"keySchema\":";
    append_schema(out, *s.key_schema);
  }
  if (s.value_schema) {
    out += ",\"valueSchema\":";
    append_schema(out, *s.value_schema);
  }
  if (s.type == Type::Struct) {
    out += ",\"fieldSchemas\":{";
    for (size_t i = 0; i < s.fields.size(); ++i) {
      if (i) out += ',';
      append_json_string(out, s.fields[i].name);
      out += ':';
      append_schema(out, *s.fields[i].schema);
    }
    out += '}';
  }
  out += '}';
}

}  // namespace

SchemaPtr parse_schema_json(std::string_view text) {
  Value node;
  try {
    node = parse_schemaless_json(text);
  } catch (const std::exception& e) {
    throw std::invalid_argument(std::string("not valid JSON: ") + e.what());
  }
  return build(node, "");
}

std::string schema_to_json(const Schema& s) {
  std::string out;
  append_schema(out, s);
  return out;
}

}  // namespace connectrun::spooldir
