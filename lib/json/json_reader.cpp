#include "json/json_reader.h"

#include <fmt/format.h>

namespace connectrun {

std::string_view json_node_type(simdjson::dom::element e) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::ARRAY: return "ARRAY";
    case element_type::OBJECT: return "OBJECT";
    case element_type::INT64:
    case element_type::UINT64:
    case element_type::DOUBLE: return "NUMBER";
    case element_type::STRING: return "STRING";
    case element_type::BOOL: return "BOOLEAN";
    case element_type::NULL_VALUE: return "NULL";
  }
  return "MISSING";
}

Value json_element_to_value(simdjson::dom::element e) {
  using simdjson::dom::element_type;
  switch (e.type()) {
    case element_type::NULL_VALUE: return Value();
    case element_type::BOOL: return Value(bool(e.get_bool().value_unsafe()));
    case element_type::INT64: return Value(int64_t(e.get_int64().value_unsafe()));
    case element_type::UINT64:
      throw DataException(fmt::format("Integer {} is out of range for int64", e.get_uint64().value_unsafe()));
    case element_type::DOUBLE: return Value(double(e.get_double().value_unsafe()));
    case element_type::STRING: return Value(std::string(e.get_string().value_unsafe()));
    case element_type::ARRAY: {
      Array out;
      auto arr = e.get_array().value_unsafe();
      out.reserve(arr.size());
      for (auto item : arr) out.push_back(json_element_to_value(item));
      return Value(std::move(out));
    }
    case element_type::OBJECT: {
      MapEntries out;
      // A named object: range-for over value_unsafe() of a temporary result would dangle.
      simdjson::dom::object obj = e.get_object().value_unsafe();
      // size() is stored in the tape (no second pass). Two spare entries: a
      // transform adding a field (InsertField) would otherwise move them all.
      out.reserve(obj.size() + 2);
      for (auto field : obj)
        out.emplace_back(Value(std::string(field.key)), json_element_to_value(field.value));
      return Value(std::move(out));
    }
  }
  return Value();
}

Value parse_schemaless_json(simdjson::dom::parser& parser, std::string_view text) {
  simdjson::dom::element root;
  if (auto err = parser.parse(text.data(), text.size()).get(root))
    throw DataException(fmt::format("Invalid JSON: {}", simdjson::error_message(err)));
  return json_element_to_value(root);
}

Value parse_schemaless_json(std::string_view text) {
  simdjson::dom::parser parser;
  return parse_schemaless_json(parser, text);
}

}  // namespace connectrun
