#include "connectors/mqtt/mqtt.h"

#include "connectors/mqtt/mqtt_sink.h"
#include "connectors/mqtt/mqtt_source.h"

namespace connectrun::mqtt {

void register_family(PluginRegistry& registry) {
  registry.add(mqtt_source_plugin());
  registry.add(mqtt_sink_plugin());
}

}  // namespace connectrun::mqtt
