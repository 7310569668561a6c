// Helpers for the transform tests: build a configured transform or predicate
// through the registry, as a connector configuration would.
#pragma once

#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <string>

#include "connectors/connectors.h"
#include "plugin/registry.h"

namespace connectrun::testing {

using Props = std::map<std::string, std::string>;

inline config::ConfigValues parse_or_throw(const PluginInfo& info, const Props& props) {
  config::RawConfig raw;
  for (auto& [k, v] : props) raw[k] = config::RawEntry{v, {}};
  config::Problems problems;
  auto values = config::parse(info.spec, raw, "test", problems);
  if (!problems.empty()) throw config::ConfigError(problems.list()[0].key, problems.list()[0].message);
  return values;
}

// Throws config::ConfigError for configuration the spec or configure() refuses.
inline std::unique_ptr<Transformation> make_transform(const std::string& name, const Props& props = {}) {
  const PluginInfo* info = builtin_plugins().find(name, {PluginKind::Transform});
  REQUIRE(info);
  auto values = parse_or_throw(*info, props);
  auto t = info->make_transform();
  t->configure(values);
  return t;
}

inline std::unique_ptr<Predicate> make_predicate(const std::string& name, const Props& props = {}) {
  const PluginInfo* info = builtin_plugins().find(name, {PluginKind::Predicate});
  REQUIRE(info);
  auto values = parse_or_throw(*info, props);
  auto p = info->make_predicate();
  p->configure(values);
  return p;
}

inline Record sink_record(SchemaPtr value_schema, Value value, std::string topic = "test") {
  Record r;
  r.topic = std::move(topic);
  r.partition = 0;
  r.value_schema = std::move(value_schema);
  r.value = std::move(value);
  r.timestamp = 1700000000000;
  r.bus_offset = 42;
  r.is_source = false;
  return r;
}

inline Record keyed_record(SchemaPtr key_schema, Value key) {
  Record r = sink_record(nullptr, Value());
  r.key_schema = std::move(key_schema);
  r.key = std::move(key);
  return r;
}

inline MapEntries map_of(std::initializer_list<std::pair<const char*, Value>> entries) {
  MapEntries m;
  for (auto& [k, v] : entries) m.emplace_back(Value(k), v);
  return m;
}

inline const Value& field(const Value& map_or_struct, const std::string& name) {
  if (map_or_struct.is_struct()) return map_or_struct.as_struct().get(name);
  const Value* v = map_or_struct.find(name);
  REQUIRE(v);
  return *v;
}

}  // namespace connectrun::testing
