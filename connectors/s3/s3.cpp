#include "connectors/s3/s3.h"

#include "connectors/s3/s3_sink.h"
#include "connectors/s3/s3_source.h"

namespace connectrun::s3 {

void register_family(PluginRegistry& registry) {
  registry.add(s3_sink_plugin());
  registry.add(s3_source_plugin());
}

}  // namespace connectrun::s3
