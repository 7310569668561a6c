// Every built-in plugin, registered explicitly (see docs/architecture.md:
// static self-registration is fragile in static libraries).
#include "plugin/registry.h"
#include "transforms/transforms.h"

#include "connectors/file/file_stream_sink.h"
#include "connectors/file/file_stream_source.h"
#include "converters/converters.h"

namespace connectrun {

void register_builtin_plugins(PluginRegistry& registry) {
  // Connectors (connectors/<family>/)
  registry.add(file::file_stream_source_plugin());
  registry.add(file::file_stream_sink_plugin());
  // Converters (lib/converters/)
  register_converters(registry);
  // Transforms and predicates (lib/transforms/)
  register_transforms(registry);
}

}  // namespace connectrun
