// S3Source: reads back what S3Sink wrote (JsonFormat or ByteArrayFormat
// objects under topics.dir), topic partition by topic partition in offset
// order, and produces the records again (docs/connectors/s3.md).
#pragma once

#include "plugin/registry.h"

namespace connectrun::s3 {

PluginInfo s3_source_plugin();

}  // namespace connectrun::s3
