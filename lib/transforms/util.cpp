#include "transforms/util.h"

#include <algorithm>
#include <tuple>

#include <fmt/format.h>

namespace connectrun::transforms {

void throw_not_map(const Value& v, std::string_view purpose) {
  throw DataException(
      fmt::format("Only Map objects supported in absence of schema for [{}], found: {}", purpose, v.java_class()));
}

const MapEntries* require_map_or_null(const Value& v, std::string_view purpose) {
  if (v.is_null()) return nullptr;
  return &require_map(v, purpose);
}

const StructValue& require_struct(const Value& v, std::string_view purpose) {
  if (v.is_struct()) return v.as_struct();
  throw DataException(fmt::format("Only Struct objects supported for [{}], found: {}", purpose, v.java_class()));
}

const StructValue* require_struct_or_null(const Value& v, std::string_view purpose) {
  if (v.is_null()) return nullptr;
  return &require_struct(v, purpose);
}

void require_schema(const SchemaPtr& s, std::string_view purpose) {
  if (!s) throw DataException(fmt::format("Schema required for [{}]", purpose));
}

void require_sink_record(const Record& r, std::string_view purpose) {
  if (r.is_source)
    throw DataException(fmt::format("Only SinkRecord supported for [{}], found: org.apache.kafka.connect.source.SourceRecord",
                                    purpose));
}

const Value& struct_get(const StructValue& s, const Field& f) {
  const Value& v = s.values[f.index];
  if (v.is_null() && f.schema->default_value) return *f.schema->default_value;
  return v;
}

const Value& struct_get(const StructValue& s, std::string_view name) {
  const Field* f = s.schema->field(name);
  if (!f) throw DataException(fmt::format("{} is not a valid field name", name));
  return struct_get(s, *f);
}

void struct_set(StructValue& s, const Field& f, Value v) { s.put(f, std::move(v)); }

void struct_put_from(StructValue& s, const Field& to, const Field& from, Value v) {
  if (!v.is_null() && to.schema == from.schema && to.index < s.values.size()) {
    s.values[to.index] = std::move(v);
    return;
  }
  s.put(to, std::move(v));
}

Value* map_find(MapEntries& m, std::string_view key) {
  for (auto& [k, v] : m)
    if (auto* ks = k.get_if<std::string>(); ks && *ks == key) return &v;
  return nullptr;
}

const Value* map_find(const MapEntries& m, std::string_view key) {
  for (auto& [k, v] : m)
    if (auto* ks = k.get_if<std::string>(); ks && *ks == key) return &v;
  return nullptr;
}

namespace {
template <class V>
void put_entry(MapEntries& m, std::string_view key, V&& v) {
  if (Value* existing = map_find(m, key)) {
    *existing = std::forward<V>(v);
    return;
  }
  m.emplace_back(std::piecewise_construct, std::forward_as_tuple(std::in_place_type<std::string>, key),
                 std::forward_as_tuple(std::forward<V>(v)));
}
}  // namespace

void map_put(MapEntries& m, std::string_view key, Value&& v) { put_entry(m, key, std::move(v)); }
void map_put(MapEntries& m, std::string_view key, const Value& v) { put_entry(m, key, v); }

bool map_erase(MapEntries& m, std::string_view key) {
  auto it = std::find_if(m.begin(), m.end(), [&](const auto& e) {
    auto* ks = e.first.template get_if<std::string>();
    return ks && *ks == key;
  });
  if (it == m.end()) return false;
  m.erase(it);
  return true;
}

SchemaBuilder& copy_schema_basics(const Schema& source, SchemaBuilder& builder) {
  Schema& s = builder.schema();
  s.name = source.name;
  s.version = source.version;
  s.doc = source.doc;
  for (auto& [k, v] : source.parameters) builder.parameter(k, v);
  return builder;
}

SchemaPtr SchemaCache::get(const SchemaPtr& in) {
  for (size_t i = entries_.size(); i-- > 0;) {
    if (entries_[i].first == in || schemas_equal(entries_[i].first, in)) {
      if (i + 1 != entries_.size()) std::rotate(entries_.begin() + static_cast<ptrdiff_t>(i),
                                                entries_.begin() + static_cast<ptrdiff_t>(i) + 1, entries_.end());
      return entries_.back().second;
    }
  }
  return nullptr;
}

void SchemaCache::put(const SchemaPtr& in, SchemaPtr out) {
  if (entries_.size() == kCapacity) entries_.erase(entries_.begin());
  entries_.emplace_back(in, std::move(out));
}

void add_transform(PluginRegistry& registry, std::string name, std::string summary, std::string description,
                   config::ConfigSpec spec, TransformFactory make) {
  PluginInfo info;
  info.aliases.push_back(std::string(kJavaPackage) + name);
  info.name = std::move(name);
  info.kind = PluginKind::Transform;
  info.summary = std::move(summary);
  info.description = std::move(description);
  info.spec = std::move(spec);
  info.make_transform = std::move(make);
  registry.add(std::move(info));
}

void add_key_value(PluginRegistry& registry, const std::string& base, const std::string& summary,
                   const std::string& description, const config::ConfigSpec& spec,
                   const std::function<std::unique_ptr<Transformation>(Side)>& make) {
  add_transform(registry, base + "$Key", summary + " (record key)", description, spec,
                [make] { return make(Side::Key); });
  add_transform(registry, base + "$Value", summary + " (record value)", description, spec,
                [make] { return make(Side::Value); });
}

config::KeyDef replace_null_with_default_key() {
  return config::KeyDef{"replace.null.with.default", config::KeyType::Boolean, config::ConfigValue{true},
                        "Whether to replace fields that have a default value and that are null to the default value. "
                        "When set to true, the default value is used, otherwise null is used.",
                        std::nullopt};
}

config::Validator non_empty_list() {
  return config::Validator{[](const config::ConfigValue& v) -> std::optional<std::string> {
                             auto* l = std::get_if<std::vector<std::string>>(&v);
                             if (std::holds_alternative<std::monostate>(v) || (l && l->empty()))
                               return std::string("Empty list");
                             return std::nullopt;
                           },
                           "non-empty list"};
}

config::Validator non_empty_string_config() {
  return config::Validator{[](const config::ConfigValue& v) -> std::optional<std::string> {
                             if (auto* s = std::get_if<std::string>(&v); s && s->empty())
                               return std::string("String must be non-empty");
                             return std::nullopt;
                           },
                           "non-empty string"};
}

std::vector<std::string> split_colon(const std::string& s) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t p = s.find(':', start);
    parts.push_back(s.substr(start, p == std::string::npos ? std::string::npos : p - start));
    if (p == std::string::npos) break;
    start = p + 1;
  }
  while (parts.size() > 1 && parts.back().empty()) parts.pop_back();
  return parts;
}

}  // namespace connectrun::transforms
