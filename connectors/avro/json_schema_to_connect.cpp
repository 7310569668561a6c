// JSON Schema text → Connect schema (JsonSchemaData.toConnectSchema), for the
// keywords everit's loader turns into the schema kinds JsonSchemaData reads:
// type (one, or one with "null"), properties, items, additionalProperties,
// oneOf/anyOf, enum, const, and the connect.* keywords. $ref and allOf are
// refused by name (docs/converters.md).
#include <algorithm>
#include <map>

#include <fmt/format.h>

#include "connectors/avro/json_schema_data.h"
#include "connectors/common/java_hash_map.h"
#include "json/json_reader.h"

namespace connectrun::avro {

namespace {

using simdjson::dom::element;
using simdjson::dom::object;

std::optional<std::string> string_member(object o, std::string_view key) {
  element e;
  if (!find_member(o, key, e) || !e.is_string()) return std::nullopt;
  return std::string(e.get_string().value_unsafe());
}

std::optional<int64_t> int_member(object o, std::string_view key) {
  element e;
  if (!find_member(o, key, e) || e.type() != simdjson::dom::element_type::INT64) return std::nullopt;
  return e.get_int64().value_unsafe();
}

std::string enum_symbol(const element& e) {
  if (e.is_null()) return "<NULL>";
  if (e.is_string()) return std::string(e.get_string().value_unsafe());
  return simdjson::minify(e);  // Object.toString of a number or boolean: its JSON text
}

class ToConnect {
 public:
  explicit ToConnect(const JsonSchemaDataOptions& opts) : opts_(opts) {}

  SchemaPtr read(const element& e, std::optional<int32_t> version, bool force_optional) {
    if (e.is_bool())
      throw DataException("JSON Schema true/false (a schema that takes anything) has no Connect schema: connectrun "
                          "does not read it (Confluent reads it as its ConnectVariant)");
    if (!e.is_object()) throw DataException(fmt::format("A JSON Schema must be an object, found {}", json_node_type(e)));
    object o = e.get_object().value_unsafe();
    element sub;
    if (find_member(o, "$ref", sub))
      throw DataException("JSON Schema $ref references are not supported by connectrun's JsonSchemaConverter: write "
                          "the referenced schema in place");
    if (find_member(o, "allOf", sub))
      throw DataException("JSON Schema allOf is not supported by connectrun's JsonSchemaConverter");

    std::optional<SchemaBuilder> builder;
    element list;
    if (find_member(o, "oneOf", list) || find_member(o, "anyOf", list)) {
      if (!list.is_array()) throw DataException("oneOf/anyOf must be an array of schemas");
      simdjson::dom::array subs = list.get_array().value_unsafe();  // named: a temporary would dangle
      if (subs.size() == 1 && opts_.flatten_singleton_unions) return read(subs.at(0).value_unsafe(), std::nullopt, false);
      if (subs.size() == 2) {
        std::optional<element> other;
        bool has_null = false;
        for (element s : subs) {
          if (is_null_schema(s)) has_null = true;
          else other = s;
        }
        if (has_null && other) return read(*other, version, true);
      }
      builder = SchemaBuilder::structure().name(std::string(kJsonOneOf));
      int index = 0;
      for (element s : subs) {
        if (is_null_schema(s)) {
          builder->optional();
          continue;
        }
        builder->field(fmt::format("{}.field.{}", kJsonOneOf, index++), read(s, std::nullopt, true));
      }
    } else if (find_member(o, "enum", list) || find_member(o, "const", list)) {
      builder = SchemaBuilder::string();
      builder->parameter(std::string(kJsonEnum), "");  // JSON enums have no name
      auto add = [&](const element& v) {
        std::string symbol = enum_symbol(v);
        builder->parameter(fmt::format("{}.{}", kJsonEnum, symbol), symbol);
      };
      if (list.is_array()) {
        simdjson::dom::array values = list.get_array().value_unsafe();
        for (element v : values) add(v);
      } else {
        add(list);
      }
    } else {
      builder = typed(o, force_optional);
    }

    if (auto title = string_member(o, "title"); title && !builder->schema().name) builder->name(*title);
    if (auto v = int_member(o, "connect.version")) builder->version(static_cast<int32_t>(*v));
    else if (version) builder->version(*version);
    if (auto doc = string_member(o, "description")) builder->doc(*doc);
    element params;
    if (find_member(o, "connect.parameters", params) && params.is_object()) {
      object params_obj = params.get_object().value_unsafe();
      for (auto p : params_obj)
        if (p.value.is_string()) builder->parameter(std::string(p.key), std::string(p.value.get_string().value_unsafe()));
    }
    element def;
    if (find_member(o, "default", def)) {
      SchemaPtr so_far = builder->build();
      builder->default_value(json_schema_value_to_connect(so_far, def, opts_));
    }
    if (force_optional) builder->optional();
    return builder->build();
  }

 private:
  static bool is_null_schema(const element& e) {
    if (!e.is_object()) return false;
    auto t = string_member(e.get_object().value_unsafe(), "type");
    return t && *t == "null";
  }

