// The one list of connector families: adding a family is one folder under
// connectors/, one connectrun_connector() call in connectors/CMakeLists.txt and
// one line here. CONNECTRUN_WITH_<FAMILY> is defined for each enabled family.
#include "connectors/connectors.h"

#ifdef CONNECTRUN_WITH_FILE
#include "connectors/file/file.h"
#endif
#ifdef CONNECTRUN_WITH_JDBC
#include "connectors/jdbc/jdbc.h"
#endif

namespace connectrun {

void register_connectors([[maybe_unused]] PluginRegistry& registry) {
#ifdef CONNECTRUN_WITH_FILE
  file::register_family(registry);  // FileStreamSource, FileStreamSink
#endif
#ifdef CONNECTRUN_WITH_JDBC
  jdbc::register_family(registry);  // JdbcSource, JdbcSink
#endif
}

const PluginRegistry& builtin_plugins() {
  static const PluginRegistry registry = [] {
    PluginRegistry r;
    register_core_plugins(r);
    register_connectors(r);
    return r;
  }();
  return registry;
}

}  // namespace connectrun
