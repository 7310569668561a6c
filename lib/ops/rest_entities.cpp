#include "ops/rest_entities.h"

#include <algorithm>
#include <set>

#include <fmt/format.h>

#include "json/json_writer.h"
#include "ops/rest_json.h"
#include "plan/job_config.h"

namespace connectrun::rest {

namespace {
std::string str(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

std::string opt_str(const std::optional<std::string>& s) { return s ? str(*s) : "null"; }

// Kafka's PluginType names (lower case in JSON).
const char* plugin_type(PluginKind k) {
  switch (k) {
    case PluginKind::Source: return "source";
    case PluginKind::Sink: return "sink";
    case PluginKind::Converter: return "converter";
    case PluginKind::HeaderConverter: return "header_converter";
    case PluginKind::Transform: return "transformation";
    case PluginKind::Predicate: return "predicate";
  }
  return "unknown";
}

// ConfigDef.Type's names.
const char* type_name(config::KeyType t) {
  switch (t) {
    case config::KeyType::String: return "STRING";
    case config::KeyType::Int: return "INT";
    case config::KeyType::Long: return "LONG";
    case config::KeyType::Double: return "DOUBLE";
    case config::KeyType::Boolean: return "BOOLEAN";
    case config::KeyType::List: return "LIST";
    case config::KeyType::Class: return "CLASS";
    case config::KeyType::Password: return "PASSWORD";
  }
  return "STRING";
}

std::optional<std::string> default_text(const config::KeyDef& d) {
  if (!d.default_value || std::holds_alternative<std::monostate>(*d.default_value)) return std::nullopt;
  return config::config_value_to_string(*d.default_value);
}

// ConfigKeyInfo. connectrun's keys carry no importance, width or display name:
// Kafka's defaults for them (MEDIUM, NONE, the key's name).
std::string key_info_json(const config::KeyDef& d, const std::optional<std::string>& group, int order) {
  return fmt::format(
      R"({{"name":{},"type":"{}","required":{},"default_value":{},"importance":"MEDIUM","documentation":{},)"
      R"("group":{},"order_in_group":{},"width":"NONE","display_name":{},"dependents":[]}})",
      str(d.name), type_name(d.type), d.required() ? "true" : "false", opt_str(default_text(d)), str(d.doc),
      opt_str(group), order, str(d.name));
}

std::string string_list(const std::vector<std::string>& v) {
  std::string out = "[";
  for (auto& s : v) {
    if (out.size() > 1) out += ',';
    out += str(s);
  }
  return out + "]";
}
}  // namespace

std::string plugin_class(const PluginInfo& p) {
  for (auto& a : p.aliases)
    if (a.find('.') != std::string::npos) return a;
  return p.name;
}

std::string plugins_json(const PluginRegistry& registry, bool connectors_only) {
  // Every module (one that cannot load is left out: `connectrun plugins` names why).
  registry.load_all();
  std::vector<const PluginInfo*> list;
  for (auto& p : registry.all())
    if (!connectors_only || p.kind == PluginKind::Source || p.kind == PluginKind::Sink) list.push_back(&p);
  // Kafka's order: by type (source, sink, converter, …), then class name.
  std::stable_sort(list.begin(), list.end(), [](auto* a, auto* b) {
    if (a->kind != b->kind) return static_cast<int>(a->kind) < static_cast<int>(b->kind);
    return plugin_class(*a) < plugin_class(*b);
  });
  std::string out = "[";
  for (auto* p : list)
    out += fmt::format(R"({}{{"class":{},"type":"{}","version":{}}})", out.size() > 1 ? "," : "", str(plugin_class(*p)),
                       plugin_type(p->kind), str(CONNECTRUN_VERSION));
  return out + "]";
}

std::string plugin_config_json(const PluginInfo& p) {
  std::string out = "[";
  int order = 0;
  for (auto& d : p.spec.keys()) {
    if (out.size() > 1) out += ',';
    out += key_info_json(d, std::nullopt, ++order);
  }
  return out + "]";
}

std::string config_infos_json(const Validation& v) {
  std::map<std::string, std::vector<std::string>> errors;  // key → messages
  for (auto& p : v.problems) errors[p.key.empty() ? "connector.class" : p.key].push_back(p.message);
  std::map<std::string, std::string> given(v.given.begin(), v.given.end());
  std::set<std::string> shown;
  std::string configs;
  auto value_json = [&](const std::string& key, const config::KeyDef* d) {
    std::optional<std::string> value;
    if (auto it = given.find(key); it != given.end()) value = d && d->is_secret() ? "[hidden]" : it->second;
    else if (d) value = default_text(*d);
    auto e = errors.find(key);
    return fmt::format(R"({{"name":{},"value":{},"recommended_values":[],"errors":{},"visible":true}})", str(key),
                       opt_str(value), string_list(e == errors.end() ? std::vector<std::string>{} : e->second));
  };
  auto add = [&](const config::KeyDef& d, const std::optional<std::string>& group, int order) {
    if (!shown.insert(d.name).second) return;
    configs += fmt::format(R"({}{{"definition":{},"value":{}}})", configs.empty() ? "" : ",",
                           key_info_json(d, group, order), value_json(d.name, &d));
  };
  int order = 0;
  std::vector<const config::ConfigSpec*> common{&connector_common_spec()};
  if (v.plugin) common.push_back(v.plugin->kind == PluginKind::Source ? &source_common_spec() : &sink_common_spec());
  for (auto* spec : common)
    for (auto& d : spec->keys()) add(d, std::string("Common"), ++order);
  order = 0;
  if (v.plugin)
    for (auto& d : v.plugin->spec.keys()) add(d, std::nullopt, ++order);
  // Keys given that no spec declares (transforms.*, converters' keys, unknown
  // ones) appear without a definition, as Kafka shows undeclared keys.
  std::set<std::string> rest;
  for (auto& [k, value] : v.given) rest.insert(k);
  for (auto& [k, msgs] : errors) rest.insert(k);
  for (auto& k : rest)
    if (shown.insert(k).second)
      configs += fmt::format(R"({}{{"definition":null,"value":{}}})", configs.empty() ? "" : ",", value_json(k, nullptr));
  return fmt::format(R"({{"name":{},"error_count":{},"groups":["Common"],"configs":[{}]}})", str(v.class_name),
                     v.error_count(), configs);
}

std::string invalid_config_message(const Validation& v) {
  std::string out = fmt::format("Connector configuration is invalid and contains the following {} error(s):", v.error_count());
  for (auto& p : v.problems) out += "\n" + (p.key.empty() ? p.message : p.key + ": " + p.message);
  return out + "\nYou can also find the above list of errors at the endpoint "
               "`/connector-plugins/{connectorType}/config/validate`";
}

std::string task_infos_json(const ConnectorSnapshot& s, const std::vector<config::ConfigValues>& tasks) {
  auto base = displayed_config(*s.plan);
  std::string out = "[";
  for (size_t i = 0; i < tasks.size(); ++i) {
    std::map<std::string, std::string> cfg(base.begin(), base.end());
    // A task's own values where the split set them (e.g. its share of the
    // files or tables); secrets stay hidden.
    for (auto& [k, value] : tasks[i].values()) {
      auto it = cfg.find(k);
      if (it == cfg.end() || it->second == "[hidden]") continue;
      if (auto* def = s.plan->plugin->spec.find(k); def && def->is_secret()) continue;
      it->second = config::config_value_to_string(value);
    }
    std::string config = "{";
    for (auto& [k, value] : cfg) {
      if (config.size() > 1) config += ',';
      config += str(k);
      config += ':';
      config += str(value);
    }
    out += fmt::format(R"({}{{"id":{{"connector":{},"task":{}}},"config":{}}})", i ? "," : "", str(s.name), i,
                       config + "}");
  }
  return out + "]";
}

std::string active_topics_json(const std::string& name, const std::vector<std::string>& topics) {
  return fmt::format(R"({{{}:{{"topics":{}}}}})", str(name), string_list(topics));
}

}  // namespace connectrun::rest
