// Kafka's org.apache.kafka.connect.data.Values: any value as a string
// (convertToString) and a string parsed back into a schema and value with an
// inferred schema (parseString). SimpleHeaderConverter is built on these.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "data/value.h"
#include "plugin/converter.h"

namespace connectrun::values {

// Values.convertToString: strings as is; numbers in Java's toString shape;
// bytes as base64; lists "[a,b]", maps "{k:v}", structs {"f":v} with embedded
// strings quoted; dates as "yyyy-MM-dd", "HH:mm:ss.SSS'Z'" or
// "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'" (UTC), whichever Kafka picks. null → "null".
void append_string(std::string& out, const Value& v, bool embedded = false);
std::string convert_to_string(const Value& v);

// Values.parseString: "true"/"false" → boolean; integers → the smallest of
// int8..int64; other numbers → float32 (or float64, or Decimal when they do
// not fit); ISO dates/times/timestamps → the logical types; "[…]" → array and
// "{…}" → map with a common element schema; anything else → the string
// itself. "null" → null schema and value.
SchemaAndValue parse_string(std::string_view text);

// Java's Date.toString() in UTC: "Thu Jan 01 00:00:00 UTC 1970".
std::string java_date_string(int64_t millis);

}  // namespace connectrun::values
