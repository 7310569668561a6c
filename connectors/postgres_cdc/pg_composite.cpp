#include "connectors/postgres_cdc/pg_composite.h"

#include <charconv>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

namespace connectrun::postgres_cdc {

namespace {

[[noreturn]] void bad(std::string_view what, std::string_view text) {
  throw std::runtime_error(fmt::format("cannot read {} value '{}'", what, text));
}

struct IntervalParts {
  int years = 0, months = 0, days = 0, hours = 0, minutes = 0;
  double seconds = 0;
};

// PostgreSQL's iso_8601 output: P[nY][nM][nD][T[nH][nM][n.nS]], each part signed on its own.
IntervalParts parse_iso_interval(std::string_view s) {
  if (s.empty() || s[0] != 'P') bad("interval", s);
  IntervalParts p;
  bool time = false;
  size_t i = 1;
  while (i < s.size()) {
    if (s[i] == 'T') {
      time = true;
      ++i;
      continue;
    }
    size_t start = i;
    if (s[i] == '-' || s[i] == '+') ++i;
    while (i < s.size() && ((s[i] >= '0' && s[i] <= '9') || s[i] == '.')) ++i;
    if (i == start || i >= s.size()) bad("interval", s);
    const std::string number(s.substr(start, i - start));
    const char unit = s[i++];
    char* end = nullptr;
    if (time && unit == 'S') {
      p.seconds = std::strtod(number.c_str(), &end);
    } else {
      const long n = std::strtol(number.c_str(), &end, 10);
      if (!time && unit == 'Y') p.years = static_cast<int>(n);
      else if (!time && unit == 'M') p.months = static_cast<int>(n);
      else if (!time && unit == 'D') p.days = static_cast<int>(n);
      else if (time && unit == 'H') p.hours = static_cast<int>(n);
      else if (time && unit == 'M') p.minutes = static_cast<int>(n);
      else bad("interval", s);
    }
    if (!end || *end != '\0') bad("interval", s);
  }
  return p;
}

// Java's BigDecimal.valueOf(double) (the shortest decimal that reads back as the
// double) cut to 9 decimals, stripTrailingZeros().toPlainString(), as Debezium's
// Interval.toIsoString writes the seconds.
std::string seconds_text(double seconds) {
  char buf[64];
  const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, seconds, std::chars_format::fixed);
  std::string s(buf, ec == std::errc() ? end : buf);
  const auto dot = s.find('.');
  if (dot != std::string::npos) {
    if (s.size() > dot + 10) s.resize(dot + 10);
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  if (s == "-0") s = "0";
  return s;
}

// Splits PostgreSQL's array text into its elements (nullopt for NULL), unquoting.
std::vector<std::optional<std::string>> array_elements(std::string_view text) {
  std::string_view s = text;
  if (!s.empty() && s[0] == '[') {  // explicit bounds: "[0:1]={1,2}"
    const auto eq = s.find('=');
    if (eq == std::string_view::npos) bad("array", text);
    s.remove_prefix(eq + 1);
  }
  if (s.size() < 2 || s.front() != '{' || s.back() != '}') bad("array", text);
  std::vector<std::optional<std::string>> out;
  size_t i = 1;
  const size_t end = s.size() - 1;
  if (i == end) return out;
  while (true) {
    if (s[i] == '{')
      throw std::runtime_error(fmt::format("multi-dimensional array value '{}' is not supported (Debezium maps "
                                           "one-dimensional arrays)", text));
    if (s[i] == '"') {
      std::string e;
      ++i;
      while (i < end && s[i] != '"') {
        if (s[i] == '\\' && i + 1 < end) ++i;
        e += s[i++];
      }
      if (i >= end) bad("array", text);
      ++i;  // the closing quote
      out.emplace_back(std::move(e));
    } else {
      size_t start = i;
      while (i < end && s[i] != ',') ++i;
      std::string_view e = s.substr(start, i - start);
      if (e.size() == 4 && (e == "NULL" || e == "null")) out.emplace_back(std::nullopt);
      else out.emplace_back(std::string(e));
    }
    if (i == end) break;
    if (s[i] != ',') bad("array", text);
    ++i;
  }
  return out;
}

}  // namespace

SchemaPtr interval_schema(bool optional, IntervalMode mode) {
  SchemaBuilder b = mode == IntervalMode::String ? SchemaBuilder::string() : SchemaBuilder::int64();
  b.name(mode == IntervalMode::String ? "io.debezium.time.Interval" : "io.debezium.time.MicroDuration").version(1);
  return b.optional(optional).build();
}

Value interval_value(std::string_view iso_text, IntervalMode mode) {
  const IntervalParts p = parse_iso_interval(iso_text);
  if (mode == IntervalMode::String)
    return Value(fmt::format("P{}Y{}M{}DT{}H{}M{}S", p.years, p.months, p.days, p.hours, p.minutes,
                             seconds_text(p.seconds)));
  // MicroDuration.durationMicros, operation for operation.
  const double days = static_cast<double>(p.years * 12 + p.months) * (365.25 / 12.0) + static_cast<double>(p.days);
  const double seconds = ((days * 24.0 + p.hours) * 60.0 + p.minutes) * 60.0 + p.seconds;
  return Value(static_cast<int64_t>(seconds * 1000000.0 + 0.0));
}

std::optional<uint32_t> array_element_type(uint32_t array_oid) {
  switch (array_oid) {
    case 1000: return 16;    // bool
    case 1001: return 17;    // bytea
    case 1002: return 18;    // "char"
    case 1005: return 21;    // int2
    case 1007: return 23;    // int4
    case 1009: return 25;    // text
    case 1014: return 1042;  // bpchar
    case 1015: return 1043;  // varchar
    case 1016: return 20;    // int8
    case 1028: return 26;    // oid
    case 1021: return 700;   // float4
    case 1022: return 701;   // float8
    case 1231: return 1700;  // numeric
    case 1182: return 1082;  // date
    case 1183: return 1083;  // time
    case 1115: return 1114;  // timestamp
    case 1185: return 1184;  // timestamptz
    case 1270: return 1266;  // timetz
    case 2951: return 2950;  // uuid
    case 199: return 114;    // json
    case 3807: return 3802;  // jsonb
    // carried as strings by Debezium
    case 1041: return 869;   // inet
    case 651: return 650;    // cidr
    case 1040: return 829;   // macaddr
    case 775: return 774;    // macaddr8
    case 3905: return 3904;  // int4range
    case 3907: return 3906;  // numrange
    case 3909: return 3908;  // tsrange
    case 3911: return 3910;  // tstzrange
    case 3913: return 3912;  // daterange
    case 3927: return 3926;  // int8range
    default: return std::nullopt;
  }
}

SchemaPtr array_schema(const ColumnInfo& c, uint32_t element_oid, const TypeModes& modes) {
  ColumnInfo element{c.name, element_oid, c.typmod, true};
  return SchemaBuilder::array(column_schema(element, modes)).optional(c.optional).build();
}

Value array_value(const ColumnInfo& c, uint32_t element_oid, const SchemaPtr& schema, std::string_view text,
                  const TypeModes& modes) {
  ColumnInfo element{c.name, element_oid, c.typmod, true};
  const SchemaPtr& element_schema = schema->value_schema;
  Array out;
  for (auto& e : array_elements(text))
    out.push_back(e ? column_value(element, element_schema, *e, modes) : Value());
  return Value(std::move(out));
}

}  // namespace connectrun::postgres_cdc
