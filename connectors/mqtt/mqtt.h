// The MQTT family: Confluent's MQTT source and sink on Debian's libmosquitto
// 2.0 (docs/connectors/mqtt.md).
#pragma once

#include "plugin/registry.h"

namespace connectrun::mqtt {

void register_family(PluginRegistry& registry);

}  // namespace connectrun::mqtt
