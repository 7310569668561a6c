// SpoolDirJsonSource: kafka-connect-spooldir's SpoolDirJsonSourceConnector.
// One Struct record per JSON object (value.schema), kafka-connect-spooldir's JSON source.
#pragma once

#include "plugin/registry.h"

namespace connectrun::spooldir {

PluginInfo spooldir_json_source_plugin();

}  // namespace connectrun::spooldir
