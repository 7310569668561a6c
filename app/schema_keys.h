// The JSON Schema of one declared configuration key, as `connectrun schema`
// writes it (cmd_schema.cpp): the key's type as the loader parses it, with the
// forms it also takes (numbers and booleans as text, lists as "a,b",
// placeholders), its default, valid values and description; and the small
// builder the schema is written with (a schemaless Value, serialised by the
// project's JSON writer).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "config/spec.h"
#include "data/value.h"

namespace connectrun::cli::schema {

// An object under construction: members in insertion order.
struct Obj {
  MapEntries m;
  Obj& set(std::string key, Value v) & {
    m.emplace_back(Value(std::move(key)), std::move(v));
    return *this;
  }
  Obj&& set(std::string key, Value v) && { return std::move(set(std::move(key), std::move(v))); }
  operator Value() && { return Value(std::move(m)); }
};

Value strings(const std::vector<std::string>& items);
Value types(std::initializer_list<const char*> names);  // a "type" array
std::string regex_escape(std::string_view s);
// A ${provider:[path:]key} placeholder: the $def's schema, and a reference to it.
Value placeholder_def();
Value placeholder();
// Text, or a YAML number or boolean, which the loader takes as written.
Value scalar();
Value key_schema(const config::KeyDef& k, const std::string& description_prefix = "");

}  // namespace connectrun::cli::schema
