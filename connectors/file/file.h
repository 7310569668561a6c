// The file family: Kafka's FileStreamSource and FileStreamSink
// (docs/connectors/file.md).
#pragma once

#include "plugin/registry.h"

namespace connectrun::file {

void register_family(PluginRegistry& registry);

}  // namespace connectrun::file
