#include "connectors/spooldir/value_parser.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <stdexcept>

#include <fmt/format.h>

#include "json/json_reader.h"
#include "json/json_writer.h"

namespace connectrun::spooldir {

namespace {

constexpr int64_t kDayMs = 86'400'000;

// Days since 1970-01-01 of a civil date (Howard Hinnant's algorithm).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
unsigned days_in_month(int64_t y, unsigned m) {
  static const unsigned days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : days[m - 1];
}

bool numeric_letter(char c) { return c == 'y' || c == 'M' || c == 'd' || c == 'H' || c == 'h' || c == 'm' || c == 's' || c == 'S'; }

std::string type_label(const Schema& s) {
  if (s.name) return *s.name;
  return std::string(type_name(s.type));
}

[[noreturn]] void cannot(std::string_view text, const Schema& s, std::string_view why = {}) {
  throw DataException(fmt::format("cannot read '{}' as {}{}{}", text, type_label(s), why.empty() ? "" : ": ", why));
}

template <class T>
T parse_int(std::string_view text, const Schema& s) {
  // Integer.parseInt: an optional sign and digits, nothing else.
  std::string_view t = text;
  if (!t.empty() && t[0] == '+') t.remove_prefix(1);
  if (t.empty() || t[0] == '+') cannot(text, s);
  T v{};
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
  if (ec == std::errc::result_out_of_range) cannot(text, s, "out of range");
  if (ec != std::errc() || end != t.data() + t.size()) cannot(text, s);
  return v;
}

double parse_double(std::string_view text, const Schema& s) {
  // Double.parseDouble: surrounding whitespace allowed, NaN and Infinity spelled as Java does.
  size_t b = 0, e = text.size();
  while (b < e && static_cast<unsigned char>(text[b]) <= ' ') ++b;
  while (e > b && static_cast<unsigned char>(text[e - 1]) <= ' ') --e;
  std::string t(text.substr(b, e - b));
  if (t == "NaN") return NAN;
  if (t == "Infinity" || t == "+Infinity") return INFINITY;
  if (t == "-Infinity") return -INFINITY;
  if (!t.empty() && (t.back() == 'd' || t.back() == 'D' || t.back() == 'f' || t.back() == 'F')) t.pop_back();
  if (t.empty() || t.find_first_of("nNiIxX") != std::string::npos) cannot(text, s);
  char* end = nullptr;
  const double v = std::strtod(t.c_str(), &end);
  if (end != t.c_str() + t.size()) cannot(text, s);
  return v;
}

// new BigDecimal(text).setScale(scale): refused when digits would be lost
// (Java's "Rounding necessary").
Decimal parse_decimal(std::string_view text, const Schema& s) {
  const std::string* sp = s.parameter(schemas::kDecimalScaleParam);
  const int scale = sp ? std::atoi(sp->c_str()) : 0;
  std::string t(text);
  std::string sign;
  if (!t.empty() && (t[0] == '-' || t[0] == '+')) {
    if (t[0] == '-') sign = "-";
    t.erase(0, 1);
  }
  const auto dot = t.find('.');
  std::string whole = t.substr(0, dot), frac = dot == std::string::npos ? "" : t.substr(dot + 1);
  if ((whole.empty() && frac.empty()) || whole.find_first_not_of("0123456789") != std::string::npos ||
      frac.find_first_not_of("0123456789") != std::string::npos)
    cannot(text, s);
  while (static_cast<int>(frac.size()) > scale) {
    if (frac.back() != '0') cannot(text, s, fmt::format("more than {} decimal places (the schema's scale)", scale));
    frac.pop_back();
  }
  while (static_cast<int>(frac.size()) < scale) frac.push_back('0');
  if (whole.empty()) whole = "0";
  return Decimal::from_string(sign + whole + (frac.empty() ? "" : "." + frac));
}

// A zone written in the text: Z, ±HH, ±HHMM, ±HH:MM, UTC, GMT. Advances `i`.
bool read_zone(std::string_view t, size_t& i, int64_t& offset_ms) {
  if (t.substr(i, 3) == "UTC" || t.substr(i, 3) == "GMT") {
    i += 3;
    offset_ms = 0;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) return read_zone(t, i, offset_ms);
    return true;
  }
  if (i < t.size() && t[i] == 'Z') {
    ++i;
    offset_ms = 0;
    return true;
  }
  if (i >= t.size() || (t[i] != '+' && t[i] != '-')) return false;
  const int sign = t[i] == '-' ? -1 : 1;
  size_t j = i + 1;
  auto two = [&](int& v) {
    if (j + 2 > t.size() || !std::isdigit(static_cast<unsigned char>(t[j])) || !std::isdigit(static_cast<unsigned char>(t[j + 1])))
      return false;
    v = (t[j] - '0') * 10 + (t[j + 1] - '0');
    j += 2;
    return true;
  };
  int hh = 0, mm = 0;
  if (!two(hh)) return false;
  if (j < t.size() && t[j] == ':') ++j;
  size_t before = j;
  if (!two(mm)) j = before, mm = 0;
  i = j;
  offset_ms = sign * (hh * 3600'000LL + mm * 60'000LL);
  return true;
}

}  // namespace

