// The JSON Schema of one declared key (schema_keys.h).
#include "schema_keys.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <optional>
#include <variant>

namespace connectrun::cli::schema {

using config::KeyDef;
using config::KeyType;

Value strings(const std::vector<std::string>& items) {
  Array a;
  for (auto& s : items) a.emplace_back(s);
  return a;
}

Value types(std::initializer_list<const char*> names) {
  Array a;
  for (auto* n : names) a.emplace_back(n);
  return a;
}

std::string regex_escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (std::string_view("\\^$.|?*+()[]{}").find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

namespace {

// A regular expression matching `s` in any letter case (ECMA-262 has no inline (?i)).
std::string any_case(std::string_view s) {
  std::string out;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (std::isalpha(u)) {
      out += '[';
      out += static_cast<char>(std::tolower(u));
      out += static_cast<char>(std::toupper(u));
      out += ']';
    } else {
      out += regex_escape(std::string_view(&c, 1));
    }
  }
  return out;
}

}  // namespace

// A value holding a ${provider:[path:]key} placeholder: its resolved text is only
// known when the job is loaded, so it passes wherever a number or boolean is expected.
Value placeholder_def() {
  return Obj{}
      .set("type", "string")
      .set("pattern", "\\$\\{[^}:]*:[^}]*\\}")
      .set("description", "A ${env:NAME} or ${file:path:key} placeholder, resolved when the job is loaded.");
}

Value placeholder() { return Obj{}.set("$ref", "#/$defs/placeholder"); }

// Text, or a YAML number or boolean, which the loader takes as written.
Value scalar() { return Obj{}.set("type", types({"string", "number", "boolean", "null"})); }

namespace {

// What a key's validator allows, read from its description (validators.h's
// shapes: one_of/list_of "[a, b]", at_least "[1,...]", between "[1,...,9]").
struct Allowed {
  std::vector<std::string> values;
  std::optional<int64_t> min, max;
};

Allowed allowed(const KeyDef& k) {
  Allowed a;
  if (!k.validator) return a;
  const std::string& d = k.validator->describe;
  if (d.size() < 3 || d.front() != '[' || d.back() != ']') return a;
  std::string inner = d.substr(1, d.size() - 2);
  if (inner.find("...") != std::string::npos) {
    if (k.type != KeyType::Int && k.type != KeyType::Long) return a;
    auto comma = inner.find(',');
    auto last = inner.rfind(',');
    try {
      a.min = std::stoll(inner.substr(0, comma));
      if (last != comma) a.max = std::stoll(inner.substr(last + 1));
    } catch (const std::exception&) {
      a.min.reset();
    }
    return a;
  }
  if (k.type != KeyType::String && k.type != KeyType::Class && k.type != KeyType::List) return a;
  size_t start = 0;
  while (true) {
    auto sep = inner.find(", ", start);
    a.values.push_back(inner.substr(start, sep == std::string::npos ? std::string::npos : sep - start));
    if (sep == std::string::npos) break;
    start = sep + 2;
  }
  return a;
}

Value json_default(const config::ConfigValue& v) {
  struct V {
    Value operator()(std::monostate) const { return nullptr; }
    Value operator()(const std::string& s) const { return s; }
    Value operator()(int64_t i) const { return i; }
    Value operator()(double d) const { return d; }
    Value operator()(bool b) const { return b; }
    Value operator()(const std::vector<std::string>& l) const { return strings(l); }
  };
  return std::visit(V{}, v);
}

}  // namespace

// The schema of one declared key: its type as the loader parses it, default, valid values, description.
Value key_schema(const KeyDef& k, const std::string& description_prefix) {
  Obj s;
  std::string doc = description_prefix + k.doc;
  if (!doc.empty()) s.set("description", doc);
  if (k.default_value && !std::holds_alternative<std::monostate>(*k.default_value))
    s.set("default", json_default(*k.default_value));
  if (k.is_secret()) s.set("writeOnly", true);
  Allowed a = allowed(k);
  const std::string ws = "^\\s*";
  switch (k.type) {
    case KeyType::String:
    case KeyType::Class:
    case KeyType::Password: {
      if (!a.values.empty()) {
        // one_of is case-insensitive: the enum is what editors offer, the pattern what the loader takes.
        std::string alts;
        for (auto& v : a.values) alts += (alts.empty() ? "" : "|") + any_case(v);
        s.set("anyOf", Array{Obj{}.set("enum", strings(a.values)),
                             Obj{}.set("type", "string").set("pattern", ws + "(?:" + alts + ")\\s*$"), placeholder()});
      } else if (k.validator && k.validator->describe == "non-empty string") {
        s.set("anyOf", Array{Obj{}.set("type", "string").set("pattern", "\\S"),
                             Obj{}.set("type", types({"number", "boolean"}))});
      } else {
        s.set("type", types({"string", "number", "boolean", "null"}));
      }
      break;
    }
    case KeyType::Int:
    case KeyType::Long: {
      Obj number;
      number.set("type", "integer");
      int64_t lo = k.type == KeyType::Int ? INT32_MIN : INT64_MIN;
      int64_t hi = k.type == KeyType::Int ? INT32_MAX : INT64_MAX;
      // A long's own bounds say nothing a reader needs; an int's do (Kafka's INT is 32 bits).
      if (a.min || k.type == KeyType::Int) number.set("minimum", a.min ? std::max(*a.min, lo) : lo);
      if (a.max || k.type == KeyType::Int) number.set("maximum", a.max ? std::min(*a.max, hi) : hi);
      s.set("anyOf",
            Array{std::move(number), Obj{}.set("type", "string").set("pattern", ws + "-?[0-9]+\\s*$"), placeholder()});
      break;
    }
    case KeyType::Double:
      s.set("anyOf", Array{Obj{}.set("type", "number"),
                           Obj{}
                               .set("type", "string")
                               .set("pattern", ws + "[-+]?(?:[0-9]+\\.?[0-9]*|\\.[0-9]+)(?:[eE][-+]?[0-9]+)?\\s*$"),
                           placeholder()});
      break;
    case KeyType::Boolean:
      s.set("anyOf", Array{Obj{}.set("type", "boolean"),
                           Obj{}
                               .set("type", "string")
                               .set("pattern", ws + "(?:" + any_case("true") + "|" + any_case("false") + ")\\s*$"),
                           placeholder()});
      break;
    case KeyType::List: {
      if (!a.values.empty()) {
        // list_of compares each item exactly; the text form is "a,b" with spaces allowed around items.
        std::string alts;
        for (auto& v : a.values) alts += (alts.empty() ? "" : "|") + regex_escape(v);
        std::string item = "(?:" + alts + ")";
        s.set("anyOf",
              Array{Obj{}.set("type", "array").set("items", Obj{}.set("enum", strings(a.values))),
                    Obj{}.set("type", "string").set("pattern", ws + "(?:" + item + "\\s*(?:,\\s*" + item + "\\s*)*)?$"),
                    placeholder(), Obj{}.set("type", "null")});
      } else {
        s.set("anyOf", Array{Obj{}.set("type", "array").set("items", scalar()), scalar()});
      }
      break;
    }
  }
  return s;
}

}  // namespace connectrun::cli::schema
