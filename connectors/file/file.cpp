#include "connectors/file/file.h"

#include "connectors/file/file_stream_sink.h"
#include "connectors/file/file_stream_source.h"

namespace connectrun::file {

void register_family(PluginRegistry& registry) {
  registry.add(file_stream_source_plugin());
  registry.add(file_stream_sink_plugin());
}

}  // namespace connectrun::file