DateFormat::DateFormat(std::string_view pattern) : pattern_(pattern) {
  for (size_t i = 0; i < pattern.size();) {
    const char c = pattern[i];
    if (c == '\'') {
      Token t;
      size_t j = i + 1;
      if (j < pattern.size() && pattern[j] == '\'') {  // '' is a quote
        t.literal = "'";
        i = j + 1;
      } else {
        while (j < pattern.size() && pattern[j] != '\'') t.literal.push_back(pattern[j++]);
        if (j >= pattern.size()) throw std::invalid_argument(fmt::format("unterminated quote in '{}'", pattern));
        i = j + 1;
      }
      tokens_.push_back(std::move(t));
    } else if (std::isalpha(static_cast<unsigned char>(c))) {
      if (!numeric_letter(c) && c != 'a' && c != 'Z' && c != 'X' && c != 'z')
        throw std::invalid_argument(fmt::format(
            "pattern letter '{}' in '{}' is not supported by connectrun (y M d H h m s S a Z X z are)", c, pattern));
      Token t;
      t.letter = c;
      while (i < pattern.size() && pattern[i] == c) ++t.count, ++i;
      tokens_.push_back(std::move(t));
    } else {
      Token t;
      t.literal = std::string(1, c);
      ++i;
      tokens_.push_back(std::move(t));
    }
  }
}

std::optional<int64_t> DateFormat::parse(std::string_view text, int64_t zone_ms) const {
  int64_t year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, millis = 0;
  int pm = -1;
  bool hour12 = false;
  int64_t offset = zone_ms;
  size_t i = 0;
  for (size_t k = 0; k < tokens_.size(); ++k) {
    const Token& t = tokens_[k];
    if (!t.letter) {
      if (text.substr(i, t.literal.size()) != t.literal) return std::nullopt;
      i += t.literal.size();
      continue;
    }
    if (numeric_letter(t.letter)) {
      // Adjacent numeric fields take exactly their width; otherwise as many digits as there are.
      const bool fixed = k + 1 < tokens_.size() && tokens_[k + 1].letter && numeric_letter(tokens_[k + 1].letter);
      const size_t max = fixed ? static_cast<size_t>(t.count) : 9;
      size_t j = i;
      int64_t v = 0;
      while (j < text.size() && j - i < max && std::isdigit(static_cast<unsigned char>(text[j]))) v = v * 10 + (text[j++] - '0');
      if (j == i || (fixed && j - i != max)) return std::nullopt;
      const size_t digits = j - i;
      i = j;
      switch (t.letter) {
        case 'y': year = (t.count == 2 && digits == 2) ? 2000 + v : v; break;
        case 'M': month = v; break;
        case 'd': day = v; break;
        case 'H': hour = v; break;
        case 'h': hour = v, hour12 = true; break;
        case 'm': minute = v; break;
        case 's': second = v; break;
        case 'S': millis = v; break;
      }
      continue;
    }
    if (t.letter == 'a') {
      if (text.substr(i, 2) == "AM" || text.substr(i, 2) == "am") pm = 0;
      else if (text.substr(i, 2) == "PM" || text.substr(i, 2) == "pm") pm = 1;
      else return std::nullopt;
      i += 2;
      continue;
    }
    if (!read_zone(text, i, offset)) return std::nullopt;  // Z, X, z
  }
  if (hour12) {
    if (hour < 1 || hour > 12) return std::nullopt;
    hour = hour % 12 + (pm == 1 ? 12 : 0);
  }
  if (month < 1 || month > 12 || day < 1 || day > static_cast<int64_t>(days_in_month(year, static_cast<unsigned>(month))) ||
      hour > 23 || minute > 59 || second > 59 || millis > 999)
    return std::nullopt;
  const int64_t days = days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day));
  return days * kDayMs + hour * 3600'000 + minute * 60'000 + second * 1000 + millis - offset;
}

