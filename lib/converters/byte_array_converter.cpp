#include "converters/byte_array_converter.h"

#include <fmt/format.h>

#include "converters/json_data.h"

namespace connectrun {

void ByteArrayConverter::configure(const config::ConfigValues& /*cfg*/, bool /*is_key*/) {}

bool ByteArrayConverter::from_connect_data(std::string_view /*topic*/, const SchemaPtr& schema, const Value& value,
                                           std::string& out) {
  out.clear();
  if (schema && schema->type != Type::Bytes)
    throw DataException(fmt::format("Invalid schema type for ByteArrayConverter: {}", json::upper_type_name(schema->type)));
  if (value.is_null()) return false;
  const auto* bytes = value.get_if<Bytes>();
  if (!bytes)
    throw DataException(fmt::format("ByteArrayConverter is not compatible with objects of type class {}", value.java_class()));
  out.append(bytes->data);
  return true;
}

SchemaAndValue ByteArrayConverter::to_connect_data(std::string_view /*topic*/, std::optional<std::string_view> bytes) {
  if (!bytes) return {schemas::bytes(true), Value()};
  return {schemas::bytes(true), Value(Bytes{std::string(*bytes)})};
}

PluginInfo byte_array_converter_plugin() {
  PluginInfo info;
  info.name = "ByteArrayConverter";
  info.aliases = {"org.apache.kafka.connect.converters.ByteArrayConverter"};
  info.kind = PluginKind::Converter;
  info.summary = "Raw bytes, passed through unchanged";
  info.description = "Passes bytes through unchanged. Writing requires a bytes schema (or none) and a bytes value; "
                     "reading gives an optional bytes schema.";
  info.make_converter = [] { return std::make_unique<ByteArrayConverter>(); };
  return info;
}

}  // namespace connectrun
