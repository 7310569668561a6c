// SpoolDirCsvSource: kafka-connect-spooldir's SpoolDirCsvSourceConnector.
// One record per CSV row: a Struct value (value.schema) and a Struct key
// (key.schema, its fields copied from the value), offset {"offset": <line>}.
#pragma once

#include "plugin/registry.h"

namespace connectrun::spooldir {

PluginInfo spooldir_csv_source_plugin();

}  // namespace connectrun::spooldir
