// Values.parseString: a port of Kafka's tokenizer and recursive parser, so
// header strings get the same inferred schemas as in Kafka Connect.
#include <charconv>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "converters/values.h"
#include "json/json_writer.h"

namespace connectrun::values {

namespace {
constexpr int64_t kMillisPerDay = 24LL * 60 * 60 * 1000;

using Parsed = std::optional<SchemaAndValue>;  // nullopt = Kafka's null result

std::string_view trim(std::string_view s) {  // String.trim(): strips chars <= ' '
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ') s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ') s.remove_suffix(1);
  return s;
}

class Parser {
 public:
  explicit Parser(std::string_view original) : original_(original) {}
  std::string_view original() const { return original_; }
  size_t position() const { return pos_; }
  size_t mark() const { return pos_ - (next_ ? next_->size() : 0); }
  void rewind_to(size_t p) {
    pos_ = p;
    next_.reset();
    previous_.reset();
  }
  bool has_next() const { return next_.has_value() || pos_ < original_.size(); }
  std::string_view next() {
    if (next_) {
      previous_ = next_;
      next_.reset();
    } else {
      previous_ = consume_next_token();
    }
    return *previous_;
  }
  std::optional<std::string_view> next(int n) {
    size_t start = mark();
    for (int i = 0; i != n; ++i) {
      if (!has_next()) {
        rewind_to(start);
        return std::nullopt;
      }
      next();
    }
    return original_.substr(start, pos_ - start);
  }
  std::optional<std::string_view> previous() const { return previous_; }
  bool can_consume(std::string_view expected) {
    if (!next_) {
      if (!has_next()) return false;
      next_ = consume_next_token();
    }
    while (trim(*next_).empty() && pos_ < original_.size()) next_ = consume_next_token();
    if (trim(*next_) == expected) {
      next_.reset();
      return true;
    }
    return false;
  }

 private:
  std::string_view consume_next_token() {
    bool escaped = false;
    size_t start = pos_;
    while (pos_ < original_.size()) {
      char c = original_[pos_];
      switch (c) {
        case '\\': escaped = !escaped; break;
        case ':': case ',': case '{': case '}': case '[': case ']': case '"':
          if (!escaped) {
            if (start < pos_) return original_.substr(start, pos_ - start);
            ++pos_;
            return original_.substr(start, 1);
          }
          escaped = false;
          break;
        default: escaped = false; break;
      }
      ++pos_;
    }
    return original_.substr(start, pos_ - start);
  }

