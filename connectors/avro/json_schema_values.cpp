// Connect values ↔ JSON documents (JsonSchemaData.fromConnectData and
// toConnectData). Primitives and logical types are written and read as Kafka's
// JsonConverter does them (converters/json_data.h); what differs is here: maps
// as objects or arrays of {"key", "value"} objects, structs whose null fields
// without default are left out, and oneOf unions.
#include <fmt/format.h>

#include "connectors/avro/json_schema_data.h"
#include "json/json_reader.h"
#include "json/json_writer.h"

namespace connectrun::avro {

namespace {

using simdjson::dom::element;
using simdjson::dom::element_type;

json::Options json_options(const JsonSchemaDataOptions& opts) {
  json::Options o;
  o.decimal_format = opts.decimal_format;
  return o;
}

bool is_union(const Schema& s) { return s.name && *s.name == kJsonOneOf; }

bool string_keyed(const Schema& map) { return map.key_schema->type == Type::String && !map.key_schema->optional; }

class Writer {
 public:
  explicit Writer(const JsonSchemaDataOptions& opts) : opts_(json_options(opts)) {}

  // False where JsonSchemaData returns no node (Java null): a null without default for a required schema.
  bool write(std::string& out, const Schema& s, const Value& v) {
    if (v.is_null()) {
      if (s.default_value && !s.default_value->is_null()) return write(out, s, *s.default_value);
      if (s.optional) {
        out += "null";
        return true;
      }
      return false;
    }
    switch (s.type) {
      case Type::Array: {
        const auto* arr = v.get_if<Array>();
        if (!arr) invalid(s, v);
        out.push_back('[');
        for (size_t i = 0; i < arr->size(); ++i) {
          if (i) out.push_back(',');
          element_or_null(out, *s.value_schema, (*arr)[i]);
        }
        out.push_back(']');
        return true;
      }
      case Type::Map: {
        const auto* map = v.get_if<MapEntries>();
        if (!map) invalid(s, v);
        bool object_mode = string_keyed(s);
        out.push_back(object_mode ? '{' : '[');
        bool first = true;
        for (auto& [k, val] : *map) {
          if (!first) out.push_back(',');
          first = false;
          if (object_mode) {
            const Value& key = k.is_null() && s.key_schema->default_value ? *s.key_schema->default_value : k;
            const auto* text = key.get_if<std::string>();
            if (!text) invalid(*s.key_schema, key);
            append_json_string(out, *text);
            out.push_back(':');
            element_or_null(out, *s.value_schema, val);
          } else {
            out += "{\"key\":";
            element_or_null(out, *s.key_schema, k);
            out += ",\"value\":";
            element_or_null(out, *s.value_schema, val);
            out.push_back('}');
          }
        }
        out.push_back(object_mode ? '}' : ']');
        return true;
      }
      case Type::Struct: {
        if (!v.is_struct()) invalid(s, v);
        const StructValue& st = v.as_struct();
        if (st.schema.get() != &s && !(*st.schema == s)) throw DataException("Mismatching schema.");
        if (is_union(s)) {  // the first field set is the union's member
          for (auto& f : s.fields) {
            const Value& fv = field_value(st, f);
            if (!fv.is_null()) return write(out, *f.schema, fv);
          }
          return write(out, s, Value());
        }
        out.push_back('{');
        for (auto& f : s.fields) {
          size_t mark = out.size();
          if (out.back() != '{') out.push_back(',');
          append_json_string(out, f.name);
          out.push_back(':');
          if (!write(out, *f.schema, field_value(st, f))) out.resize(mark);  // no node: the field is left out
        }
        out.push_back('}');
        return true;
      }
      default:
        json::append_connect_value(out, &s, v, opts_);
        return true;
    }
  }

 private:
  // Struct.get: a field's value, or its schema's default when null.
  static const Value& field_value(const StructValue& st, const Field& f) {
    const Value& fv = st.values[f.index];
    if (fv.is_null() && f.schema->default_value) return *f.schema->default_value;
    return fv;
  }

  // Array elements and map entries: Jackson's containers store a missing node as null.
  void element_or_null(std::string& out, const Schema& s, const Value& v) {
    if (!write(out, s, v)) out += "null";
  }

  [[noreturn]] static void invalid(const Schema& s, const Value& v) {
    throw DataException(fmt::format("Invalid type for {}: class {}", json::upper_type_name(s.type), v.java_class()));
  }

