#include "connectors/avro/avro.h"

#include "connectors/avro/avro_converter.h"
#include "connectors/avro/json_schema_converter.h"

namespace connectrun::avro {

void register_family(PluginRegistry& registry) {
  registry.add(avro_converter_plugin());
  registry.add(json_schema_converter_plugin());
}

}  // namespace connectrun::avro
