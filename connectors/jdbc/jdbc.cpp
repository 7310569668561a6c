#include "connectors/jdbc/jdbc.h"

#include "connectors/jdbc/jdbc_sink.h"
#include "connectors/jdbc/jdbc_source.h"

namespace connectrun::jdbc {

void register_family(PluginRegistry& registry) {
  registry.add(jdbc_source_plugin());
  registry.add(jdbc_sink_plugin());
}

}  // namespace connectrun::jdbc