  json::Options opts_;
};

// isInstanceOfSchemaTypeForSimpleSchema: a union member a JSON value plainly is.
bool plainly_is(const Schema& s, const element& e) {
  switch (s.type) {
    case Type::Int8: case Type::Int16: case Type::Int32: case Type::Int64:
      return e.type() == element_type::INT64 || e.type() == element_type::UINT64;
    case Type::Float32: case Type::Float64: return e.is_number();
    case Type::Boolean: return e.is_bool();
    case Type::String: return e.is_string();
    case Type::Bytes: return false;  // Jackson's text nodes are not binary ones
    case Type::Array: return e.is_array();
    case Type::Map: return e.is_object() || e.is_array();
    case Type::Struct: return false;
  }
  return false;
}

// matchStructSchema: how many of a struct's fields (nested ones counted) an object has.
int struct_match(const Schema& s, const element& e) {
  if (s.type != Type::Struct || !e.is_object()) return 0;
  int n = 0;
  simdjson::dom::object obj = e.get_object().value_unsafe();
  for (auto& f : s.fields) {
    element child;
    if (!find_member(obj, f.name, child)) continue;
    n += 1 + struct_match(*f.schema, child);
  }
  return n;
}

class Reader {
 public:
  explicit Reader(const JsonSchemaDataOptions& opts) : opts_(json_options(opts)) {}

  Value read(const SchemaPtr& schema, const element* e) {
    const Schema& s = *schema;
    if (e == nullptr || e->is_null()) {
      if (s.default_value && !s.default_value->is_null()) return *s.default_value;
      if (e == nullptr || s.optional) return Value();  // a missing member reads as null, as Confluent's
      throw DataException(fmt::format("Invalid null value for required {} field", json::upper_type_name(s.type)));
    }
    switch (s.type) {
      case Type::Array: {
        if (!e->is_array()) wrong(s, *e, "an array");
        Array out;
        simdjson::dom::array items = e->get_array().value_unsafe();  // named: a temporary would dangle
        for (element item : items) out.push_back(read(s.value_schema, &item));
        return Value(std::move(out));
      }
      case Type::Map: {
        MapEntries out;
        if (string_keyed(s)) {
          if (!e->is_object())
            throw DataException(fmt::format("Maps with string fields should be encoded as JSON objects, but found {}",
                                            json_node_type(*e)));
          simdjson::dom::object obj = e->get_object().value_unsafe();
          uint64_t seen = 0;
          for (auto member : obj) {
            element val = member.value;
            Value v = read(s.value_schema, &val);
            size_t earlier = find_earlier_key(out, member.key, seen);
            if (earlier == kNoEarlierKey) out.emplace_back(Value(std::string(member.key)), std::move(v));
            else out[earlier].second = std::move(v);
          }
        } else {
          if (!e->is_array())
            throw DataException(fmt::format(
                "Maps with non-string fields should be encoded as JSON array of objects, but found {}", json_node_type(*e)));
          simdjson::dom::array entries = e->get_array().value_unsafe();
          for (element entry : entries) {
            if (!entry.is_object())
              throw DataException(fmt::format("Found invalid map entry instead of object: {}", json_node_type(entry)));
            auto obj = entry.get_object().value_unsafe();
            if (obj.size() != 2)
              throw DataException(fmt::format("Found invalid map entry, expected length 2 but found :{}", obj.size()));
            element k, v;
            bool has_k = find_member(obj, "key", k), has_v = find_member(obj, "value", v);
            out.emplace_back(read(s.key_schema, has_k ? &k : nullptr), read(s.value_schema, has_v ? &v : nullptr));
          }
        }
        return Value(std::move(out));
      }
      case Type::Struct: {
        if (is_union(s)) return read_union(schema, *e);
        if (!e->is_object())
          throw DataException(fmt::format("Structs should be encoded as JSON objects, but found {}", json_node_type(*e)));
        auto obj = e->get_object().value_unsafe();
        auto st = StructValue::make(schema);
        for (const Field& f : s.fields) {
          element fe;
          bool found = find_member(obj, f.name, fe);
          st->values[f.index] = read(f.schema, found ? &fe : nullptr);
        }
        return Value(std::move(st));
      }
      default:
        return json::json_to_connect(schema, e, opts_);
    }
  }

 private:
  Value read_union(const SchemaPtr& schema, const element& e) {
    const Field* best = nullptr;
    int best_count = 0;
    for (auto& f : schema->fields) {
      if (plainly_is(*f.schema, e)) return member(schema, f, e);
      int n = struct_match(*f.schema, e);
      if (n > best_count) best_count = n, best = &f;
    }
    if (best) return member(schema, *best, e);
    throw DataException(fmt::format("Did not find matching oneof field for data: no member of the oneOf takes a JSON {}",
                                    json_node_type(e)));
  }

  Value member(const SchemaPtr& schema, const Field& f, const element& e) {
    auto st = StructValue::make(schema);
    st->values[f.index] = read(f.schema, &e);
    return Value(std::move(st));
  }

  [[noreturn]] static void wrong(const Schema& s, const element& e, std::string_view expected) {
    throw DataException(fmt::format("Invalid value for {} schema: expected {} but found {}",
                                    json::upper_type_name(s.type), expected, json_node_type(e)));
  }

  json::Options opts_;
};

}  // namespace

bool json_schema_value(std::string& out, const Schema& schema, const Value& value, const JsonSchemaDataOptions& opts) {
  return Writer(opts).write(out, schema, value);
}

Value json_schema_value_to_connect(const SchemaPtr& schema, const simdjson::dom::element& doc,
                                   const JsonSchemaDataOptions& opts) {
  return Reader(opts).read(schema, &doc);
}

}  // namespace connectrun::avro
