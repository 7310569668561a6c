// The connector families built into this binary, and the registry the command
// line uses: lib/'s converters and transforms plus every enabled family.
#pragma once

#include <string_view>
#include <vector>

#include "plugin/registry.h"

namespace connectrun {

// A plugin a family provides, as declared in the one list of families
// (connectors.cpp): what resolves a job's class name to its family without
// loading the family's module.
struct DeclaredPlugin {
  PluginKind kind;
  std::string_view name;
  std::vector<std::string_view> aliases;
};

struct ConnectorFamily {
  std::string_view name;      // "jdbc": connectors/jdbc, CONNECTRUN_WITH_JDBC, modules/connectrun-jdbc.so
  std::string_view packages;  // the Debian packages of its libraries (connectors/CMakeLists.txt), "" for none
  std::vector<DeclaredPlugin> plugins;
  bool built = false;  // CONNECTRUN_WITH_<FAMILY> at configure time
  // Set when the family is linked into this binary; built but unset: a module.
  void (*register_family)(PluginRegistry&) = nullptr;
};

// Every family connectrun knows, built or not, in registration order.
const std::vector<ConnectorFamily>& connector_families();

// Registers every connector family enabled at configure time
// (CONNECTRUN_WITH_<FAMILY>) and linked in. The one list of them: connectors.cpp.
void register_connectors(PluginRegistry& registry);

// lib/'s plugins and every enabled connector, built once on first use. In the
// connectrun binary the families other than file are modules, loaded on the
// first lookup of one of their plugins (connectors/module_loader.h).
const PluginRegistry& builtin_plugins();

// builtin_plugins() with every module loaded (`plugins`, `man`, `schema`,
// completion): a module that cannot load is left out, with a warning logged.
const PluginRegistry& all_builtin_plugins();

}  // namespace connectrun
