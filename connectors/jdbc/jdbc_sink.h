// JdbcSink: Confluent's JdbcSinkConnector. Writes records into PostgreSQL,
// MariaDB/MySQL or SQLite tables: insert, upsert or update, one transaction
// per batch, optionally exactly once.
#pragma once

#include "plugin/registry.h"

namespace connectrun::jdbc {

PluginInfo jdbc_sink_plugin();

}  // namespace connectrun::jdbc
