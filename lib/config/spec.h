// Every plugin declares its keys once, as a ConfigSpec: name, type, default,
// valid values, documentation, secrecy. The same declaration parses and
// validates configuration, fills in defaults, prints `connectrun plugins NAME`
// and generates docs/plugins.md.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace connectrun::config {

// Where a configuration value came from. line/column are 1-based; 0 = unknown.
struct Location {
  std::string file;
  int line = 0;
  int column = 0;  // 0 for .properties files (file:line only)
  std::string str() const;  // "file:line:col", "file:line", "file" or "<unknown>"
  bool operator==(const Location&) const = default;
};

// A part of a value that a ${env:}/${file:} placeholder resolved to.
struct Resolved {
  size_t begin = 0, end = 0;  // [begin, end) in RawEntry::value
  std::string placeholder;    // "${env:DB_PORT}"
};

struct RawEntry {
  std::string value;
  Location loc;
  // When placeholders were resolved into `value`: the text as written and
  // where each resolved value lies. Problems and `validate` never show those
  // parts (see redact()).
  std::string written;
  std::vector<Resolved> resolved;
  bool from_placeholder() const { return !resolved.empty(); }
};

// Flat dotted keys → textual values, as a .properties file holds them.
using RawConfig = std::map<std::string, RawEntry>;

enum class KeyType { String, Int, Long, Double, Boolean, List, Class, Password };
std::string_view key_type_name(KeyType t);

// A parsed, typed value. monostate = null.
using ConfigValue = std::variant<std::monostate, std::string, int64_t, double, bool, std::vector<std::string>>;
std::string config_value_to_string(const ConfigValue& v);  // lists as "a,b"; null as "null"

struct Validator {
  // Returns an error text ("must be one of none, all") or nullopt when valid.
  std::function<std::optional<std::string>(const ConfigValue&)> check;
  std::string describe;  // "[none, all]", "[1,...]"; shown as valid values
};

namespace validators {
Validator at_least(int64_t min);
Validator between(int64_t min, int64_t max);
Validator one_of(std::vector<std::string> values);  // case-insensitive, as Kafka's CaseInsensitiveValidString
Validator non_empty_string();
Validator list_of(std::vector<std::string> values);  // every list element one of
}  // namespace validators

// Whether a key's value names a file the plugin reads or writes: the job
// planner refuses a connector writing a file another connector of the job
// reads (what it writes would be read again, growing the file without end).
enum class FileUse { None, Reads, Writes };

struct KeyDef {
  std::string name;
  KeyType type = KeyType::String;
  // nullopt = required (Kafka's NO_DEFAULT_VALUE); monostate = optional with null default.
  std::optional<ConfigValue> default_value;
  std::string doc;
  std::optional<Validator> validator;
  bool secret = false;  // also implied by KeyType::Password
  FileUse file_use = FileUse::None;
  bool is_secret() const { return secret || type == KeyType::Password; }
  bool required() const { return !default_value.has_value(); }
};

class ConfigSpec {
 public:
  ConfigSpec& define(KeyDef def);
  const std::vector<KeyDef>& keys() const { return keys_; }
  const KeyDef* find(std::string_view name) const;
  std::vector<std::string> names() const;

 private:
  std::vector<KeyDef> keys_;
};

// One configuration problem, reported together with all the others.
struct Problem {
  Location loc;
  std::string connector;  // empty for the worker section
  std::string key;
  std::string message;    // what is wrong and what was expected, with "did you mean" where it helps
  std::string str() const;
};

class Problems {
 public:
  // Rewrites messages in place (placeholder values hidden after planning).
  template <class F> void rewrite(F&& f) {
    for (auto& p : list_) f(p);
  }
  void add(Location loc, std::string connector, std::string key, std::string message) {
    list_.push_back(Problem{std::move(loc), std::move(connector), std::move(key), std::move(message)});
  }
  bool empty() const { return list_.empty(); }
  size_t size() const { return list_.size(); }
  const std::vector<Problem>& list() const { return list_; }
  void append(const Problems& o) { list_.insert(list_.end(), o.list_.begin(), o.list_.end()); }

 private:
  std::vector<Problem> list_;
};

// A configuration error raised by a plugin's configure() for a rule the spec
// cannot express (two keys that exclude each other, say).
class ConfigError : public std::runtime_error {
 public:
  ConfigError(std::string key, const std::string& message) : std::runtime_error(message), key_(std::move(key)) {}
  const std::string& key() const { return key_; }

 private:
  std::string key_;
};

// Typed values for every key of a spec (defaults filled in), plus the raw
// entries they came from, so prefixed sub-configurations can be handed on.
class ConfigValues {
 public:
  const ConfigValue& get(std::string_view key) const;  // throws std::out_of_range for undeclared keys
  bool has(std::string_view key) const { return values_.count(std::string(key)) > 0; }
  bool is_null(std::string_view key) const { return std::holds_alternative<std::monostate>(get(key)); }
  std::string get_string(std::string_view key) const;  // null → ""
  int64_t get_long(std::string_view key) const;
  int32_t get_int(std::string_view key) const { return static_cast<int32_t>(get_long(key)); }
  double get_double(std::string_view key) const;
  bool get_bool(std::string_view key) const;
  std::vector<std::string> get_list(std::string_view key) const;  // null → {}
  // Whether the user set the key (as opposed to taking the default).
  bool was_set(std::string_view key) const { return raw_.count(std::string(key)) > 0; }
  const RawConfig& raw() const { return raw_; }
  Location location_of(std::string_view key) const;

  void set(std::string key, ConfigValue v) { values_[std::move(key)] = std::move(v); }
  void set_raw(RawConfig raw) { raw_ = std::move(raw); }
  const std::map<std::string, ConfigValue>& values() const { return values_; }

 private:
  std::map<std::string, ConfigValue> values_;
  RawConfig raw_;  // only the entries the spec declares
};

// Parses one textual value as `def` says. Returns the error text on failure.
std::variant<ConfigValue, std::string> parse_value(const KeyDef& def, std::string_view text);

// Parses every declared key of `spec` found in `raw` (others are ignored: the
// caller decides what is unknown), fills in defaults, reports missing required
// keys and invalid values into `problems`.
ConfigValues parse(const ConfigSpec& spec, const RawConfig& raw, std::string_view connector, Problems& problems,
                   const Location& section = {});

// `message` about entry `e` with every resolved placeholder value hidden: a
// quoted span ('…') holding any of it becomes "the value of ${env:X}" (or
// "part of the value of …"), and a resolved value of 3 or more characters
// (not all digits, which would mangle numbers in the text) is replaced by its
// placeholder wherever else it appears, in any letter case.
std::string redact(const RawEntry& e, std::string message);
// What `validate` shows for an entry: the text as written when it holds placeholders.
const std::string& shown_text(const RawEntry& e);

// Entries of `raw` under `prefix`, with the prefix removed ("value.converter.").
RawConfig with_prefix(const RawConfig& raw, std::string_view prefix);

// "did you mean …?": the closest candidates by edit distance (case-insensitive),
// empty when nothing is close.
std::vector<std::string> closest(std::string_view word, const std::vector<std::string>& candidates);
std::string did_you_mean(std::string_view word, const std::vector<std::string>& candidates);  // "" or " (did you mean 'x'?)"

}  // namespace connectrun::config
