// The plugin registry: every built-in connector, converter, transform and
// predicate, registered explicitly by register_builtin_plugins().
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/spec.h"
#include "plugin/connector.h"
#include "plugin/converter.h"
#include "plugin/transform.h"

namespace connectrun {

enum class PluginKind { Source, Sink, Converter, HeaderConverter, Transform, Predicate };
std::string_view plugin_kind_name(PluginKind k);  // "source connector", …

struct PluginInfo {
  std::string name;                  // our short name: "FileStreamSource", "InsertField$Value"
  std::vector<std::string> aliases;  // Java class names and other accepted names
  PluginKind kind = PluginKind::Source;
  std::string summary;               // one line, for `connectrun plugins`
  std::string description;           // longer text for `connectrun plugins NAME` and docs
  config::ConfigSpec spec;
  // Exactly one of these is set, matching `kind`.
  std::function<std::unique_ptr<SourceTask>()> make_source;
  std::function<std::unique_ptr<SinkTask>()> make_sink;
  std::function<std::unique_ptr<Converter>()> make_converter;
  std::function<std::unique_ptr<HeaderConverter>()> make_header_converter;
  std::function<std::unique_ptr<Transformation>()> make_transform;
  std::function<std::unique_ptr<Predicate>()> make_predicate;
};

class PluginRegistry {
 public:
  void add(PluginInfo info);  // throws std::logic_error on a duplicate name or alias
  // By name or alias (exact), restricted to the given kinds.
  const PluginInfo* find(std::string_view name, std::initializer_list<PluginKind> kinds) const;
  const PluginInfo* find_any(std::string_view name) const;
  // Names (and aliases) of every plugin of the given kinds, for suggestions.
  std::vector<std::string> names(std::initializer_list<PluginKind> kinds) const;
  const std::vector<PluginInfo>& all() const { return plugins_; }

 private:
  std::vector<PluginInfo> plugins_;
};

// Registers every built-in plugin. The one place that lists them.
void register_builtin_plugins(PluginRegistry& registry);
// The built-in registry, built once on first use and never changed after.
const PluginRegistry& builtin_plugins();

}  // namespace connectrun
