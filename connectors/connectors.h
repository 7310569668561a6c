// The connector families built into this binary, and the registry the command
// line uses: lib/'s converters and transforms plus every enabled family.
#pragma once

#include "plugin/registry.h"

namespace connectrun {

// Registers every connector family enabled at configure time
// (CONNECTRUN_WITH_<FAMILY>). The one list of them: connectors.cpp.
void register_connectors(PluginRegistry& registry);

// lib/'s plugins and every enabled connector, built once on first use and
// never changed after.
const PluginRegistry& builtin_plugins();

}  // namespace connectrun
