// SpoolDirSchemaLessJsonSource: kafka-connect-spooldir's SpoolDirSchemaLessJsonSourceConnector.
// One STRING record per JSON value, as compact JSON text (kafka-connect-spooldir's schemaless JSON source).
#pragma once

#include "plugin/registry.h"

namespace connectrun::spooldir {

PluginInfo spooldir_schemaless_json_source_plugin();

}  // namespace connectrun::spooldir
