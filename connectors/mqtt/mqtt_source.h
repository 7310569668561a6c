// MqttSource: Confluent's MqttSourceConnector. Subscribes to MQTT topic
// filters; each message becomes a record (key: the MQTT topic, value: the
// payload bytes). libmosquitto 2.0 acknowledges a message on receipt.
#pragma once

#include "plugin/registry.h"

namespace connectrun::mqtt {

PluginInfo mqtt_source_plugin();

}  // namespace connectrun::mqtt
