// The plugin registry: every connector, converter, transform and predicate,
// registered explicitly. lib/ registers its converters, transforms and
// predicates (register_core_plugins); the connector families register
// themselves outside lib/ (the binary's builtin_plugins() holds both). lib/
// takes the registry it is given.
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <mutex>
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
  // Sink connectors: false when put() never reads a record's headers (FileStreamSink). With no
  // transform, dead letter queue or errors.log.include.messages either, the Kafka bus then leaves
  // each message's headers undecoded (librdkafka parses them into a list per message on request).
  bool reads_headers = true;
  // Connectors only, optional: Kafka's Connector.taskConfigs. Splits the
  // connector's configuration into at most `max_tasks` (tasks.max) task
  // configurations, one task each. Absent: a sink runs max_tasks copies of its
  // configuration (the tasks share the topics' partitions), a source one task.
  std::function<std::vector<config::ConfigValues>(const config::ConfigValues& cfg, int max_tasks)> task_configs;
};

// The task configurations of a connector plugin for tasks.max = max_tasks (at least one).
std::vector<config::ConfigValues> connector_task_configs(const PluginInfo& plugin, const config::ConfigValues& cfg,
                                                         int max_tasks);

class PluginRegistry;

// Adds plugins to a registry on demand: the binary's connector families built
// as modules (connectors/module_loader.h), loaded when a plugin of theirs is
// first looked up. A registry without one holds what was added to it.
class PluginLoader {
 public:
  virtual ~PluginLoader() = default;
  // Loads (into `registry`) the module declaring `name`, if one does and it is
  // not loaded yet; true when it added plugins.
  virtual bool load_for(std::string_view name, PluginRegistry& registry) = 0;
  // Loads every module not loaded yet; one message per module that failed.
  virtual std::vector<std::string> load_all(PluginRegistry& registry) = 0;
  // Declared names and aliases of the given kinds in modules not loaded yet (suggestions).
  virtual void declared_names(std::initializer_list<PluginKind> kinds, std::vector<std::string>& out) const = 0;
  // Why the module declaring `name` cannot be loaded; "" when it can or none declares it.
  virtual std::string unavailable(std::string_view name) const = 0;
};

class PluginRegistry {
 public:
  void add(PluginInfo info);  // throws std::logic_error on a duplicate name or alias
  // By name or alias (exact), restricted to the given kinds; loads the
  // plugin's module first when a loader is set and declares the name.
  const PluginInfo* find(std::string_view name, std::initializer_list<PluginKind> kinds) const;
  const PluginInfo* find_any(std::string_view name) const;
  // Names (and aliases) of every plugin of the given kinds, for suggestions
  // (those of modules not loaded yet too).
  std::vector<std::string> names(std::initializer_list<PluginKind> kinds) const;
  // The plugins added so far. With a loader set, call load_all() first for
  // every plugin; and where a lookup may load a module on another thread
  // (the REST server), load_all() first: after it nothing is added.
  const std::deque<PluginInfo>& all() const { return plugins_; }
  // Loads every module; the messages of those that failed (empty: none did).
  std::vector<std::string> load_all() const;
  // Why `name`'s module cannot be loaded (path, dlerror, what to install); "" when it can.
  std::string unavailable(std::string_view name) const;
  // The loader consulted by find(), names() and load_all(); it must outlive the registry's use.
  void set_loader(PluginLoader* loader) { loader_ = loader; }

 private:
  const PluginInfo* find_loaded(std::string_view name, std::initializer_list<PluginKind> kinds) const;
  // Loading adds plugins behind const lookups (the registry is shared as const
  // once built); a deque keeps the PluginInfo a plan points at in place.
  mutable std::deque<PluginInfo> plugins_;
  PluginLoader* loader_ = nullptr;
  // Held across a lookup and the load it may start; recursive because a
  // module's registration calls add() within it. A unique_ptr: the registry stays movable.
  std::unique_ptr<std::recursive_mutex> mu_ = std::make_unique<std::recursive_mutex>();
};

// Registers lib/'s plugins: the converters and the transforms and predicates.
void register_core_plugins(PluginRegistry& registry);

}  // namespace connectrun
