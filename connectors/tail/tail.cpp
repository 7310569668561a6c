#include "connectors/tail/tail.h"

#include "connectors/tail/file_tail_source.h"

namespace connectrun::tail {

void register_family(PluginRegistry& registry) { registry.add(file_tail_source_plugin()); }

}  // namespace connectrun::tail
