// FileStreamSink: Kafka's file sink. Appends one line per record value to a
// file (or stdout).
#pragma once

#include "plugin/registry.h"

namespace connectrun::file {

PluginInfo file_stream_sink_plugin();

}  // namespace connectrun::file
