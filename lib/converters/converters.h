// The built-in converters (lib/converters/), registered with the plugin
// registry by register_converters().
#pragma once

#include <memory>

#include "plugin/converter.h"
#include "plugin/registry.h"

namespace connectrun {

// StringConverter, ByteArrayConverter, JsonConverter (kind Converter) and
// SimpleHeaderConverter (kind HeaderConverter).
void register_converters(PluginRegistry& registry);

// A Converter acting as a HeaderConverter, as Kafka's StringConverter,
// JsonConverter and ByteArrayConverter also implement HeaderConverter: header
// values go through from_connect_data/to_connect_data of a value converter.
// Use it when `header.converter` names a plugin of kind Converter.
std::unique_ptr<HeaderConverter> header_converter_from(std::unique_ptr<Converter> converter);

}  // namespace connectrun
