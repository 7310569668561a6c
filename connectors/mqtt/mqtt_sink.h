// MqttSink: Confluent's MqttSinkConnector. Publishes each record's value to
// an MQTT topic; a record's position is committed only after its PUBACK
// (QoS 1) or PUBCOMP (QoS 2).
#pragma once

#include "plugin/registry.h"

namespace connectrun::mqtt {

PluginInfo mqtt_sink_plugin();

}  // namespace connectrun::mqtt
