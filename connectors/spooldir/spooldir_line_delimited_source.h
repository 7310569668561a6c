// SpoolDirLineDelimitedSource: kafka-connect-spooldir's SpoolDirLineDelimitedSourceConnector.
// One STRING record per line (kafka-connect-spooldir's line-delimited source).
#pragma once

#include "plugin/registry.h"

namespace connectrun::spooldir {

PluginInfo spooldir_line_delimited_source_plugin();

}  // namespace connectrun::spooldir
