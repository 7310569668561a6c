#include "config/spec.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace connectrun::config {

std::string Location::str() const {
  if (file.empty() && line == 0) return "<unknown>";
  if (line == 0) return file;
  if (column == 0) return fmt::format("{}:{}", file, line);
  return fmt::format("{}:{}:{}", file, line, column);
}

std::string Problem::str() const {
  std::string where = loc.str();
  std::string who = connector.empty() ? "worker" : fmt::format("connector '{}'", connector);
  if (key.empty()) return fmt::format("{}: {}: {}", where, who, message);
  return fmt::format("{}: {}: key '{}': {}", where, who, key, message);
}

std::string_view key_type_name(KeyType t) {
  switch (t) {
    case KeyType::String: return "string";
    case KeyType::Int: return "int";
    case KeyType::Long: return "long";
    case KeyType::Double: return "double";
    case KeyType::Boolean: return "boolean";
    case KeyType::List: return "list";
    case KeyType::Class: return "class";
    case KeyType::Password: return "password";
  }
  return "?";
}

std::string config_value_to_string(const ConfigValue& v) {
  struct V {
    std::string operator()(std::monostate) const { return "null"; }
    std::string operator()(const std::string& s) const { return s; }
    std::string operator()(int64_t i) const { return std::to_string(i); }
    std::string operator()(double d) const { return fmt::format("{}", d); }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(const std::vector<std::string>& l) const { return fmt::format("{}", fmt::join(l, ",")); }
  };
  return std::visit(V{}, v);
}

namespace {
std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}
}  // namespace

namespace validators {
Validator at_least(int64_t min) {
  return Validator{[min](const ConfigValue& v) -> std::optional<std::string> {
                     if (auto* i = std::get_if<int64_t>(&v); i && *i < min)
                       return fmt::format("must be at least {}", min);
                     return std::nullopt;
                   },
                   fmt::format("[{},...]", min)};
}

Validator between(int64_t min, int64_t max) {
  return Validator{[min, max](const ConfigValue& v) -> std::optional<std::string> {
                     if (auto* i = std::get_if<int64_t>(&v); i && (*i < min || *i > max))
                       return fmt::format("must be between {} and {}", min, max);
                     return std::nullopt;
                   },
                   fmt::format("[{},...,{}]", min, max)};
}

Validator one_of(std::vector<std::string> values) {
  std::string desc = fmt::format("[{}]", fmt::join(values, ", "));
  return Validator{[values](const ConfigValue& v) -> std::optional<std::string> {
                     auto* s = std::get_if<std::string>(&v);
                     if (!s) return std::nullopt;
                     for (auto& ok : values)
                       if (lower(ok) == lower(*s)) return std::nullopt;
                     return fmt::format("must be one of {}{}", fmt::join(values, ", "), did_you_mean(*s, values));
                   },
                   desc};
}

Validator non_empty_string() {
  return Validator{[](const ConfigValue& v) -> std::optional<std::string> {
                     if (auto* s = std::get_if<std::string>(&v); s && trim(*s).empty())
                       return std::string("must not be empty");
                     return std::nullopt;
                   },
                   "non-empty string"};
}

Validator list_of(std::vector<std::string> values) {
  std::string desc = fmt::format("[{}]", fmt::join(values, ", "));
  return Validator{[values](const ConfigValue& v) -> std::optional<std::string> {
                     auto* l = std::get_if<std::vector<std::string>>(&v);
                     if (!l) return std::nullopt;
                     for (auto& e : *l)
                       if (std::find(values.begin(), values.end(), e) == values.end())
                         return fmt::format("'{}' is not one of {}{}", e, fmt::join(values, ", "), did_you_mean(e, values));
                     return std::nullopt;
                   },
                   desc};
}
}  // namespace validators

ConfigSpec& ConfigSpec::define(KeyDef def) {
  if (find(def.name)) throw std::logic_error("key declared twice: " + def.name);
  keys_.push_back(std::move(def));
  return *this;
}

const KeyDef* ConfigSpec::find(std::string_view name) const {
  for (auto& k : keys_)
    if (k.name == name) return &k;
  return nullptr;
}

std::vector<std::string> ConfigSpec::names() const {
  std::vector<std::string> out;
  for (auto& k : keys_) out.push_back(k.name);
  return out;
}

const ConfigValue& ConfigValues::get(std::string_view key) const {
  auto it = values_.find(std::string(key));
  if (it == values_.end()) throw std::out_of_range("undeclared configuration key: " + std::string(key));
  return it->second;
}

std::string ConfigValues::get_string(std::string_view key) const {
  const auto& v = get(key);
  if (std::holds_alternative<std::monostate>(v)) return {};
  if (auto* s = std::get_if<std::string>(&v)) return *s;
  return config_value_to_string(v);
}

int64_t ConfigValues::get_long(std::string_view key) const { return std::get<int64_t>(get(key)); }
double ConfigValues::get_double(std::string_view key) const { return std::get<double>(get(key)); }
bool ConfigValues::get_bool(std::string_view key) const { return std::get<bool>(get(key)); }
std::vector<std::string> ConfigValues::get_list(std::string_view key) const {
  const auto& v = get(key);
  if (std::holds_alternative<std::monostate>(v)) return {};
  return std::get<std::vector<std::string>>(v);
}

