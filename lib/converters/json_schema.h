// Connect schemas ⇄ JsonConverter's schema JSON (Kafka's JsonSchema,
// JsonConverter.asJsonSchema / asConnectSchema).
#pragma once

#include <string>

#include <simdjson.h>

#include "converters/json_data.h"
#include "data/value.h"

namespace connectrun::json {

// Attribute order as Kafka writes it: type, items | keys, values | fields,
// optional, name, version, doc, parameters, default (struct fields add
// "field" last).
void append_json_schema(std::string& out, const Schema& s, const Options& opts);

// Reads a schema object; a JSON null gives a null SchemaPtr. Throws
// DataException with Kafka's messages.
SchemaPtr json_to_schema(simdjson::dom::element e, const Options& opts);

}  // namespace connectrun::json
