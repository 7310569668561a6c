#include "transforms/replace_field.h"

#include <algorithm>

#include <fmt/format.h>

#include "bus/topic_name.h"  // same_name: short names compared inline, not through memcmp
#include "transforms/transforms.h"

namespace connectrun::transforms {

namespace {
constexpr std::string_view kPurpose = "field replacement";

config::KeyDef list_key(std::string name, std::string doc, std::optional<config::Validator> validator = std::nullopt) {
  return config::KeyDef{std::move(name), config::KeyType::List, config::ConfigValue{std::vector<std::string>{}},
                        std::move(doc), std::move(validator)};
}

// Kafka 4.0 dropped the 3.x names `blacklist`/`whitelist`; connectrun still reads them so older
// configurations keep working, and refuses a configuration that sets both names of one key.
std::vector<std::string> with_legacy(const config::ConfigValues& cfg, const std::string& key, const std::string& legacy) {
  if (cfg.was_set(key) && cfg.was_set(legacy))
    throw config::ConfigError(legacy, fmt::format("'{}' is the deprecated name of '{}'; set only one of them", legacy, key));
  return cfg.was_set(legacy) ? cfg.get_list(legacy) : cfg.get_list(key);
}

bool listed(const std::vector<std::string>& names, const std::string& field) {
  for (auto& n : names)
    if (same_name(n, field)) return true;
  return false;
}

// The second of the pair whose first is `field`, else `field`.
const std::string& mapped(const std::vector<std::pair<std::string, std::string>>& pairs, const std::string& field) {
  for (auto& [from, to] : pairs)
    if (same_name(from, field)) return to;
  return field;
}

// As a map's `m[key] = value`: a later mapping of the same name replaces the earlier.
void put(std::vector<std::pair<std::string, std::string>>& pairs, const std::string& key, const std::string& value) {
  for (auto& [k, v] : pairs)
    if (k == key) {
      v = value;
      return;
    }
  pairs.emplace_back(key, value);
}
}  // namespace

std::vector<std::pair<std::string, std::string>> ReplaceField::parse_renames(const std::vector<std::string>& entries) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& mapping : entries) {
    auto parts = split_colon(mapping);
    if (parts.size() != 2) throw config::ConfigError("renames", fmt::format("Invalid rename mapping: {}", mapping));
    out.emplace_back(parts[0], parts[1]);
  }
  return out;
}

config::ConfigSpec ReplaceField::spec() {
  config::ConfigSpec s;
  s.define(list_key("exclude", "Fields to exclude. This takes precedence over the fields to include."));
  s.define(list_key("include", "Fields to include. If specified, only these fields will be used."));
  s.define(list_key("renames", "Field rename mappings.",
                    config::Validator{[](const config::ConfigValue& v) -> std::optional<std::string> {
                                        try {
                                          parse_renames(std::get<std::vector<std::string>>(v));
                                        } catch (const config::ConfigError& e) {
                                          return std::string(e.what());
                                        }
                                        return std::nullopt;
                                      },
                                      "list of colon-delimited renamings, e.g. foo:bar,abc:xyz"}));
  s.define(list_key("blacklist", "Deprecated name of 'exclude' (Kafka 3.x)."));
  s.define(list_key("whitelist", "Deprecated name of 'include' (Kafka 3.x)."));
  s.define(replace_null_with_default_key());
  return s;
}

void ReplaceField::configure(const config::ConfigValues& cfg) {
  exclude_ = with_legacy(cfg, "exclude", "blacklist");
  include_ = with_legacy(cfg, "include", "whitelist");
  renames_.clear();
  reverse_.clear();
  for (auto& [from, to] : parse_renames(cfg.get_list("renames"))) {
    put(renames_, from, to);
    put(reverse_, to, from);
  }
  replace_null_with_default_ = cfg.get_bool("replace.null.with.default");
  excluded_bits_ = renamed_bits_ = 0;
  for (auto& name : exclude_) excluded_bits_ |= map_key_bit(name);
  for (auto& [from, to] : renames_) renamed_bits_ |= map_key_bit(from);
}

