// S3Sink: Confluent's S3 sink connector (kafka-connect-storage-cloud): records
// of each topic partition become objects named by their first offset, so a
// replay rewrites the same objects (docs/connectors/s3.md).
#pragma once

#include "plugin/registry.h"

namespace connectrun::s3 {

PluginInfo s3_sink_plugin();

}  // namespace connectrun::s3
