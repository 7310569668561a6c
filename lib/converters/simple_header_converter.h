// SimpleHeaderConverter (org.apache.kafka.connect.storage.SimpleHeaderConverter):
// header values as their Values.convertToString text, parsed back with
// Values.parseString.
#pragma once

#include "plugin/converter.h"
#include "plugin/registry.h"

namespace connectrun {

class SimpleHeaderConverter : public HeaderConverter {
 public:
  void configure(const config::ConfigValues& cfg) override;
  bool from_connect_header(std::string_view topic, std::string_view header_key, const SchemaPtr& schema,
                           const Value& value, std::string& out) override;
  SchemaAndValue to_connect_header(std::string_view topic, std::string_view header_key,
                                   std::optional<std::string_view> bytes) override;
};

PluginInfo simple_header_converter_plugin();

}  // namespace connectrun
