// `connectrun plugins [NAME] [--markdown|--json]`: every plugin, or every key of one.
#include <iostream>

#include <fmt/format.h>

#include "commands.h"
#include "config/spec.h"
#include "connectors/connectors.h"
#include "connectors/plugin_families.h"
#include "exit_codes.h"
#include "json/json_writer.h"
#include "plugin/plugin_docs.h"

namespace connectrun::cli {

namespace {

// The kinds as `plugins` groups them, one word each for scripts.
std::string_view kind_json_name(PluginKind k) {
  switch (k) {
    case PluginKind::Source: return "source";
    case PluginKind::Sink: return "sink";
    case PluginKind::Converter: return "converter";
    case PluginKind::HeaderConverter: return "header converter";
    case PluginKind::Transform: return "transform";
    case PluginKind::Predicate: return "predicate";
  }
  return "?";
}

void append_string_array(std::string& out, const std::vector<std::string>& items) {
  out += '[';
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) out += ',';
    append_json_string(out, items[i]);
  }
  out += ']';
}

// A typed default as JSON: null, a string, a number, a boolean or a list of strings.
void append_config_value(std::string& out, const config::ConfigValue& v) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) out += "null";
        else if constexpr (std::is_same_v<T, std::string>) append_json_string(out, x);
        else if constexpr (std::is_same_v<T, int64_t>) append_integer(out, x);
        else if constexpr (std::is_same_v<T, double>) append_json_double(out, x);
        else if constexpr (std::is_same_v<T, bool>) out += x ? "true" : "false";
        else append_string_array(out, x);
      },
      v);
}

// name, type, aliases, summary, description, family; with `keys`, every key as `plugins NAME` shows it.
void append_plugin_json(std::string& out, const PluginInfo& p, bool keys) {
  out += "{\"name\":";
  append_json_string(out, p.name);
  out += ",\"type\":";
  append_json_string(out, kind_json_name(p.kind));
  out += ",\"aliases\":";
  append_string_array(out, p.aliases);
  out += ",\"summary\":";
  append_json_string(out, p.summary);
  out += ",\"description\":";
  append_json_string(out, p.description.empty() ? p.summary : p.description);
  out += ",\"family\":";
  append_json_string(out, plugin_family(p.name));
  if (keys) {
    out += ",\"keys\":[";
    bool first = true;
    for (auto& k : p.spec.keys()) {
      if (!first) out += ',';
      first = false;
      out += "{\"name\":";
      append_json_string(out, k.name);
      out += ",\"type\":";
      append_json_string(out, config::key_type_name(k.type));
      out += ",\"required\":";
      out += k.required() ? "true" : "false";
      out += ",\"default\":";  // null when required: there is none
      if (k.required()) out += "null";
      else append_config_value(out, *k.default_value);
      out += ",\"valid_values\":";
      if (k.validator) append_json_string(out, k.validator->describe);
      else out += "null";
      out += ",\"description\":";
      append_json_string(out, k.doc);
      out += ",\"secret\":";
      out += k.is_secret() ? "true" : "false";
      out += '}';
    }
    out += ']';
  }
  out += '}';
}

}  // namespace

void PluginsCommand::add(CLI::App& app) {
  cmd = app.add_subcommand("plugins", "List every connector, converter, transform and predicate, or show "
                                      "every key of one.");
  cmd->add_option("name", name, "A plugin name or Java class name");
  auto* md = cmd->add_flag("--markdown", markdown, "Print the full plugin reference as Markdown (docs/plugins.md)");
  cmd->add_flag("--json", json, "Print the plugins (or one plugin with its keys) as JSON")->excludes(md);
}

int PluginsCommand::run() {
  const auto& registry = builtin_plugins();
  // Every module, so that the list is whole; one that cannot load fails the command, naming why.
  std::vector<std::string> errors = registry.load_all();
  for (auto& e : errors) std::cerr << "error: " << e << "\n";
  if (!errors.empty()) return kExitConnectorFailed;
  if (markdown) {
    std::cout << plugins_markdown(registry) << job_keys_markdown();
    return kExitOk;
  }
  if (name.empty() && json) {
    std::string out = "[";
    for (auto& p : registry.all()) {
      if (out.size() > 1) out += ',';
      append_plugin_json(out, p, false);
    }
    std::cout << out << "]\n";
    return kExitOk;
  }
  if (name.empty()) {
    std::cout << plugin_list_text(registry);
    return kExitOk;
  }
  const PluginInfo* info = registry.find_any(name);
  if (!info) {
    std::vector<std::string> all;
    for (auto& p : registry.all()) all.push_back(p.name);
    std::cerr << fmt::format("error: unknown plugin '{}'{}\n", name, config::did_you_mean(name, all));
    return kExitBadConfig;
  }
  if (json) {
    std::string out;
    append_plugin_json(out, *info, true);
    std::cout << out << "\n";
    return kExitOk;
  }
  std::cout << plugin_detail_text(*info);
  return kExitOk;
}

}  // namespace connectrun::cli
