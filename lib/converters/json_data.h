// Connect data ⇄ JSON, following Kafka's JsonConverter.convertToJson and
// convertToConnect. Writing goes straight into a string (no node tree);
// reading walks a simdjson DOM.
#pragma once

#include <string>

#include <simdjson.h>

#include "data/value.h"

namespace connectrun::json {

enum class DecimalFormat { Base64, Numeric };

struct Options {
  DecimalFormat decimal_format = DecimalFormat::Base64;
  bool replace_null_with_default = true;
};

// Kafka's upper-case type name (Schema.Type.toString()): "INT32", "STRUCT".
std::string upper_type_name(Type t);

// convertToJson: `schema` may be null (the type then follows the value).
// Throws DataException with Kafka's messages.
void append_connect_value(std::string& out, const Schema* schema, const Value& v, const Options& opts);

// convertToConnect: `e` null means the member was missing. Throws
// DataException. Kafka's lenient coercions that would corrupt data (a string
// read as a number, an out-of-range int8, a scalar read as an array) are
// refused instead; see docs/golden-differences.md.
Value json_to_connect(const SchemaPtr& schema, const simdjson::dom::element* e, const Options& opts);

}  // namespace connectrun::json
