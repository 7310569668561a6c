// The tail family: FileTail, a tail that survives rotation.
#pragma once

#include "plugin/registry.h"

namespace connectrun::tail {

void register_family(PluginRegistry& registry);

}  // namespace connectrun::tail
