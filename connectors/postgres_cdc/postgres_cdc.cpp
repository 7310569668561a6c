#include "connectors/postgres_cdc/postgres_cdc.h"

#include "connectors/postgres_cdc/postgres_cdc_source.h"

namespace connectrun::postgres_cdc {

void register_family(PluginRegistry& registry) { registry.add(postgres_cdc_source_plugin()); }

}  // namespace connectrun::postgres_cdc