void check_parsable(const Schema& schema, bool text_only) {
  for (const Field& f : schema.fields) {
    const Schema& s = *f.schema;
    if (schemas::is_logical(s, schemas::kDecimalName) || schemas::is_logical(s, schemas::kDateName) ||
        schemas::is_logical(s, schemas::kTimeName) || schemas::is_logical(s, schemas::kTimestampName))
      continue;
    if (s.type == Type::Bytes)
      throw std::invalid_argument(fmt::format("field '{}': BYTES fields cannot be read from text (as in kafka-connect-spooldir); use STRING or a Decimal", f.name));
    if (text_only && !is_primitive(s.type))
      throw std::invalid_argument(fmt::format("field '{}': a {} cannot be read from a CSV column; use a primitive type", f.name, type_name(s.type)));
    if (s.type == Type::Struct) check_parsable(s, text_only);
  }
}

int64_t ValueParser::parse_date(std::string_view text) const {
  for (const DateFormat& f : formats_)
    if (auto ms = f.parse(text, zone_ms_)) return *ms;
  std::string tried;
  for (const DateFormat& f : formats_) tried += (tried.empty() ? "'" : ", '") + f.pattern() + "'";
  throw DataException(fmt::format("cannot read '{}' as a date: it matches none of parser.timestamp.date.formats ({})", text, tried));
}