  std::string_view original_;
  size_t pos_ = 0;
  std::optional<std::string_view> next_;
  std::optional<std::string_view> previous_;
};

bool is_temporal(const SchemaPtr& s) {
  return s && s->name &&
         (*s->name == schemas::kDateName || *s->name == schemas::kTimeName || *s->name == schemas::kTimestampName);
}

// Fixed-width digits at [pos, pos+n); -1 when not all digits.
int64_t digits_at(std::string_view s, size_t pos, size_t n) {
  int64_t v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

int64_t days_from_civil(int64_t y, int64_t m, int64_t d) {
  // Out-of-range months roll over, as SimpleDateFormat's lenient parsing does.
  y += (m - 1 >= 0 ? (m - 1) / 12 : (m - 12) / 12);
  m = ((m - 1) % 12 + 12) % 12 + 1;
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

std::optional<int64_t> parse_time_millis(std::string_view s) {  // HH:mm:ss.SSSZ
  if (s.size() != 13 || s[2] != ':' || s[5] != ':' || s[8] != '.' || s[12] != 'Z') return std::nullopt;
  int64_t h = digits_at(s, 0, 2), mi = digits_at(s, 3, 2), sec = digits_at(s, 6, 2), ms = digits_at(s, 9, 3);
  if (h < 0 || mi < 0 || sec < 0 || ms < 0) return std::nullopt;
  return ((h * 60 + mi) * 60 + sec) * 1000 + ms;
}

std::optional<int64_t> parse_date_days(std::string_view s) {  // yyyy-MM-dd
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  int64_t y = digits_at(s, 0, 4), m = digits_at(s, 5, 2), d = digits_at(s, 8, 2);
  if (y < 0 || m < 0 || d < 0) return std::nullopt;
  return days_from_civil(y, m, d);
}

Parsed parse_as_temporal(std::string token) {
  // Escaped colons arrive with their backslashes.
  for (size_t p; (p = token.find("\\:")) != std::string::npos;) token.erase(p, 1);
  if (token.size() == 13) {
    if (auto ms = parse_time_millis(token)) return SchemaAndValue{schemas::time().build(), Timestamp{*ms}};
  } else if (token.size() == 24) {
    if (token[10] != 'T') return std::nullopt;
    auto days = parse_date_days(std::string_view(token).substr(0, 10));
    auto ms = parse_time_millis(std::string_view(token).substr(11));
    if (days && ms) return SchemaAndValue{schemas::timestamp().build(), Timestamp{*days * kMillisPerDay + *ms}};
  } else if (token.size() == 10) {
    if (auto days = parse_date_days(token)) return SchemaAndValue{schemas::date().build(), Timestamp{*days * kMillisPerDay}};
  }
  return std::nullopt;
}

SchemaAndValue smallest_integer(int64_t n) {
  if (n >= INT8_MIN && n <= INT8_MAX) return SchemaAndValue{schemas::int8(), Value(static_cast<int8_t>(n))};
  if (n >= INT16_MIN && n <= INT16_MAX) return SchemaAndValue{schemas::int16(), Value(static_cast<int16_t>(n))};
  if (n >= INT32_MIN && n <= INT32_MAX) return SchemaAndValue{schemas::int32(), Value(static_cast<int32_t>(n))};
  return SchemaAndValue{schemas::int64(), Value(n)};
}

// BigDecimal-style number: the smallest integer type that holds it exactly,
// else float32/float64 when it has a fraction, else a Decimal.
Parsed parse_number(std::string_view token) {
  Decimal dec;
  try {
    dec = Decimal::from_string(token);
  } catch (const DataException&) {
    return std::nullopt;
  }
  std::string digits = decimal_unscaled_digits(dec);
  bool neg = digits[0] == '-';
  std::string_view mag = std::string_view(digits).substr(neg ? 1 : 0);
  // The integral value, when the number has no non-zero fraction.
  std::optional<std::string> integral;
  if (dec.scale <= 0) {
    if (mag == "0") integral = "0";
    else if (mag.size() + static_cast<size_t>(-static_cast<int64_t>(dec.scale)) <= 20)
      integral = std::string(mag) + std::string(static_cast<size_t>(-static_cast<int64_t>(dec.scale)), '0');
  } else {
    auto scale = static_cast<size_t>(dec.scale);
    std::string_view frac = mag.size() > scale ? mag.substr(mag.size() - scale) : mag;
    if (frac.find_first_not_of('0') == std::string_view::npos)
      integral = mag.size() > scale ? std::string(mag.substr(0, mag.size() - scale)) : std::string("0");
  }
  if (integral) {
    std::string text = neg ? "-" + *integral : *integral;
    int64_t n = 0;
    auto res = std::from_chars(text.data(), text.data() + text.size(), n);
    if (res.ec == std::errc() && res.ptr == text.data() + text.size()) return smallest_integer(n);
  }
  std::string text(token);
  if (dec.scale != 0) {
    float f = std::strtof(text.c_str(), nullptr);
    if (!std::isinf(f)) return SchemaAndValue{schemas::float32(), Value(f)};
    double d = std::strtod(text.c_str(), nullptr);
    if (!std::isinf(d)) return SchemaAndValue{schemas::float64(), Value(d)};
  }
  return SchemaAndValue{schemas::decimal(dec.scale).build(), Value(dec)};
}
}  // namespace

// Declared here, defined in values_align.cpp: Values.commonSchemaFor and the
// alignment of parsed elements with the common schema.
SchemaPtr common_schema_for(const SchemaPtr& previous, const Parsed& latest);
Value convert_to(const SchemaPtr& to, const Value& v);

namespace {
bool can_parse_single_token_literal(Parser& p, bool embedded, std::string_view literal) {
  size_t start = p.mark();
  if (p.can_consume(literal) && (embedded || !p.has_next())) return true;
  p.rewind_to(start);
  return false;
}

Parsed parse(Parser& p, bool embedded);

Parsed parse_array(Parser& p) {
  Array result;
  SchemaPtr element_schema;
  while (p.has_next()) {
    if (p.can_consume("]")) {
      SchemaPtr list_schema;
      if (element_schema) {
        list_schema = SchemaBuilder::array(element_schema).build();
        for (auto& v : result) v = convert_to(element_schema, v);
      } else {
        list_schema = SchemaBuilder(Type::Array).build();  // every element null: arrayOfNull()
      }
      return SchemaAndValue{list_schema, Value(std::move(result))};
    }
    if (p.can_consume(",")) throw DataException(fmt::format("Unable to parse an empty array element: {}", p.original()));
    Parsed element = parse(p, true);
    element_schema = common_schema_for(element_schema, element);
    result.push_back(element ? element->value : Value());
    size_t current = p.mark();
    if (p.can_consume("]")) p.rewind_to(current);
    else if (!p.can_consume(",")) throw DataException("Array elements missing ',' delimiter");
  }
  if (p.previous() == ",") throw DataException(fmt::format("Array is missing element after ',': {}", p.original()));
  throw DataException(fmt::format("Array is missing terminating ']': {}", p.original()));
}

Parsed parse_map(Parser& p) {
  MapEntries result;
  SchemaPtr key_schema, value_schema;
  while (p.has_next()) {
    if (p.can_consume("}")) {
      SchemaPtr map_schema;
      if (key_schema && value_schema) {
        map_schema = SchemaBuilder::map(key_schema, value_schema).build();
        for (auto& [k, v] : result) {
          k = convert_to(key_schema, k);
          v = convert_to(value_schema, v);
        }
      } else if (key_schema) {
        auto b = SchemaBuilder(Type::Map);  // mapWithNullValues(keySchema)
        b.schema().key_schema = key_schema;
        map_schema = b.build();
        for (auto& [k, v] : result) k = convert_to(key_schema, k);
      } else {
        map_schema = SchemaBuilder(Type::Map).build();  // mapOfNull()
      }
      return SchemaAndValue{map_schema, Value(std::move(result))};
    }
    if (p.can_consume(",")) throw DataException(fmt::format("Unable to parse a map entry with no key or value: {}", p.original()));
    Parsed key = parse(p, true);
    if (!key || key->value.is_null()) throw DataException(fmt::format("Map entry may not have a null key: {}", p.original()));
    if (!p.can_consume(":"))
      throw DataException(fmt::format("Map entry is missing ':' at {} in {}", p.position(), p.original()));
    Parsed value = parse(p, true);
    Value entry_value = value ? value->value : Value();
    bool replaced = false;  // LinkedHashMap.put keeps the first position of a repeated key
    for (auto& [k, v] : result)
      if (k == key->value) {
        v = entry_value;
        replaced = true;
      }
    if (!replaced) result.emplace_back(key->value, std::move(entry_value));
    p.can_consume(",");
    key_schema = common_schema_for(key_schema, key);
    value_schema = common_schema_for(value_schema, value);
  }
  if (p.previous() == ",") throw DataException(fmt::format("Map is missing element after ',': {}", p.original()));
  throw DataException(fmt::format("Map is missing terminating '}}': {}", p.original()));
}

Parsed parse(Parser& p, bool embedded) {
  if (!p.has_next()) return std::nullopt;
  if (embedded && p.can_consume("\"")) {
    std::string content;
    while (p.has_next()) {
      if (p.can_consume("\"")) break;
      content.append(p.next());
    }
    // Quoted strings may still be temporal values; nothing else.
    Parsed parsed = parse_string(content);
    if (parsed && is_temporal(parsed->schema)) return parsed;
    return SchemaAndValue{schemas::string(), Value(std::move(content))};
  }
  if (can_parse_single_token_literal(p, embedded, "null")) return std::nullopt;
  if (can_parse_single_token_literal(p, embedded, "true")) return SchemaAndValue{schemas::boolean(), Value(true)};
  if (can_parse_single_token_literal(p, embedded, "false")) return SchemaAndValue{schemas::boolean(), Value(false)};

  size_t start = p.mark();
  try {
    if (p.can_consume("[")) return parse_array(p);
    if (p.can_consume("{")) return parse_map(p);
  } catch (const DataException&) {
    p.rewind_to(start);  // not an array or map after all: read as a string below
  }

  std::string_view raw = p.next();
  if (trim(raw).empty()) return SchemaAndValue{schemas::string(), Value(std::string(raw))};
  std::string_view token = trim(raw);
  char first = token[0];
  bool digit = first >= '0' && first <= '9';
  if (digit) {
    // Times and timestamps span 5 tokens, since an unescaped ':' is a delimiter.
    size_t position = p.mark();
    if (auto remainder = p.next(4)) {
      if (Parsed t = parse_as_temporal(std::string(token) + std::string(*remainder))) return t;
    }
    p.rewind_to(position);
    if (Parsed t = parse_as_temporal(std::string(token))) return t;
  }
  if (digit || first == '+' || first == '-') {
    // A number must be the whole top-level text; "1,2" stays a string.
    if (embedded || !p.has_next()) {
      if (Parsed n = parse_number(token)) return n;
    }
  }
  if (embedded) throw DataException("Failed to parse embedded value");
  return SchemaAndValue{schemas::string(), Value(std::string(p.original()))};
}

// The commonest header texts, a plain integer (an offset, a count) or a
// single word with no delimiter in it (a name, a path), decided without the
// parser, with the parser's result: a header converted back on every record
// (SimpleHeaderConverter) made the parser most of a sink's CPU time.
std::optional<SchemaAndValue> parse_plain(std::string_view text) {
  const size_t sign = text[0] == '-' ? 1 : 0;
  if (text.size() > sign && text.size() <= 18 &&
      text.find_first_not_of("0123456789", sign) == std::string_view::npos) {
    int64_t n = 0;
    std::from_chars(text.data(), text.data() + text.size(), n);  // at most 18 digits: cannot overflow
    return smallest_integer(n);
  }
  if (text.find_first_of(":,{}[]\"\\") != std::string_view::npos) return std::nullopt;
  std::string_view token = trim(text);
  if (token.empty() || token == "null" || token == "true" || token == "false") return std::nullopt;
  const char first = token[0];
  if ((first >= '0' && first <= '9') || first == '+' || first == '-') return std::nullopt;
  return SchemaAndValue{schemas::string(), Value(std::string(text))};
}

}  // namespace

SchemaAndValue parse_string(std::string_view text) {
  if (text.empty()) return SchemaAndValue{schemas::string(), Value(std::string())};
  if (auto plain = parse_plain(text)) return std::move(*plain);
  Parser p(text);
  Parsed parsed = parse(p, false);
  if (!parsed) return {};
  return *parsed;
}

}  // namespace connectrun::values