  // A schema with a "type" keyword; a type list of one type and "null" reads as that type, optional.
  SchemaBuilder typed(object o, bool& force_optional) {
    element type_e;
    std::string type;
    bool has_type = find_member(o, "type", type_e);
    if (has_type && type_e.is_array()) {
      std::vector<std::string> types;
      simdjson::dom::array listed = type_e.get_array().value_unsafe();
      for (element t : listed)
        if (t.is_string()) types.emplace_back(t.get_string().value_unsafe());
      bool has_null = std::erase(types, std::string("null")) > 0;
      if (types.size() != 1)
        throw DataException(fmt::format("A JSON Schema type list of several types ({}) is not supported: use oneOf",
                                        simdjson::minify(type_e)));
      type = types[0];
      force_optional = force_optional || has_null;
    } else if (has_type && type_e.is_string()) {
      type = std::string(type_e.get_string().value_unsafe());
    } else if (has_type) {
      throw DataException(fmt::format("A JSON Schema type must be a string or a list of strings, found {}",
                                      simdjson::minify(type_e)));
    } else if (find_member(o, "properties", type_e)) {
      type = "object";
    } else if (find_member(o, "items", type_e)) {
      type = "array";
    } else {
      throw DataException("A JSON Schema without type, properties, items, oneOf or enum (a schema that takes anything) "
                          "has no Connect schema in connectrun (Confluent reads it as its ConnectVariant)");
    }
    auto connect_type = string_member(o, "connect.type");
    if (type == "boolean") return SchemaBuilder::boolean();
    if (type == "integer" || type == "number") {
      if (!connect_type) return type == "integer" ? SchemaBuilder::int64() : SchemaBuilder::float64();
      static const std::map<std::string, Type, std::less<>> kTypes = {
          {"int8", Type::Int8},       {"int16", Type::Int16},     {"int32", Type::Int32}, {"int64", Type::Int64},
          {"float32", Type::Float32}, {"float64", Type::Float64}, {"bytes", Type::Bytes}};
      auto it = kTypes.find(*connect_type);
      if (it == kTypes.end()) throw DataException(fmt::format("Unsupported type {}", *connect_type));
      return SchemaBuilder(it->second);
    }
    if (type == "string") return connect_type == "bytes" ? SchemaBuilder::bytes() : SchemaBuilder::string();
    if (type == "array") {
      element items;
      if (!find_member(o, "items", items) || !items.is_object())
        throw DataException("Array schema did not specify the items type");
      if (connect_type == "map") {
        element props, k, v;
        object io = items.get_object().value_unsafe();
        if (find_member(io, "properties", props) && props.is_object()) {
          object po = props.get_object().value_unsafe();
          if (find_member(po, "key", k) && find_member(po, "value", v))
            return SchemaBuilder::map(read(k, std::nullopt, false), read(v, std::nullopt, false));
        }
      }
      return SchemaBuilder::array(read(items, std::nullopt, false));
    }
    if (type == "object") {
      if (connect_type == "map") {
        element values;
        if (!find_member(o, "additionalProperties", values) || !values.is_object())
          throw DataException("A map's JSON Schema (connect.type map) must give its values' schema in additionalProperties");
        return SchemaBuilder::map(schemas::string(), read(values, std::nullopt, false));
      }
      return structure(o);
    }
    if (type == "null") throw DataException("Unsupported schema type org.everit.json.schema.NullSchema: a JSON Schema of type null alone has no Connect schema");
    throw DataException(fmt::format("Unknown JSON Schema type \"{}\"", type));
  }

  SchemaBuilder structure(object o) {
    SchemaBuilder b = SchemaBuilder::structure();
    element props;
    if (!find_member(o, "properties", props) || !props.is_object()) return b;
    std::vector<std::string> names;
    std::vector<element> schemas_of;
    object props_obj = props.get_object().value_unsafe();
    for (auto p : props_obj) {
      names.emplace_back(p.key);
      schemas_of.push_back(p.value);
    }
    std::vector<std::string> required;
    element req;
    if (find_member(o, "required", req) && req.is_array()) {
      simdjson::dom::array names_required = req.get_array().value_unsafe();
      for (element r : names_required)
        if (r.is_string()) required.emplace_back(r.get_string().value_unsafe());
    }
    // Fields by connect.index; a property without one takes the next free place
    // in the order everit's HashMap holds the properties (as JsonSchemaData numbers them).
    std::map<int64_t, size_t> by_index;
    for (size_t i : java_hash_map_order(names)) {
      std::optional<int64_t> index;
      if (schemas_of[i].is_object()) index = int_member(schemas_of[i].get_object().value_unsafe(), kConnectIndex);
      by_index[index.value_or(static_cast<int64_t>(by_index.size()))] = i;
    }
    for (auto& [index, i] : by_index) {
      bool optional = opts_.use_optional_for_nonrequired &&
                      std::find(required.begin(), required.end(), names[i]) == required.end();
      b.field(names[i], read(schemas_of[i], std::nullopt, optional));
    }
    return b;
  }

  const JsonSchemaDataOptions& opts_;
};

}  // namespace

SchemaPtr json_schema_to_connect(std::string_view text, const JsonSchemaDataOptions& opts, std::optional<int32_t> version) {
  simdjson::dom::parser parser;
  element root;
  if (auto err = parser.parse(text.data(), text.size()).get(root))
    throw DataException(fmt::format("The registry's JSON Schema is not valid JSON: {}", simdjson::error_message(err)));
  return ToConnect(opts).read(root, version, false);
}

}  // namespace connectrun::avro
