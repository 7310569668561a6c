// describe_effective: the job as connectrun understood it (`connectrun
// validate` prints it), with defaults filled in and secrets hidden.
#include <set>

#include <yaml-cpp/yaml.h>

#include "plan/job_config.h"

namespace connectrun {

using config::ConfigSpec;

namespace {
void emit_value(YAML::Emitter& out, const config::KeyDef* def, const config::ConfigValue& value,
                const config::RawEntry* entry = nullptr) {
  if (def && def->is_secret() && !std::holds_alternative<std::monostate>(value)) {
    out << "[hidden]";
    return;
  }
  if (entry && entry->from_placeholder()) {  // as written: never what ${env:}/${file:} resolved to
    out << entry->written;
    return;
  }
  if (std::holds_alternative<std::monostate>(value)) out << YAML::Null;
  else if (auto* b = std::get_if<bool>(&value)) out << *b;
  else if (auto* i = std::get_if<int64_t>(&value)) out << *i;
  else if (auto* l = std::get_if<std::vector<std::string>>(&value)) out << YAML::Flow << *l;
  else out << config::config_value_to_string(value);
}

void emit_values(YAML::Emitter& out, const ConfigSpec& spec, const config::ConfigValues& values,
                 const std::string& prefix = "", const std::set<std::string>& skip = {}) {
  for (auto& def : spec.keys()) {
    if (!values.has(def.name) || skip.count(def.name)) continue;
    out << YAML::Key << prefix + def.name << YAML::Value;
    auto raw = values.raw().find(def.name);
    emit_value(out, &def, values.get(def.name), raw == values.raw().end() ? nullptr : &raw->second);
  }
}

// Kafka client keys as given; secrets (passwords, JAAS, private keys) hidden.
void emit_client_keys(YAML::Emitter& out, const config::RawConfig& keys, const std::string& prefix,
                      const std::set<std::string>& skip = {}) {
  for (auto& [k, e] : keys) {
    if (skip.count(k)) continue;
    out << YAML::Key << prefix + k << YAML::Value;
    if (is_secret_client_key(k)) out << "[hidden]";
    else out << config::shown_text(e);
  }
}

void emit_converter(YAML::Emitter& out, const ConverterPlan& c) {
  if (!c.info) return;
  out << YAML::Key << c.role << YAML::Value << c.info->name;
  emit_values(out, c.info->spec, c.cfg, c.role + ".");
}
}  // namespace

std::string describe_effective(const JobPlan& plan) {
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "worker" << YAML::Value << YAML::BeginMap;
  emit_values(out, worker_spec(), plan.worker);
  emit_client_keys(out, plan.client.common, "", {"bootstrap.servers"});
  for (ClientRole role : {ClientRole::Producer, ClientRole::Consumer, ClientRole::Admin})
    emit_client_keys(out, plan.client.of(role), worker_prefix(role));
  out << YAML::EndMap << YAML::Key << "connectors" << YAML::Value << YAML::BeginSeq;
  for (auto& c : plan.connectors) {
    out << YAML::BeginMap;
    // connector.class and the converters are shown resolved, below.
    emit_values(out, connector_common_spec(), c.common, "",
                {"connector.class", "key.converter", "value.converter", "header.converter"});
    if (c.plugin) {
      out << YAML::Key << "connector.class" << YAML::Value << c.plugin->name;
      emit_values(out, c.is_source ? source_common_spec() : sink_common_spec(), c.common);
      emit_values(out, c.plugin->spec, c.plugin_cfg);
    }
    for (ClientRole role : {ClientRole::Producer, ClientRole::Consumer, ClientRole::Admin})
      emit_client_keys(out, c.client.of(role), override_prefix(role));
    emit_converter(out, c.key_converter);
    emit_converter(out, c.value_converter);
    emit_converter(out, c.header_converter);
    for (auto& [k, e] : c.raw)
      if (k.starts_with("transforms.") || k.starts_with("predicates.")) out << YAML::Key << k << YAML::Value << config::shown_text(e);
    out << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace connectrun
