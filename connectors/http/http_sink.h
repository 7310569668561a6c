// HttpSink: Aiven's HTTP sink connector (io.aiven.kafka.connect.http.HttpSinkConnector).
// POSTs record values to a URL, one per request or batched, over libcurl.
#pragma once

#include "plugin/registry.h"

namespace connectrun::http {

PluginInfo http_sink_plugin();

}  // namespace connectrun::http
