// Writing JSON text the way Kafka's JsonConverter (Jackson) writes it, and
// numbers in Java's toString() shapes. Writers append to `out`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "data/value.h"

namespace connectrun {

// A JSON string literal with Jackson's escaping: `"` and `\` escaped; control
// characters as \b \f \n \r \t or \u00XX (upper-case hex); '/' and U+2028 raw;
// characters outside the BMP as an escaped surrogate pair (\uD83D\uDE00), as
// Jackson's UTF-8 generator does; other non-ASCII raw UTF-8. Bytes that are not
// valid UTF-8 (a Java string cannot hold them) become U+FFFD as Java's decoder
// replaces them (json/utf8.h), so the output is always valid JSON.
void append_json_string(std::string& out, std::string_view s);

// Whether the eight bytes of `w` are all printable ASCII other than '"' and
// '\\', written into a JSON string as they are (SWAR: one test for eight bytes).
inline bool json_plain_word(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
  // Any byte below n (n <= 128), and any byte equal to c: exact for "any" once high bytes are excluded.
  auto has_less = [](uint64_t x, uint64_t n) { return (x - kOnes * n) & ~x & kHigh; };
  auto has_byte = [&](uint64_t x, uint64_t c) { return has_less(x ^ (kOnes * c), 1); };
  return !((w & kHigh) | has_less(w, 0x20) | has_byte(w, '"') | has_byte(w, '\\'));
}

// An integer in decimal (Long.toString): to_chars, without a format string to parse.
void append_integer(std::string& out, int64_t x);

// Double.toString / Float.toString shapes with the shortest round-trip digits:
// "100.0", "0.001", "1.0E20", "1.0E-7", "-0.0", "NaN", "Infinity", "-Infinity".
void append_java_double(std::string& out, double x);
void append_java_float(std::string& out, float x);
// A double or float as a JSON number; non-finite values as the strings "NaN",
// "Infinity", "-Infinity" (Jackson's QUOTE_NON_NUMERIC_NUMBERS default).
void append_json_double(std::string& out, double x);
void append_json_float(std::string& out, float x);

// java.math.BigDecimal.toString(): plain digits unless the scale is negative or
// the adjusted exponent is below -6 ("1E-10", "1.5E+3").
void append_big_decimal(std::string& out, const Decimal& d);
// The unscaled value as decimal digits with sign ("-12345").
std::string decimal_unscaled_digits(const Decimal& d);

// Compact JSON of a value read without schema, as JsonConverter with
// schemas.enable=false writes it: maps with only string keys as objects, other
// maps as arrays of [key, value] pairs, bytes as base64, decimals as plain
// numbers (decimal.format=NUMERIC), structs as objects in field order, dates
// (Timestamp) as epoch milliseconds.
void append_schemaless_json(std::string& out, const Value& v);
// The same written at out[used], `used` moved past it: out's bytes from `used` on are room, not
// text, so a writer of many values in a row does not resize (and zero) the string for each.
void append_schemaless_json(std::string& out, size_t& used, const Value& v);
std::string to_schemaless_json(const Value& v);

}  // namespace connectrun
