// The datagen family: kafka-connect-datagen's DatagenConnector
// (docs/connectors/datagen.md).
#pragma once

#include "plugin/registry.h"

namespace connectrun::datagen {

void register_family(PluginRegistry& registry);

}  // namespace connectrun::datagen
