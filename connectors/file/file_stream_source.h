// FileStreamSource: Kafka's file source. Reads lines from a file (or stdin),
// one record per line, remembering the byte position after each line.
#pragma once

#include "plugin/registry.h"

namespace connectrun::file {

PluginInfo file_stream_source_plugin();

}  // namespace connectrun::file
