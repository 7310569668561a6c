// DataGen: kafka-connect-datagen's DatagenConnector. Generates records from an
// Avro schema with avro-random-generator annotations (a quickstart, a schema
// string or a schema file), keyed by one of its fields.
#pragma once

#include "plugin/registry.h"

namespace connectrun::datagen {

PluginInfo datagen_source_plugin();

}  // namespace connectrun::datagen
