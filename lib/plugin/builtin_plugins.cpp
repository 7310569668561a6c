// Every built-in plugin, registered explicitly (see docs/architecture.md:
// static self-registration is fragile in static libraries).
#include "plugin/registry.h"
#include "transforms/transforms.h"

#include "converters/converters.h"

namespace connectrun {

void register_builtin_plugins(PluginRegistry& registry) {
  (void)registry;
  // Connectors (connectors/<family>/)
  // Converters (lib/converters/)
  register_converters(registry);
  // Transforms and predicates (lib/transforms/)
  register_transforms(registry);
}

}  // namespace connectrun
