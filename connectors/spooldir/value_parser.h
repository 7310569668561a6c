// Typed values from text and JSON, as connect-utils' Parser does for
// kafka-connect-spooldir: a field's schema decides how its text is read
// (Integer.parseInt, Double.parseDouble, BigDecimal with the schema's scale,
// Date/Time/Timestamp with parser.timestamp.date.formats, …).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

#include "data/value.h"

namespace connectrun::spooldir {

// A java.text.SimpleDateFormat pattern: y M d H h m s S a Z X z and quoted
// literals. Like SimpleDateFormat.parse(String), text after the pattern is
// ignored; unlike its lenient default, out-of-range fields are refused.
class DateFormat {
 public:
  // Throws std::invalid_argument for pattern letters connectrun does not read.
  explicit DateFormat(std::string_view pattern);
  // Milliseconds since the epoch; `zone_ms` is the zone's offset used when the
  // text has none. nullopt when the text does not match.
  std::optional<int64_t> parse(std::string_view text, int64_t zone_ms) const;
  const std::string& pattern() const { return pattern_; }

 private:
  struct Token {
    char letter = 0;  // 0: literal text
    int count = 0;
    std::string literal;
  };
  std::string pattern_;
  std::vector<Token> tokens_;
};

// Checks that every field of `schema` (a value or key schema) can be read by
// this reader; throws std::invalid_argument naming the field otherwise.
// `text_only`: values come from text (CSV), so only primitive types and the
// logical types are possible.
void check_parsable(const Schema& schema, bool text_only);

class ValueParser {
 public:
  ValueParser(std::vector<DateFormat> formats, int64_t zone_ms) : formats_(std::move(formats)), zone_ms_(zone_ms) {}
  // Throws DataException ("cannot read 'abc' as int32").
  Value parse_string(const Schema& schema, std::string_view text) const;
  // A JSON value for `schema`: numbers, strings (read as parse_string does),
  // booleans, objects (STRUCT, MAP) and arrays. Null or missing (`e` null)
  // gives null, refused for a required schema.
  Value parse_json(const SchemaPtr& schema, const simdjson::dom::element* e) const;

 private:
  int64_t parse_date(std::string_view text) const;
  std::vector<DateFormat> formats_;
  int64_t zone_ms_ = 0;
};

}  // namespace connectrun::spooldir
