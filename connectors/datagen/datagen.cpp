#include "connectors/datagen/datagen.h"

#include "connectors/datagen/datagen_source.h"

namespace connectrun::datagen {

void register_family(PluginRegistry& registry) { registry.add(datagen_source_plugin()); }

}  // namespace connectrun::datagen
