// PostgresCdcSource: Debezium's PostgreSQL connector
// (io.debezium.connector.postgresql.PostgresConnector) over pgoutput.
#pragma once

#include "plugin/registry.h"

namespace connectrun::postgres_cdc {

PluginInfo postgres_cdc_source_plugin();

}  // namespace connectrun::postgres_cdc
