// Text for `connectrun plugins`, `connectrun plugins NAME` and docs/plugins.md,
// all from the plugins' own key declarations.
#pragma once

#include <string>

#include "plugin/registry.h"

namespace connectrun {

std::string plugin_list_text(const PluginRegistry& registry);
std::string plugin_detail_text(const PluginInfo& info);
std::string plugins_markdown(const PluginRegistry& registry);
// "2000", "\"\"", "null", "(required)".
std::string default_text(const config::KeyDef& def);
std::string spec_markdown_table(const config::ConfigSpec& spec);

}  // namespace connectrun
