// The s3 family: Confluent's S3 sink and a source that restores what it wrote
// (docs/connectors/s3.md).
#pragma once

#include "plugin/registry.h"

namespace connectrun::s3 {

void register_family(PluginRegistry& registry);

}  // namespace connectrun::s3
