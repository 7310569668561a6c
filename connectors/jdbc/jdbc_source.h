// JdbcSource: Confluent's JdbcSourceConnector. Copies tables (or a query)
// into topics, in bulk or incrementally by an incrementing and/or timestamp
// column, with kafka-connect-jdbc's offsets.
#pragma once

#include "plugin/registry.h"

namespace connectrun::jdbc {

PluginInfo jdbc_source_plugin();

}  // namespace connectrun::jdbc
