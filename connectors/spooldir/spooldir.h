// The spool directory family: kafka-connect-spooldir's CSV, JSON,
// line-delimited and schemaless JSON sources.
#pragma once

#include "plugin/registry.h"

namespace connectrun::spooldir {

void register_family(PluginRegistry& registry);

}  // namespace connectrun::spooldir