Location ConfigValues::location_of(std::string_view key) const {
  auto it = raw_.find(std::string(key));
  return it == raw_.end() ? Location{} : it->second.loc;
}

std::variant<ConfigValue, std::string> parse_value(const KeyDef& def, std::string_view text) {
  std::string_view t = trim(text);
  auto parse_integer = [&](int64_t min, int64_t max, std::string_view type) -> std::variant<ConfigValue, std::string> {
    int64_t out = 0;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
    if (t.empty() || ec != std::errc() || p != t.data() + t.size() || out < min || out > max)
      return fmt::format("expected a number of type {}, got '{}'", type, text);
    return ConfigValue{out};
  };
  switch (def.type) {
    case KeyType::String:
    case KeyType::Class:
    case KeyType::Password:
      // Kafka trims strings (ConfigDef.parseType); passwords are kept as given.
      return ConfigValue{std::string(def.type == KeyType::Password ? text : t)};
    case KeyType::Int: return parse_integer(INT32_MIN, INT32_MAX, "INT");
    case KeyType::Long: return parse_integer(INT64_MIN, INT64_MAX, "LONG");
    case KeyType::Double: {
      std::string s(t);
      char* end = nullptr;
      double d = std::strtod(s.c_str(), &end);
      if (s.empty() || end != s.c_str() + s.size() || std::isnan(d))
        return fmt::format("expected a number of type DOUBLE, got '{}'", text);
      return ConfigValue{d};
    }
    case KeyType::Boolean: {
      std::string l = lower(t);
      if (l == "true") return ConfigValue{true};
      if (l == "false") return ConfigValue{false};
      return fmt::format("expected true or false, got '{}'", text);
    }
    case KeyType::List: {
      std::vector<std::string> items;
      if (t.empty()) return ConfigValue{items};
      size_t start = 0;
      while (true) {
        size_t comma = t.find(',', start);
        items.emplace_back(trim(t.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
      }
      return ConfigValue{items};
    }
  }
  return std::string("unknown key type");
}

ConfigValues parse(const ConfigSpec& spec, const RawConfig& raw, std::string_view connector, Problems& problems,
                   const Location& section) {
  ConfigValues out;
  RawConfig used;
  for (const auto& def : spec.keys()) {
    auto it = raw.find(def.name);
    if (it == raw.end()) {
      if (def.required()) {
        problems.add(section, std::string(connector), def.name,
                     fmt::format("missing required key (type {}): {}", key_type_name(def.type), def.doc));
        out.set(def.name, std::monostate{});
      } else {
        out.set(def.name, *def.default_value);
      }
      continue;
    }
    used.emplace(it->first, it->second);
    auto parsed = parse_value(def, it->second.value);
    if (auto* err = std::get_if<std::string>(&parsed)) {
      problems.add(it->second.loc, std::string(connector), def.name, *err);
      out.set(def.name, def.default_value.value_or(std::monostate{}));
      continue;
    }
    auto& value = std::get<ConfigValue>(parsed);
    if (def.validator) {
      if (auto err = def.validator->check(value)) {
        std::string shown = def.is_secret() ? std::string("[hidden]") : it->second.value;
        problems.add(it->second.loc, std::string(connector), def.name, fmt::format("invalid value '{}': {}", shown, *err));
      }
    }
    out.set(def.name, std::move(value));
  }
  out.set_raw(std::move(used));
  return out;
}

RawConfig with_prefix(const RawConfig& raw, std::string_view prefix) {
  RawConfig out;
  for (auto& [k, v] : raw)
    if (k.size() > prefix.size() && k.compare(0, prefix.size(), prefix) == 0) out.emplace(k.substr(prefix.size()), v);
  return out;
}

namespace {
size_t edit_distance(std::string_view a, std::string_view b) {
  // Damerau-Levenshtein (optimal string alignment), case-insensitive.
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  auto eq = [](char x, char y) { return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y)); };
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = eq(a[i - 1], b[j - 1]) ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && eq(a[i - 1], b[j - 2]) && eq(a[i - 2], b[j - 1])) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}
}  // namespace

std::vector<std::string> closest(std::string_view word, const std::vector<std::string>& candidates) {
  size_t limit = std::max<size_t>(2, word.size() / 3);
  size_t best = limit + 1;
  std::vector<std::string> out;
  for (auto& c : candidates) {
    size_t d = edit_distance(word, c);
    // A candidate that ends with the word ("FileStreamSource" for "FileSource") also helps.
    if (d < best) {
      best = d;
      out.clear();
    }
    if (d == best && d <= limit && std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  }
  if (out.empty()) {
    std::string lw = lower(word);
    for (auto& c : candidates)
      if (lw.size() >= 3 && lower(c).find(lw) != std::string::npos) out.push_back(c);
    if (out.size() > 3) out.clear();
  }
  return out;
}

std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates) {
  auto c = closest(word, candidates);
  if (c.empty()) return {};
  if (c.size() == 1) return fmt::format(" (did you mean '{}'?)", c[0]);
  return fmt::format(" (did you mean one of '{}'?)", fmt::join(c, "', '"));
}

}  // namespace connectrun::config
