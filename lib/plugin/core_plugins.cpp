// lib/'s own plugins, registered explicitly (static self-registration is
// fragile in static libraries). Connector families register themselves
// outside lib/, in the binary's one list of them.
#include "converters/converters.h"
#include "plugin/registry.h"
#include "transforms/transforms.h"

namespace connectrun {

void register_core_plugins(PluginRegistry& registry) {
  register_converters(registry);  // lib/converters/
  register_transforms(registry);  // lib/transforms/: transforms and predicates
}

}  // namespace connectrun
