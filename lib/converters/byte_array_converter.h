// ByteArrayConverter (org.apache.kafka.connect.converters.ByteArrayConverter).
#pragma once

#include "plugin/converter.h"
#include "plugin/registry.h"

namespace connectrun {

// Passes bytes through unchanged; the schema must be bytes or absent.
class ByteArrayConverter : public Converter {
 public:
  void configure(const config::ConfigValues& cfg, bool is_key) override;
  bool from_connect_data(std::string_view topic, const SchemaPtr& schema, const Value& value,
                         std::string& out) override;
  SchemaAndValue to_connect_data(std::string_view topic, std::optional<std::string_view> bytes) override;
};

PluginInfo byte_array_converter_plugin();

}  // namespace connectrun
