// From loaded configuration files to a validated plan: the worker section,
// every connector with its plugin, converters and transform keys, all checked
// against the plugins' declared keys before anything starts.
#pragma once

#include <string>
#include <vector>

#include "config/loader.h"
#include "config/spec.h"
#include "plugin/registry.h"
#include "plugin/topic_name.h"
#include "bus/bus.h"
#include "kafka/client_keys.h"

namespace connectrun {

struct ConverterPlan {
  const PluginInfo* info = nullptr;
  config::ConfigValues cfg;
  std::string role;  // "key.converter", "value.converter", "header.converter"
};

struct ConnectorPlan {
  const PluginRegistry* registry = nullptr;
  std::string name;
  const PluginInfo* plugin = nullptr;
  bool is_source = true;
  config::Location loc;
  config::ConfigValues common;      // Kafka's ConnectorConfig keys (name, tasks.max, errors.*, …)
  config::ConfigValues plugin_cfg;  // the connector plugin's own keys
  ConverterPlan key_converter, value_converter, header_converter;
  config::RawConfig raw;            // everything the user set, for the transform chain
  Subscription subscription;        // sinks only
  ClientKeys client;                // producer.override.* / consumer.override.* / admin.override.* (unprefixed)
  // KIP-158 default group (sources, Kafka bus): create missing topics with these.
  std::optional<int> topic_partitions, topic_replication;
  std::string dlq_topic;            // sinks: errors.deadletterqueue.topic.name ("" = none)
};

struct JobPlan {
  const PluginRegistry* registry = nullptr;  // what it was planned against (a reload plans against it again)
  config::ConfigValues worker;
  ClientKeys client;  // the worker's Kafka client keys (unprefixed, producer.*, consumer.*, admin.*)
  bool kafka() const { return !worker.is_null("bootstrap.servers"); }
  std::vector<ConnectorPlan> connectors;
  std::vector<std::string> warnings;
  // The warnings (also in `warnings`) about Kafka keys and forms that have no
  // effect in connectrun, or unknown keys of a worker.properties: each an error
  // under --strict-config.
  std::vector<std::string> config_warnings;
};

// The worker keys (connect-standalone.properties) connectrun reads.
const config::ConfigSpec& worker_spec();
// Kafka's ConnectorConfig keys common to every connector, plus the sink- and source-only ones.
const config::ConfigSpec& connector_common_spec();
const config::ConfigSpec& sink_common_spec();
const config::ConfigSpec& source_common_spec();

// exactly.once.source.support=enabled (preparing behaves as disabled, as in Kafka).
bool exactly_once_sources(const config::ConfigValues& worker);

// Validates everything; problems are collected (the plan is unusable when any).
JobPlan plan_job(const config::RawJob& job, const PluginRegistry& registry, config::Problems& problems);

// The effective configuration, defaults filled in and secrets hidden, as YAML.
std::string describe_effective(const JobPlan& plan);

std::unique_ptr<Converter> make_converter(const ConverterPlan& plan);
std::unique_ptr<HeaderConverter> make_header_converter(const ConverterPlan& plan);

}  // namespace connectrun

namespace connectrun {
// Markdown tables of the worker keys and the keys every connector takes.
std::string job_keys_markdown();
}  // namespace connectrun