Value ValueParser::parse_string(const Schema& s, std::string_view text) const {
  if (s.name) {
    if (*s.name == schemas::kDecimalName) return Value(parse_decimal(text, s));
    if (*s.name == schemas::kTimestampName || *s.name == schemas::kTimeName) return Value(Timestamp{parse_date(text)});
    if (*s.name == schemas::kDateName) {
      const int64_t ms = parse_date(text);
      // Midnight of that day in parser.timestamp.timezone.
      const int64_t local = ms + zone_ms_;
      const int64_t day = (local >= 0 ? local / kDayMs : (local - kDayMs + 1) / kDayMs);
      return Value(Timestamp{day * kDayMs - zone_ms_});
    }
  }
  switch (s.type) {
    case Type::String: return Value(std::string(text));
    case Type::Int8: return Value(parse_int<int8_t>(text, s));
    case Type::Int16: return Value(parse_int<int16_t>(text, s));
    case Type::Int32: return Value(parse_int<int32_t>(text, s));
    case Type::Int64: return Value(parse_int<int64_t>(text, s));
    case Type::Float32: {
      const double d = parse_double(text, s);
      if (std::isfinite(d) && std::fabs(d) > 3.4028234663852886e38) cannot(text, s, "out of range");
      return Value(static_cast<float>(d));
    }
    case Type::Float64: return Value(parse_double(text, s));
    case Type::Boolean: {
      // Boolean.parseBoolean would read anything but "true" as false: refused instead.
      std::string l(text);
      for (auto& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (l == "true") return Value(true);
      if (l == "false") return Value(false);
      cannot(text, s, "expected true or false");
    }
    default: cannot(text, s, "no text form");
  }
}

Value ValueParser::parse_json(const SchemaPtr& sp, const simdjson::dom::element* e) const {
  const Schema& s = *sp;
  using simdjson::dom::element_type;
  if (!e || e->is_null()) {
    if (!s.optional) throw DataException(fmt::format("a {} is required here but the value is null or missing", type_label(s)));
    return Value();
  }
  const element_type et = e->type();
  auto wrong = [&]() -> Value {
    throw DataException(fmt::format("cannot read a JSON {} as {}", json_node_type(*e), type_label(s)));
  };
  if (et == element_type::STRING) {
    std::string_view sv;
    if (e->get_string().get(sv)) return wrong();
    if (s.type == Type::Struct || s.type == Type::Array || s.type == Type::Map) return wrong();
    return parse_string(s, sv);
  }
  if (s.name && (*s.name == schemas::kTimestampName || *s.name == schemas::kTimeName || *s.name == schemas::kDateName)) {
    int64_t ms = 0;
    if (e->get_int64().get(ms)) return wrong();
    return Value(Timestamp{ms});
  }
  if (s.name && *s.name == schemas::kDecimalName) {
    if (et == element_type::INT64 || et == element_type::UINT64 || et == element_type::DOUBLE) {
      std::string text;
      append_schemaless_json(text, json_element_to_value(*e));
      if (text.find_first_of("eE") != std::string::npos) {
        double d = 0;
        if (e->get_double().get(d)) return wrong();
        text = fmt::format("{:f}", d);
      }
      return Value(parse_decimal(text, s));
    }
    return wrong();
  }
  switch (s.type) {
    case Type::Int8:
    case Type::Int16:
    case Type::Int32:
    case Type::Int64: {
      int64_t v = 0;
      if (et == element_type::DOUBLE) throw DataException(fmt::format("cannot read {} as {}: not a whole number", simdjson::to_string(*e), type_label(s)));
      if (e->get_int64().get(v)) return wrong();
      return parse_string(s, std::to_string(v));  // range checks as for text
    }
    case Type::Float32:
    case Type::Float64: {
      double d = 0;
      if (e->get_double().get(d)) return wrong();
      return s.type == Type::Float32 ? Value(static_cast<float>(d)) : Value(d);
    }
    case Type::Boolean: {
      bool b = false;
      if (e->get_bool().get(b)) return wrong();
      return Value(b);
    }
    case Type::String: {
      if (et == element_type::OBJECT || et == element_type::ARRAY) return wrong();
      return Value(std::string(simdjson::to_string(*e)));  // a number or boolean as its JSON text
    }
    case Type::Struct: {
      simdjson::dom::object obj;
      if (e->get_object().get(obj)) return wrong();
      auto st = StructValue::make(sp);
      for (const Field& f : s.fields) {
        simdjson::dom::element fe;
        const bool has = find_member(obj, f.name, fe);
        try {
          st->values[f.index] = parse_json(f.schema, has ? &fe : nullptr);
        } catch (const DataException& ex) {
          throw DataException(fmt::format("field '{}': {}", f.name, ex.what()));
        }
      }
      return Value(st);
    }
    case Type::Array: {
      simdjson::dom::array arr;
      if (e->get_array().get(arr)) return wrong();
      Array out;
      size_t i = 0;
      for (simdjson::dom::element item : arr) {
        try {
          out.push_back(parse_json(s.value_schema, &item));
        } catch (const DataException& ex) {
          throw DataException(fmt::format("index {}: {}", i, ex.what()));
        }
        ++i;
      }
      return Value(std::move(out));
    }
    case Type::Map: {
      simdjson::dom::object obj;
      if (e->get_object().get(obj)) return wrong();
      MapEntries out;
      for (auto field : obj) {
        simdjson::dom::element v = field.value;
        out.emplace_back(parse_string(*s.key_schema, field.key), parse_json(s.value_schema, &v));
      }
      return Value(std::move(out));
    }
    default: return wrong();
  }
}

}  // namespace connectrun::spooldir
