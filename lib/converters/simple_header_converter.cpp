#include "converters/simple_header_converter.h"

#include "converters/values.h"
#include "json/utf8.h"

namespace connectrun {

void SimpleHeaderConverter::configure(const config::ConfigValues& /*cfg*/) {}

bool SimpleHeaderConverter::from_connect_header(std::string_view /*topic*/, std::string_view /*header_key*/,
                                                const SchemaPtr& /*schema*/, const Value& value, std::string& out) {
  out.clear();
  if (value.is_null()) return false;
  values::append_string(out, value);
  return true;
}

SchemaAndValue SimpleHeaderConverter::to_connect_header(std::string_view /*topic*/, std::string_view /*header_key*/,
                                                        std::optional<std::string_view> bytes) {
  if (!bytes) return {};
  std::string text = utf8::to_valid(*bytes);  // Kafka: new String(value, UTF_8), malformed bytes as U+FFFD
  try {
    return values::parse_string(text);
  } catch (const DataException&) {
    // Kafka logs and keeps the text when parsing fails.
    return {schemas::string(), Value(std::move(text))};
  }
}

PluginInfo simple_header_converter_plugin() {
  PluginInfo info;
  info.name = "SimpleHeaderConverter";
  info.aliases = {"org.apache.kafka.connect.storage.SimpleHeaderConverter"};
  info.kind = PluginKind::HeaderConverter;
  info.summary = "Header values as text, with the schema inferred when read";
  info.description =
      "Writes header values as text (Kafka's Values.convertToString) and parses text back with an inferred schema "
      "(Values.parseString): \"42\" is an int8, \"true\" a boolean, \"[1,2]\" an array, ISO dates and timestamps "
      "their logical types, anything else a string.";
  info.make_header_converter = [] { return std::make_unique<SimpleHeaderConverter>(); };
  return info;
}

}  // namespace connectrun