bool ReplaceField::keep(const std::string& field) const {
  if (listed(exclude_, field)) return false;
  return include_.empty() || listed(include_, field);
}

const std::string& ReplaceField::renamed(const std::string& field) const { return mapped(renames_, field); }

const std::string& ReplaceField::original(const std::string& field) const { return mapped(reverse_, field); }

bool ReplaceField::apply_in_place(Record& record) {
  Value& value = side_value(record, side_);
  if (value.is_null()) return true;
  SchemaPtr& schema = side_schema(record, side_);
  if (!schema) {
    require_map(value, kPurpose);
    // The record is ours: kept entries slide down in place (no new vector, no copies).
    MapEntries& m = value.as<MapEntries>();
    size_t kept = 0;
    // The kept names' bits (map_key_bit): only a name whose bit is already set can repeat
    // one, so most names skip the search of the kept entries.
    uint64_t seen = 0;
    for (size_t i = 0; i < m.size(); ++i) {
      auto* name = m[i].first.get_if<std::string>();
      if (!name) continue;
      // A name whose bit no excluded (or renamed) name has is not one of them: no list to search.
      const uint64_t name_bit = map_key_bit(*name);
      if ((name_bit & excluded_bits_) && listed(exclude_, *name)) continue;
      if (!include_.empty() && !listed(include_, *name)) continue;
      const std::string& to = (name_bit & renamed_bits_) ? renamed(*name) : *name;
      const uint64_t bit = &to == name ? name_bit : map_key_bit(to);
      if (seen & bit) {
        // As map_put: a rename target, or a key repeated in the JSON, replaces the entry already
        // kept (HashMap.put), in its place.
        auto same = [&](const std::pair<Value, Value>& e) {
          auto* ks = e.first.get_if<std::string>();
          return ks && *ks == to;
        };
        auto existing = std::find_if(m.begin(), m.begin() + static_cast<std::ptrdiff_t>(kept), same);
        if (existing != m.begin() + static_cast<std::ptrdiff_t>(kept)) {
          existing->second = std::move(m[i].second);
          continue;
        }
      }
      seen |= bit;
      if (&to != name) *name = to;  // `to` is the rename's, not the key's
      if (kept != i) m[kept] = std::move(m[i]);
      ++kept;
    }
    m.erase(m.begin() + static_cast<std::ptrdiff_t>(kept), m.end());
    return true;
  }
  const StructValue& input = require_struct(value, kPurpose);
  SchemaPtr out_schema = cache_.get(input.schema);
  if (!out_schema) {
    SchemaBuilder b = SchemaBuilder::structure();
    copy_schema_basics(*input.schema, b);
    for (auto& f : input.schema->fields)
      if (keep(f.name)) b.field(renamed(f.name), f.schema);
    out_schema = b.build();
    cache_.put(input.schema, out_schema);
  }
  auto out = StructValue::make(out_schema);
  for (auto& f : out_schema->fields) {
    const Field* from = input.schema->field(original(f.name));
    if (!from) throw DataException(fmt::format("{} is not a valid field name", original(f.name)));
    struct_put_from(*out, f, *from, replace_null_with_default_ ? struct_get(input, *from) : input.values[from->index]);
  }
  schema = out_schema;
  value = Value(std::move(out));
  return true;
}

void register_replace_field(PluginRegistry& registry) {
  add_key_value(registry, "ReplaceField", "Keeps, drops and renames fields",
                "Filter or rename fields. exclude takes precedence over include; an empty include keeps every field. "
                "The Kafka 3.x names blacklist and whitelist are accepted for exclude and include.",
                ReplaceField::spec(), [](Side s) { return std::make_unique<ReplaceField>(s); });
}

}  // namespace connectrun::transforms
