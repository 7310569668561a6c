// The Avro family: Confluent's AvroConverter with a Schema Registry client
// (docs/converters.md). A family of its own because it links libcurl, which
// lib/'s converters do not.
#pragma once

#include "plugin/registry.h"

namespace connectrun::avro {

void register_family(PluginRegistry& registry);

}  // namespace connectrun::avro
