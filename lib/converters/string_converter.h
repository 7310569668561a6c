// StringConverter (org.apache.kafka.connect.storage.StringConverter).
#pragma once

#include "json/utf8.h"
#include "plugin/converter.h"
#include "plugin/registry.h"

namespace connectrun {

// Writes a string as is and any other value as Java's toString() would
// (numbers in Java's shape, booleans, decimals as BigDecimal.toString(),
// dates as Date.toString() in UTC). Deliberately unlike Kafka, structs, maps
// and arrays are written as compact JSON rather than Java's
// "Struct{…}"/"{k=v}"/"[a, b]", and bytes as their raw content rather than an
// object identity ("[B@1b6d3586"). Reads any bytes as an optional string.
class StringConverter : public Converter {
 public:
  void configure(const config::ConfigValues& cfg, bool is_key) override;
  bool from_connect_data(std::string_view topic, const SchemaPtr& schema, const Value& value,
                         std::string& out) override;
  SchemaAndValue to_connect_data(std::string_view topic, std::optional<std::string_view> bytes) override;

  // The engine's fast paths (lib/engine/task_worker), for when it has no
  // further use for the value or the bytes: a string is its own bytes, so it
  // is moved instead of copied. Same results as the two above.
  // True (and `value`'s string moved into `out`) when `value` holds a string.
  static bool take_string(Value& value, std::string& out);
  // The schema it gives any bytes (optional string).
  static const SchemaPtr& optional_schema();
  // take_connect_data's work, inline: the engine calls it for a StringConverter key or value
  // without a virtual call per record. `optional` is optional_schema(), looked up once.
  static void take_bytes(std::optional<std::string>&& bytes, const SchemaPtr& optional, SchemaPtr& schema,
                         Value& value) {
    schema = optional;  // a primitive schema: copied without a reference count
    if (!bytes) {
      if (!value.is_null()) value = Value();
      return;
    }
    // Kafka's StringDeserializer is `new String(bytes, UTF_8)`: malformed bytes become U+FFFD.
    if (!utf8::is_valid(*bytes)) {
      value = Value(utf8::to_valid(*bytes));
      return;
    }
    // Straight into the variant: no temporary Value to move and destroy.
    value.storage().emplace<std::string>(std::move(*bytes));
  }
  // The bytes moved into the record's value when they are valid UTF-8.
  void take_connect_data(std::string_view topic, std::optional<std::string>&& bytes, SchemaPtr& schema,
                         Value& value) override;
};

PluginInfo string_converter_plugin();

}  // namespace connectrun
