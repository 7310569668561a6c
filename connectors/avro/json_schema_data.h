// Connect schemas and values ↔ JSON Schema and JSON documents, as Confluent's
// JsonSchemaData (io.confluent.connect.json.JsonSchemaData) translates them,
// so that the schema connectrun registers is the text Confluent's
// JsonSchemaConverter registers for the same Connect schema, and the JSON
// written is the bytes its Jackson writes. docs/converters.md has the table.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "converters/json_data.h"
#include "data/value.h"

namespace connectrun::avro {

inline constexpr std::string_view kJsonNamespace = "io.confluent.connect.json";
inline constexpr std::string_view kJsonOneOf = "io.confluent.connect.json.OneOf";
inline constexpr std::string_view kJsonEnum = "io.confluent.connect.json.Enum";
inline constexpr std::string_view kConnectIndex = "connect.index";

struct JsonSchemaDataOptions {
  bool allow_additional_properties = true;    // object.additional.properties
  bool use_optional_for_nonrequired = false;  // use.optional.for.nonrequired
  bool flatten_singleton_unions = true;       // flatten.singleton.unions
  json::DecimalFormat decimal_format = json::DecimalFormat::Base64;  // decimal.format
};

// The JSON Schema text for a Connect schema (JsonSchemaData.fromConnectSchema),
// members in the order Confluent's registers them: everit's writer order, with
// `properties` and the connect.* keywords in java.util.HashMap's order.
std::string json_schema_from_connect(const Schema& schema, const JsonSchemaDataOptions& opts);

// The Connect schema for a JSON Schema text (JsonSchemaData.toConnectSchema);
// `version` is the registry's version, used when the schema has no
// connect.version. Throws DataException naming what is not supported ($ref, allOf).
SchemaPtr json_schema_to_connect(std::string_view text, const JsonSchemaDataOptions& opts,
                                 std::optional<int32_t> version = std::nullopt);

// The JSON document of a value (JsonSchemaData.fromConnectData, written as
// Jackson writes the tree). False when the value converts to no document at
// all (a null for a required schema without default): the message is null.
bool json_schema_value(std::string& out, const Schema& schema, const Value& value, const JsonSchemaDataOptions& opts);

// The Connect value of a JSON document read with `schema` (JsonSchemaData.toConnectData).
Value json_schema_value_to_connect(const SchemaPtr& schema, const simdjson::dom::element& doc,
                                   const JsonSchemaDataOptions& opts);

}  // namespace connectrun::avro
