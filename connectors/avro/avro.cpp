#include "connectors/avro/avro.h"

#include "connectors/avro/avro_converter.h"

namespace connectrun::avro {

void register_family(PluginRegistry& registry) { registry.add(avro_converter_plugin()); }

}  // namespace connectrun::avro
