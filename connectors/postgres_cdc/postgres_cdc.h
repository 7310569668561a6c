// The PostgreSQL change data capture family: PostgresCdcSource (Debezium's PostgresConnector).
#pragma once

#include "plugin/registry.h"

namespace connectrun::postgres_cdc {

void register_family(PluginRegistry& registry);

}  // namespace connectrun::postgres_cdc
