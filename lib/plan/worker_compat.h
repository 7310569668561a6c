// Kafka Connect worker keys that connect-standalone accepts but connectrun has
// no use for (Kafka's worker files run unchanged: each warns once, saying why
// it has no effect), and the connector classes connectrun has when a job names
// one it has not.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "plugin/registry.h"

namespace connectrun {

// Why `key` (with `value`) has no effect in connectrun; nullopt when it is not
// one of Kafka's keys connectrun knows to have none.
std::optional<std::string> worker_key_without_effect(std::string_view key, std::string_view value);
// Every such key (a prefix when it ends with '.') with why it has no effect: what `connectrun schema` lists.
std::vector<std::pair<std::string_view, std::string_view>> worker_keys_without_effect();

// A `config.providers.NAME.class` (and its `.param.*`) connectrun cannot honour:
// the problem, or nullopt when it is one of the providers built in (file, env).
std::optional<std::string> config_provider_problem(std::string_view key, std::string_view value);

// The error for a connector.class connectrun does not have: the class, that
// connectrun runs native connectors only and loads no JARs, and the connector
// plugins it has, closest to the class first.
std::string unknown_connector_class_message(const std::string& cls, const PluginRegistry& registry);

}  // namespace connectrun
