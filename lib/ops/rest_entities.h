// Response bodies of the REST endpoints beyond a connector's info and status
// (rest_json.h): Kafka Connect's PluginInfo, ConfigKeyInfo, ConfigInfos,
// TaskInfo, ActiveTopicsInfo and LoggerLevel, field by field.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "config/spec.h"
#include "engine/herder.h"
#include "plugin/registry.h"

namespace connectrun::rest {

// The Java class name Kafka shows for a plugin (its first alias with a
// package), else connectrun's own name.
std::string plugin_class(const PluginInfo& p);

// GET /connector-plugins: [{"class":…,"type":"source","version":…}], connectors
// only unless `connectors_only` is false (then converters, header converters,
// transformations and predicates follow, as Kafka lists them).
std::string plugins_json(const PluginRegistry& registry, bool connectors_only);

// GET /connector-plugins/{plugin}/config: the plugin's own keys as ConfigKeyInfo.
std::string plugin_config_json(const PluginInfo& p);

// PUT /connector-plugins/{plugin}/config/validate: ConfigInfos for `given`
// (the request's configuration) with the problems found planning it.
struct Validation {
  const PluginInfo* plugin = nullptr;      // the connector plugin (nullptr: unknown class)
  std::string class_name;                  // as given in connector.class
  std::vector<std::pair<std::string, std::string>> given;  // in request order
  std::vector<config::Problem> problems;
  int error_count() const { return static_cast<int>(problems.size()); }
};
std::string config_infos_json(const Validation& v);
// Kafka's BadRequestException text for a configuration that does not validate.
std::string invalid_config_message(const Validation& v);

// GET /connectors/{name}/tasks: [{"id":{"connector":…,"task":0},"config":{…}}].
// Each task's configuration: the connector's (secrets hidden) with the keys
// its task configuration sets differently.
std::string task_infos_json(const ConnectorSnapshot& s, const std::vector<config::ConfigValues>& tasks);

// GET /connectors/{name}/topics: {"NAME":{"topics":[…]}}.
std::string active_topics_json(const std::string& name, const std::vector<std::string>& topics);

}  // namespace connectrun::rest
