// The http family: HttpSink, Aiven's HTTP sink connector (docs/connectors/http.md).
#pragma once

#include "plugin/registry.h"

namespace connectrun::http {

void register_family(PluginRegistry& registry);

}  // namespace connectrun::http
