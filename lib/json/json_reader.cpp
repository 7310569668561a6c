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

bool find_member(simdjson::dom::object obj, std::string_view key, simdjson::dom::element& out) {
  bool found = false;
  for (auto field : obj)
    if (field.key == key) {
      out = field.value;
      found = true;
    }
  return found;
}

size_t find_key(const MapEntries& entries, std::string_view key) {
  for (size_t i = 0; i < entries.size(); ++i)
    if (auto* k = entries[i].first.get_if<std::string>(); k && *k == key) return i;
  return kNoEarlierKey;
}

std::optional<std::string> without_leading_zeros(std::string_view json) {
  std::string out;
  bool changed = false, in_string = false;
  auto number_char = [](char c) { return (c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-'; };
  for (size_t i = 0; i < json.size(); ++i) {
    char c = json[i];
    if (in_string) {
      out.push_back(c);
      if (c == '\\' && i + 1 < json.size()) out.push_back(json[++i]);
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    // The integer part of a number: zeros followed by another digit are dropped.
    bool starts_number = (c == '-' || (c >= '0' && c <= '9')) && (i == 0 || !number_char(json[i - 1]));
    if (starts_number) {
      if (c == '-') out.push_back(json[i++]);
      while (i + 1 < json.size() && json[i] == '0' && json[i + 1] >= '0' && json[i + 1] <= '9') {
        ++i;
        changed = true;
      }
      if (i < json.size()) out.push_back(json[i]);
      continue;
    }
    out.push_back(c);
  }
  if (!changed) return std::nullopt;
  return out;
}

void json_element_to_value(simdjson::dom::element e, Value& out) {
  using simdjson::dom::element_type;
  Value::Storage& v = out.storage();
  switch (e.type()) {
    case element_type::NULL_VALUE: v.emplace<std::monostate>(); return;
    case element_type::BOOL: v.emplace<bool>(e.get_bool().value_unsafe()); return;
    case element_type::INT64: v.emplace<int64_t>(e.get_int64().value_unsafe()); return;
    case element_type::UINT64:
      throw DataException(fmt::format("Integer {} is out of range for int64", e.get_uint64().value_unsafe()));
    case element_type::DOUBLE: v.emplace<double>(e.get_double().value_unsafe()); return;
    case element_type::STRING: v.emplace<std::string>(e.get_string().value_unsafe()); return;
    case element_type::ARRAY: {
      auto arr = e.get_array().value_unsafe();
      Array& items = v.emplace<Array>();
      items.reserve(arr.size());
      for (auto item : arr) json_element_to_value(item, items.emplace_back());
      return;
    }
    case element_type::OBJECT: {
      // A named object: range-for over value_unsafe() of a temporary result would dangle.
      simdjson::dom::object obj = e.get_object().value_unsafe();
      MapEntries& entries = v.emplace<MapEntries>();
      // size() is stored in the tape (no second pass). Two spare entries: a
      // transform adding a field (InsertField) would otherwise move them all.
      // Entries are built where they stay: the reservation is never exceeded.
      entries.reserve(obj.size() + 2);
      uint64_t seen = 0;
      for (auto field : obj) {
        size_t earlier = find_earlier_key(entries, field.key, seen);
        if (earlier != kNoEarlierKey) {
          json_element_to_value(field.value, entries[earlier].second);
          continue;
        }
        // The key, and a scalar value, built where they stay: no default made first and then
        // replaced, and no call per field of a flat object.
        auto add = [&](auto&&... value) -> Value& {
          return entries
              .emplace_back(std::piecewise_construct, std::forward_as_tuple(std::in_place_type<std::string>, field.key),
                            std::forward_as_tuple(std::forward<decltype(value)>(value)...))
              .second;
        };
        const simdjson::dom::element f = field.value;
        switch (f.type()) {
          case element_type::STRING: add(std::in_place_type<std::string>, f.get_string().value_unsafe()); break;
          case element_type::INT64: add(std::in_place_type<int64_t>, f.get_int64().value_unsafe()); break;
          case element_type::DOUBLE: add(std::in_place_type<double>, f.get_double().value_unsafe()); break;
          case element_type::BOOL: add(std::in_place_type<bool>, f.get_bool().value_unsafe()); break;
          case element_type::NULL_VALUE: add(); break;
          default: json_element_to_value(f, add()); break;  // arrays, objects; beyond int64 throws
        }
      }
      return;
    }
  }
  v.emplace<std::monostate>();
}

Value json_element_to_value(simdjson::dom::element e) {
  Value out;
  json_element_to_value(e, out);
  return out;
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
