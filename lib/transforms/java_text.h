// Java's text forms of values, as the transforms produce them with toString()
// and parse them with Integer.parseInt / Double.parseDouble / Boolean.parseBoolean.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "data/value.h"

namespace connectrun::transforms {

// Double.toString / Float.toString shape with the shortest round-trip digits.
std::string java_double_string(double d);
std::string java_float_string(float f);

// Integer.parseInt-like: optional sign then decimal digits only; nullopt when
// malformed or outside [min, max].
std::optional<int64_t> java_parse_integer(std::string_view s, int64_t min, int64_t max);
// Double.parseDouble-like: surrounding whitespace, NaN, Infinity, f/d suffix.
std::optional<double> java_parse_double(std::string_view s);

std::string base64_encode(std::string_view data);

// Value.toString() as Java prints it (used by Cast to string and MaskField).
// Dates use Values.dateFormatFor: time, date or timestamp ISO form in UTC.
std::string java_to_string(const Value& v);

// "yyyy-MM-dd'T'HH:mm:ss.SSS'Z'" and friends in UTC, for java.util.Date text.
std::string iso_utc(int64_t millis, bool date_part, bool time_part);

}  // namespace connectrun::transforms
