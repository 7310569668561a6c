#include "connectors/spooldir/spooldir.h"

#include "connectors/spooldir/spooldir_csv_source.h"
#include "connectors/spooldir/spooldir_json_source.h"
#include "connectors/spooldir/spooldir_line_delimited_source.h"
#include "connectors/spooldir/spooldir_schemaless_json_source.h"

namespace connectrun::spooldir {

void register_family(PluginRegistry& registry) {
  registry.add(spooldir_csv_source_plugin());
  registry.add(spooldir_json_source_plugin());
  registry.add(spooldir_line_delimited_source_plugin());
  registry.add(spooldir_schemaless_json_source_plugin());
}

}  // namespace connectrun::spooldir
