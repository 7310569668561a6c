// The plugin registry: every connector, converter, transform and predicate,
// registered explicitly. lib/ registers its converters, transforms and
// predicates (register_core_plugins); the connector families register
// themselves outside lib/ (the binary's builtin_plugins() holds both). lib/
// takes the registry it is given.
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
  // Source connectors, optional: Kafka's SourceConnector.exactlyOnceSupport(cfg) == SUPPORTED. True
  // when, so configured, the connector's offsets let it read its input again exactly from a committed
  // one, so records and offsets committed together mean each record once. Absent: unsupported.
  std::function<bool(const config::ConfigValues& cfg)> exactly_once;
  // Connectors only, optional: Kafka's Connector.taskConfigs. Splits the
  // connector's configuration into at most `max_tasks` (tasks.max) task
  // configurations, one task each. Absent: a sink runs max_tasks copies of its
  // configuration (the tasks share the topics' partitions), a source one task.
  std::function<std::vector<config::ConfigValues>(const config::ConfigValues& cfg, int max_tasks)> task_configs;
};

// The task configurations of a connector plugin for tasks.max = max_tasks (at least one).
std::vector<config::ConfigValues> connector_task_configs(const PluginInfo& plugin, const config::ConfigValues& cfg,
                                                         int max_tasks);

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

// Registers lib/'s plugins: the converters and the transforms and predicates.
void register_core_plugins(PluginRegistry& registry);

}  // namespace connectrun
