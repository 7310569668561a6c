// `connectrun plugins [NAME] [--markdown]`: every plugin, or every key of one.
#include <iostream>

#include <fmt/format.h>

#include "commands.h"
#include "config/spec.h"
#include "connectors/connectors.h"
#include "exit_codes.h"
#include "plugin/plugin_docs.h"

namespace connectrun::cli {

void PluginsCommand::add(CLI::App& app) {
  cmd = app.add_subcommand("plugins", "List every connector, converter, transform and predicate, or show "
                                      "every key of one.");
  cmd->add_option("name", name, "A plugin name or Java class name");
  cmd->add_flag("--markdown", markdown, "Print the full plugin reference as Markdown (docs/plugins.md)");
}

int PluginsCommand::run() {
  const auto& registry = builtin_plugins();
  if (markdown) {
    std::cout << plugins_markdown(registry) << job_keys_markdown();
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
  std::cout << plugin_detail_text(*info);
  return kExitOk;
}

}  // namespace connectrun::cli
