#include "converters/json_schema.h"

#include <algorithm>

#include <fmt/format.h>

#include "json/json_reader.h"
#include "json/json_writer.h"

namespace connectrun::json {

namespace {
using simdjson::dom::element;
using simdjson::dom::element_type;

std::string_view json_type_name(Type t) {
  switch (t) {
    case Type::Float32: return "float";
    case Type::Float64: return "double";
    default: return type_name(t);
  }
}

void append_schema_body(std::string& out, const Schema& s, const Options& opts, const std::string* field_name) {
  out.append("{\"type\":\"");
  out.append(json_type_name(s.type));
  out.push_back('"');
  switch (s.type) {
    case Type::Array:
      out.append(",\"items\":");
      append_schema_body(out, *s.value_schema, opts, nullptr);
      break;
    case Type::Map:
      out.append(",\"keys\":");
      append_schema_body(out, *s.key_schema, opts, nullptr);
      out.append(",\"values\":");
      append_schema_body(out, *s.value_schema, opts, nullptr);
      break;
    case Type::Struct:
      out.append(",\"fields\":[");
      for (size_t i = 0; i < s.fields.size(); ++i) {
        if (i) out.push_back(',');
        append_schema_body(out, *s.fields[i].schema, opts, &s.fields[i].name);
      }
      out.push_back(']');
      break;
    default: break;
  }
  out.append(s.optional ? ",\"optional\":true" : ",\"optional\":false");
  if (s.name) {
    out.append(",\"name\":");
    append_json_string(out, *s.name);
  }
  if (s.version) fmt::format_to(std::back_inserter(out), ",\"version\":{}", *s.version);
  if (s.doc) {
    out.append(",\"doc\":");
    append_json_string(out, *s.doc);
  }
  if (!s.parameters.empty()) {
    out.append(",\"parameters\":{");
    for (size_t i = 0; i < s.parameters.size(); ++i) {
      if (i) out.push_back(',');
      append_json_string(out, s.parameters[i].first);
      out.push_back(':');
      append_json_string(out, s.parameters[i].second);
    }
    out.push_back('}');
  }
  if (s.default_value && !s.default_value->is_null()) {
    out.append(",\"default\":");
    append_connect_value(out, &s, *s.default_value, opts);
  }
  if (field_name) {
    out.append(",\"field\":");
    append_json_string(out, *field_name);
  }
  out.push_back('}');
}

const element* member(const simdjson::dom::object& obj, std::string_view key, element& slot) {
  return find_member(obj, key, slot) ? &slot : nullptr;
}
}  // namespace

void append_json_schema(std::string& out, const Schema& s, const Options& opts) {
  append_schema_body(out, s, opts, nullptr);
}

SchemaPtr json_to_schema(element e, const Options& opts) {
  if (e.is_null()) return nullptr;
  if (!e.is_object()) throw DataException("Schema must contain 'type' field");
  auto obj = e.get_object().value_unsafe();
  element slot;
  const element* type_node = member(obj, "type", slot);
  if (!type_node || !type_node->is_string()) throw DataException("Schema must contain 'type' field");
  std::string_view type_text = type_node->get_string().value_unsafe();

  Schema s;
  if (type_text == "float") s.type = Type::Float32;
  else if (type_text == "double") s.type = Type::Float64;
  else if (type_text == "float32" || type_text == "float64") throw DataException(fmt::format("Unknown schema type: {}", type_text));
  else if (auto t = type_from_name(type_text)) s.type = *t;
  else throw DataException(fmt::format("Unknown schema type: {}", type_text));

  switch (s.type) {
    case Type::Array: {
      const element* items = member(obj, "items", slot);
      if (!items || items->is_null()) throw DataException("Array schema did not specify the element type");
      s.value_schema = json_to_schema(*items, opts);
      break;
    }
    case Type::Map: {
      const element* keys = member(obj, "keys", slot);
      if (!keys) throw DataException("Map schema did not specify the key type");
      s.key_schema = json_to_schema(*keys, opts);
      const element* values = member(obj, "values", slot);
      if (!values) throw DataException("Map schema did not specify the value type");
      s.value_schema = json_to_schema(*values, opts);
      if (!s.key_schema || !s.value_schema) throw DataException("Map schema key and value types may not be null");
      break;
    }
    case Type::Struct: {
      const element* fields = member(obj, "fields", slot);
      if (!fields || !fields->is_array()) throw DataException("Struct schema's \"fields\" argument is not an array.");
      simdjson::dom::array field_list = fields->get_array().value_unsafe();  // named: a temporary would dangle
      for (element f : field_list) {
        element name_slot;
        const element* name =
            f.is_object() ? member(f.get_object().value_unsafe(), "field", name_slot) : nullptr;
        if (!name || !name->is_string()) throw DataException("Struct schema's field name not specified properly");
        std::string field_name(name->get_string().value_unsafe());
        for (auto& existing : s.fields)
          if (existing.name == field_name) throw DataException(fmt::format("Cannot create field because of field name duplication {}", field_name));
        s.fields.push_back(Field::make(std::move(field_name), s.fields.size(), json_to_schema(f, opts)));
      }
      break;
    }
    default: break;
  }
  if (const element* n = member(obj, "optional", slot); n && n->is_bool()) s.optional = n->get_bool().value_unsafe();
  if (const element* n = member(obj, "name", slot); n && n->is_string()) s.name = std::string(n->get_string().value_unsafe());
  if (const element* n = member(obj, "version", slot); n && n->type() == element_type::INT64)
    s.version = static_cast<int32_t>(n->get_int64().value_unsafe());
  if (const element* n = member(obj, "doc", slot); n && n->is_string()) s.doc = std::string(n->get_string().value_unsafe());
  if (const element* n = member(obj, "parameters", slot); n && n->is_object()) {
    simdjson::dom::object params = n->get_object().value_unsafe();  // named: a temporary would dangle
    for (auto p : params) {
      if (!p.value.is_string()) throw DataException("Schema parameters must have string values.");
      std::string value(p.value.get_string().value_unsafe());
      auto earlier = std::find_if(s.parameters.begin(), s.parameters.end(), [&](auto& kv) { return kv.first == p.key; });
      if (earlier != s.parameters.end()) earlier->second = std::move(value);  // the last duplicate, as in Jackson
      else s.parameters.emplace_back(std::string(p.key), std::move(value));
    }
  }
  element default_slot;
  const element* def = member(obj, "default", default_slot);
  if (!def) return std::make_shared<const Schema>(std::move(s));
  // The default is read against the schema built so far, as Kafka reads it
  // against its SchemaBuilder.
  auto without_default = std::make_shared<const Schema>(s);
  if (s.type == Type::Struct && !def->is_null())
    throw DataException("Invalid default value: Struct schemas do not match.");
  Options read_opts = opts;
  read_opts.replace_null_with_default = false;
  Value dv = json_to_connect(without_default, def, read_opts);
  if (!dv.is_null()) s.default_value = std::move(dv);
  return std::make_shared<const Schema>(std::move(s));
}

}  // namespace connectrun::json
