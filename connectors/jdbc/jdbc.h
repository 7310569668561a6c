// The JDBC connector family: JdbcSource and JdbcSink (Confluent's kafka-connect-jdbc).
#pragma once

#include "plugin/registry.h"

namespace connectrun::jdbc {

void register_family(PluginRegistry& registry);

}  // namespace connectrun::jdbc
