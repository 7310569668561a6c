#include "connectors/postgres_cdc/pg_types.h"

#include "connectors/common/java_hash_map.h"
#include "connectors/postgres_cdc/pg_composite.h"

#include <charconv>
#include <cstdlib>
#include <regex>
#include <stdexcept>

#include <fmt/format.h>

#include "json/base64.h"
#include "json/json_writer.h"

namespace connectrun::postgres_cdc {

namespace {

enum Oid : uint32_t {
  kBool = 16, kBytea = 17, kChar = 18, kName = 19, kInt8 = 20, kInt2 = 21, kInt4 = 23, kText = 25, kOid = 26,
  kJson = 114, kXml = 142, kFloat4 = 700, kFloat8 = 701, kBpchar = 1042, kVarchar = 1043, kDate = 1082,
  kTime = 1083, kTimestamp = 1114, kTimestamptz = 1184, kTimetz = 1266, kNumeric = 1700, kUuid = 2950,
  kJsonb = 3802, kMoney = 790, kBit = 1560, kVarbit = 1562
};

int time_precision(int32_t typmod) { return typmod < 0 ? 6 : typmod; }

SchemaBuilder named(SchemaBuilder b, const char* name) { return std::move(b.name(name).version(1)); }

[[noreturn]] void bad(std::string_view what, std::string_view text) {
  throw std::runtime_error(fmt::format("cannot read {} value '{}'", what, text));
}

// from_chars: no copy, no locale (PostgreSQL's text output has no sign '+' nor blanks).
int64_t parse_int(std::string_view s, std::string_view what) {
  int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) bad(what, s);
  return v;
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

struct CivilTime {
  int64_t days = 0;    // date part (timestamps, dates)
  int64_t micros = 0;  // time of day
  int64_t offset_s = 0;  // zone offset (timestamptz, timetz)
};

// "YYYY-MM-DD" (ISO DateStyle); " BC" years are not expected in CDC data.
int64_t parse_date(std::string_view s) {
  // Fields of at most 4, 2 and 2 digits, as "%4u-%2u-%2u" reads them (without sscanf's cost per row).
  const std::string_view text = s.substr(0, 10);
  size_t pos = 0;
  auto number = [&](size_t max_digits) {
    unsigned v = 0;
    const size_t start = pos;
    while (pos < text.size() && pos - start < max_digits && text[pos] >= '0' && text[pos] <= '9')
      v = v * 10 + static_cast<unsigned>(text[pos++] - '0');
    if (pos == start) bad("date", s);
    return v;
  };
  auto dash = [&] {
    if (pos >= text.size() || text[pos] != '-') bad("date", s);
    ++pos;
  };
  const unsigned y = number(4);
  dash();
  const unsigned m = number(2);
  dash();
  const unsigned d = number(2);
  return days_from_civil(y, m, d);
}

// "HH:MM:SS[.ffffff][+hh[:mm[:ss]]]"; returns micros of the day and the offset.
CivilTime parse_time(std::string_view s, bool zoned) {
  CivilTime t;
  if (s.size() < 8 || s[2] != ':' || s[5] != ':') bad("time", s);
  const int64_t h = parse_int(s.substr(0, 2), "time"), mi = parse_int(s.substr(3, 2), "time"),
                se = parse_int(s.substr(6, 2), "time");
  size_t pos = 8;
  int64_t frac = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && std::isdigit(static_cast<unsigned char>(s[pos]))) {
      if (digits < 6) frac = frac * 10 + (s[pos] - '0'), ++digits;
      ++pos;
    }
    for (; digits < 6; ++digits) frac *= 10;
  }
  t.micros = ((h * 60 + mi) * 60 + se) * 1000000 + frac;
  if (zoned) {
    if (pos >= s.size() || (s[pos] != '+' && s[pos] != '-')) bad("time zone", s);
    const int sign = s[pos] == '-' ? -1 : 1;
    ++pos;
    int64_t parts[3] = {0, 0, 0};
    for (int i = 0; i < 3 && pos < s.size(); ++i) {
      parts[i] = parse_int(s.substr(pos, 2), "time zone");
      pos += 2;
      if (pos < s.size() && s[pos] == ':') ++pos;
    }
    t.offset_s = sign * (parts[0] * 3600 + parts[1] * 60 + parts[2]);
  }
  return t;
}

CivilTime parse_timestamp(std::string_view s, bool zoned) {
  if (s.size() < 19 || s[10] != ' ') bad("timestamp", s);
  CivilTime t = parse_time(s.substr(11), zoned);
  t.days = parse_date(s.substr(0, 10));
  return t;
}

std::string fraction(int64_t micros_of_second, int precision) {
  if (precision <= 0) return "";
  std::string f = fmt::format("{:06d}", micros_of_second);
  f.resize(std::min(precision, 6));
  return "." + f;
}

// Debezium's ZonedTimestamp/ZonedTime: ISO-8601 in UTC ("Z"), the fraction
// as wide as the column's precision.
std::string zoned_timestamp(const CivilTime& t, int precision) {
  int64_t us = (t.days * 86400 - t.offset_s) * 1000000 + t.micros;
  int64_t days = us >= 0 ? us / 86400000000LL : -((-us + 86400000000LL - 1) / 86400000000LL);
  int64_t rem = us - days * 86400000000LL;
  // civil_from_days
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  const int64_t secs = rem / 1000000;
  return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}{}Z", y, m, d, secs / 3600, secs / 60 % 60, secs % 60,
                     fraction(rem % 1000000, precision));
}

std::string zoned_time(const CivilTime& t, int precision) {
  int64_t us = t.micros - t.offset_s * 1000000;
  const int64_t day = 86400000000LL;
  us = ((us % day) + day) % day;
  const int64_t secs = us / 1000000;
  return fmt::format("{:02d}:{:02d}:{:02d}{}Z", secs / 3600, secs / 60 % 60, secs % 60,
                     fraction(us % 1000000, precision));
}

std::string bytea_from_text(std::string_view s) {
  if (s.size() < 2 || s[0] != '\\' || s[1] != 'x') bad("bytea", s);  // bytea_output=hex is set on our sessions
  std::string out;
  out.reserve((s.size() - 2) / 2);
  auto nib = [&](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    bad("bytea", s);
  };
  for (size_t i = 2; i + 1 < s.size(); i += 2) out += static_cast<char>(nib(s[i]) << 4 | nib(s[i + 1]));
  return out;
}

// Debezium's Bits: a java.util.BitSet whose bit 0 is the rightmost digit, as
// BitSet.toByteArray gives it (little-endian, no trailing zero bytes).
std::string bits_bytes(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    const size_t bit = s.size() - 1 - i;
    if (s[i] == '0') continue;
    if (s[i] != '1') bad("bit", s);
    if (out.size() <= bit / 8) out.resize(bit / 8 + 1, '\0');
    out[bit / 8] = static_cast<char>(out[bit / 8] | (1 << (bit % 8)));
  }
  return out;
}

// money in lc_monetary=C ("$1,234.56", "-$0.50") → "1234.56", "-0.50".
std::string money_text(std::string_view s) {
  std::string out;
  for (char ch : s) {
    if (ch == '-' || ch == '(') out.insert(out.begin(), '-');
    else if ((ch >= '0' && ch <= '9') || ch == '.') out += ch;
    else if (ch != '$' && ch != ',' && ch != ')' && ch != ' ') bad("money", s);
  }
  if (out.empty() || out == "-") bad("money", s);
  return out;
}

// hstore's text form: "k"=>"v", "k2"=>NULL (backslash escapes inside quotes).
std::vector<std::pair<std::string, std::optional<std::string>>> hstore_pairs(std::string_view s) {
  std::vector<std::pair<std::string, std::optional<std::string>>> out;
  size_t i = 0;
  auto skip_spaces = [&] { while (i < s.size() && (s[i] == ' ' || s[i] == ',')) ++i; };
  auto quoted = [&]() -> std::string {
    if (i >= s.size() || s[i] != '"') bad("hstore", s);
    std::string v;
    for (++i; i < s.size() && s[i] != '"'; ++i) {
      if (s[i] == '\\' && i + 1 < s.size()) ++i;
      v += s[i];
    }
    if (i >= s.size()) bad("hstore", s);
    ++i;
    return v;
  };
  skip_spaces();
  while (i < s.size()) {
    std::string key = quoted();
    if (s.substr(i, 2) != "=>") bad("hstore", s);
    i += 2;
    if (s.substr(i, 4) == "NULL") {
      i += 4;
      out.emplace_back(std::move(key), std::nullopt);
    } else {
      out.emplace_back(std::move(key), quoted());
    }
    skip_spaces();
  }
  return out;
}

// Debezium's hstore (HStoreConverter into a HashMap): as JSON text written by
// Jackson, or as a map, in the HashMap's iteration order.
Value hstore_value(std::string_view text, HstoreMode mode) {
  const auto pairs = in_java_hash_map_order(hstore_pairs(text));
  if (mode == HstoreMode::Map) {
    MapEntries m;
    for (auto& [k, v] : pairs) m.emplace_back(Value(k), v ? Value(*v) : Value());
    return Value(std::move(m));
  }
  std::string json = "{";
  for (auto& [k, v] : pairs) {
    if (json.size() > 1) json += ',';
    append_json_string(json, k);
    json += ':';
    if (v) append_json_string(json, *v);
    else json += "null";
  }
  json += '}';
  return Value(std::move(json));
}

// numeric(p,s) typmod: ((p << 16) | s) + 4
bool fixed_numeric(int32_t typmod, int& precision, int& scale) {
  if (typmod < 4) return false;
  precision = ((typmod - 4) >> 16) & 0xffff;
  scale = (typmod - 4) & 0xffff;
  return true;
}

}  // namespace

SchemaPtr column_schema(const ColumnInfo& c, const TypeModes& modes) {
  auto build = [&](SchemaBuilder b) { return b.optional(c.optional).build(); };
  const bool connect = modes.time == TimePrecisionMode::Connect;
  switch (c.type_oid) {
    case kBool: return build(SchemaBuilder::boolean());
    case kInt2: return build(SchemaBuilder::int16());
    case kInt4: return build(SchemaBuilder::int32());
    case kInt8: case kOid: return build(SchemaBuilder::int64());
    case kFloat4: return build(SchemaBuilder::float32());
    case kFloat8: return build(SchemaBuilder::float64());
    case kNumeric: {
      if (modes.decimal == DecimalMode::Double) return build(SchemaBuilder::float64());
      if (modes.decimal == DecimalMode::String) return build(SchemaBuilder::string());
      int p = 0, s = 0;
      if (fixed_numeric(c.typmod, p, s)) {
        auto b = schemas::decimal(s);
        b.parameter("connect.decimal.precision", std::to_string(p));
        return build(std::move(b));
      }
      auto b = named(SchemaBuilder::structure(), "io.debezium.data.VariableScaleDecimal");
      b.doc("Variable scaled decimal");
      b.field("scale", schemas::int32());
      b.field("value", schemas::bytes());
      return build(std::move(b));
    }
    case kBytea:
      return build(modes.binary == BinaryMode::Bytes ? SchemaBuilder::bytes() : SchemaBuilder::string());
    case kDate: return build(connect ? schemas::date() : named(SchemaBuilder::int32(), "io.debezium.time.Date"));
    case kTime: {
      if (connect) return build(schemas::time());
      if (modes.time == TimePrecisionMode::Adaptive && time_precision(c.typmod) <= 3)
        return build(named(SchemaBuilder::int32(), "io.debezium.time.Time"));
      return build(named(SchemaBuilder::int64(), "io.debezium.time.MicroTime"));
    }
    case kTimestamp: {
      if (connect) return build(schemas::timestamp());
      if (time_precision(c.typmod) <= 3) return build(named(SchemaBuilder::int64(), "io.debezium.time.Timestamp"));
      return build(named(SchemaBuilder::int64(), "io.debezium.time.MicroTimestamp"));
    }
    case kTimestamptz: return build(named(SchemaBuilder::string(), "io.debezium.time.ZonedTimestamp"));
    case kTimetz: return build(named(SchemaBuilder::string(), "io.debezium.time.ZonedTime"));
    case kUuid: return build(named(SchemaBuilder::string(), "io.debezium.data.Uuid"));
    case kJson: case kJsonb: return build(named(SchemaBuilder::string(), "io.debezium.data.Json"));
    case kXml: return build(named(SchemaBuilder::string(), "io.debezium.data.Xml"));
    case kIntervalOid: return interval_schema(c.optional, modes.interval);
    case kBit:
    case kVarbit:
      if (c.typmod == 1) return build(SchemaBuilder::boolean());
      if (c.typmod > 1) {
        auto b = named(SchemaBuilder::bytes(), "io.debezium.data.Bits");
        b.parameter("length", std::to_string(c.typmod));
        return build(std::move(b));
      }
      return build(SchemaBuilder::string());  // varbit without a length: its text
    case kMoney:  // money.fraction.digits: 2, the C locale's
      if (modes.decimal == DecimalMode::Double) return build(SchemaBuilder::float64());
      if (modes.decimal == DecimalMode::String) return build(SchemaBuilder::string());
      return build(schemas::decimal(2));
    default:
      if (c.hstore) {
        if (modes.hstore == HstoreMode::Map)
          return SchemaBuilder::map(schemas::string(), schemas::string(true)).optional(c.optional).build();
        return build(named(SchemaBuilder::string(), "io.debezium.data.Json"));
      }
      if (c.enum_values) {
        auto b = named(SchemaBuilder::string(), "io.debezium.data.Enum");
        b.parameter("allowed", *c.enum_values);
        return build(std::move(b));
      }
      if (auto element = array_element_type(c.type_oid)) return array_schema(c, *element, modes);
      return build(SchemaBuilder::string());  // text, varchar, char, name, and types without a mapping
  }
}

Value column_value(const ColumnInfo& c, const SchemaPtr& schema_ptr, std::string_view text, const TypeModes& modes) {
  const Schema& schema = *schema_ptr;
  const bool connect = modes.time == TimePrecisionMode::Connect;
  switch (c.type_oid) {
    case kBool: return Value(text == "t");
    case kInt2: return Value(static_cast<int16_t>(parse_int(text, "smallint")));
    case kInt4: return Value(static_cast<int32_t>(parse_int(text, "integer")));
    case kInt8: case kOid: return Value(parse_int(text, "bigint"));
    case kFloat4: return Value(std::strtof(std::string(text).c_str(), nullptr));
    case kFloat8: return Value(std::strtod(std::string(text).c_str(), nullptr));
    case kNumeric: {
      if (modes.decimal == DecimalMode::String) return Value(std::string(text));
      if (modes.decimal == DecimalMode::Double) return Value(std::strtod(std::string(text).c_str(), nullptr));
      if (text == "NaN") return Value();  // Debezium emits null for NaN under precise
      Decimal d = Decimal::from_string(text);
      if (schema.type == Type::Struct) {
        auto st = StructValue::make(schema_ptr);
        st->values = {Value(d.scale), Value(Bytes{d.unscaled})};
        return Value(st);
      }
      return Value(std::move(d));
    }
    case kBytea: {
      std::string raw = bytea_from_text(text);
      if (modes.binary == BinaryMode::Bytes) return Value(Bytes{std::move(raw)});
      if (modes.binary == BinaryMode::Base64) return Value(base64::encode(raw));
      std::string hex;
      for (unsigned char ch : raw) hex += fmt::format("{:02x}", ch);
      return Value(std::move(hex));
    }
    case kDate: {
      const int64_t days = parse_date(text);
      if (connect) return Value(Timestamp{days * 86400000});
      return Value(static_cast<int32_t>(days));
    }
    case kTime: {
      const int64_t us = parse_time(text, false).micros;
      if (connect) return Value(Timestamp{us / 1000});
      if (schema.type == Type::Int32) return Value(static_cast<int32_t>(us / 1000));
      return Value(us);
    }
    case kTimestamp: {
      const CivilTime t = parse_timestamp(text, false);
      const int64_t us = t.days * 86400000000LL + t.micros;
      if (connect) return Value(Timestamp{us / 1000});
      if (schema.name && *schema.name == "io.debezium.time.Timestamp") return Value(us / 1000);
      return Value(us);
    }
    case kTimestamptz: return Value(zoned_timestamp(parse_timestamp(text, true), time_precision(c.typmod)));
    case kTimetz: return Value(zoned_time(parse_time(text, true), time_precision(c.typmod)));
    case kIntervalOid: return interval_value(text, modes.interval);
    case kBit:
    case kVarbit:
      if (schema.type == Type::Boolean) return Value(text == "1");
      if (schema.type == Type::Bytes) return Value(Bytes{bits_bytes(text)});
      return Value(std::string(text));
    case kMoney: {
      const std::string amount = money_text(text);
      if (modes.decimal == DecimalMode::Double) return Value(std::strtod(amount.c_str(), nullptr));
      if (modes.decimal == DecimalMode::String) {  // Debezium: String.valueOf(the double PGmoney read)
        std::string out;
        append_java_double(out, std::strtod(amount.c_str(), nullptr));
        return Value(std::move(out));
      }
      return Value(Decimal::from_string(amount));
    }
    default:
      if (c.hstore) return hstore_value(text, modes.hstore);
      if (auto element = array_element_type(c.type_oid)) return array_value(c, *element, schema_ptr, text, modes);
      return Value(std::string(text));
  }
}

namespace {

// What Debezium's PostgresDefaultValueConverter puts for a default computed by
// a function (nextval(…), now(), gen_random_uuid()) or CURRENT_TIMESTAMP & co,
// in the types it has a default mapper for; nullopt: a type it gives no default.
std::optional<std::string> generated_placeholder(uint32_t oid) {
  switch (oid) {
    case kBool: return "f";
    case kBpchar: case kVarchar: case kText: case kXml: return "";
    case kNumeric: case kFloat4: case kFloat8: return "0.0";
    case kInt2: case kInt4: case kInt8: return "0";
    case kJson: case kJsonb: return "{}";
    case kUuid: return "00000000-0000-0000-0000-000000000000";
    case kDate: return "1970-01-01";
    case kTime: return "00:00:00";
    case kTimestamp: return "1970-01-01 00:00:00";
    case kTimestamptz: return "1970-01-01 00:00:00+00";
    default: return std::nullopt;
  }
}

bool has_default_mapper(uint32_t oid) { return generated_placeholder(oid).has_value(); }

// "0" → "0.00" for a numeric(p,2) column: Debezium raises a default's scale to the column's.
std::string with_scale(std::string text, int scale) {
  const auto dot = text.find('.');
  int have = dot == std::string::npos ? 0 : static_cast<int>(text.size() - dot - 1);
  if (have >= scale) return text;
  if (dot == std::string::npos) text += '.';
  text.append(static_cast<size_t>(scale - have), '0');
  return text;
}

}  // namespace

SchemaPtr with_default(const ColumnInfo& c, const SchemaPtr& schema, const TypeModes& modes) {
  if (!c.default_expr || !(has_default_mapper(c.type_oid) || c.enum_values)) return schema;
  static const std::regex quoted("^'((?:[^']|'')*)'::.+$");
  static const std::regex number("^\\(?(-?[0-9]+(\\.[0-9]+)?)\\)?(::.+)?$");
  static const std::regex function("^[(]?[A-Za-z0-9_.]+\\((.+(, ?.+)*)?\\)");
  static const std::regex current("^(current_timestamp|current_time|current_date|localtime|localtimestamp)$",
                                  std::regex::icase);
  const std::string& e = *c.default_expr;
  std::smatch m;
  std::optional<std::string> text;
  if (c.enum_values && !std::regex_match(e, quoted)) return schema;  // Debezium: only 'label'::type
  if (std::regex_search(e, function) || std::regex_match(e, current)) {
    text = generated_placeholder(c.type_oid);
  } else if (std::regex_match(e, m, quoted)) {
    std::string t;
    const std::string quoted_text = m[1].str();
    for (size_t i = 0; i < quoted_text.size(); ++i) {  // '' stands for '
      t += quoted_text[i];
      if (quoted_text[i] == '\'' && i + 1 < quoted_text.size() && quoted_text[i + 1] == '\'') ++i;
    }
    text = std::move(t);
  } else if (std::regex_match(e, m, number)) {
    text = m[1].str();
  } else if (e == "true" || e == "false") {
    text = std::string(e == "true" ? "t" : "f");
  }
  if (!text) return schema;  // an expression Debezium does not evaluate (NULL::…, 1 + 2): no default
  int precision = 0, scale = 0;
  if (c.type_oid == kNumeric && modes.decimal == DecimalMode::Precise && fixed_numeric(c.typmod, precision, scale))
    text = with_scale(std::move(*text), scale);
  Value v;
  try {
    v = column_value(c, schema, *text, modes);
  } catch (const std::exception&) {
  }
  if (v.is_null()) return schema;
  return SchemaBuilder::from(*schema).default_value(std::move(v)).build();
}

Value fallback_value(const Schema& schema) {
  if (schema.optional) return Value();
  if (schema.default_value) return *schema.default_value;
  switch (schema.type) {
    case Type::Boolean: return Value(false);
    case Type::Int8: return Value(int8_t{0});
    case Type::Int16: return Value(int16_t{0});
    case Type::Int32: return Value(int32_t{0});
    case Type::Int64: return Value(int64_t{0});
    case Type::Float32: return Value(0.0f);
    case Type::Float64: return Value(0.0);
    case Type::String: return Value(std::string());
    case Type::Bytes:
      if (schemas::is_logical(schema, schemas::kDecimalName)) return Value(Decimal::from_int64(0, 0));
      return Value(Bytes{});
    case Type::Struct: {
      auto st = StructValue::make(std::make_shared<Schema>(schema));
      for (size_t i = 0; i < schema.fields.size(); ++i) st->values[i] = fallback_value(*schema.fields[i].schema);
      return Value(st);
    }
    default: return Value();
  }
}

Value unavailable_value(const Schema& schema, const std::string& placeholder) {
  if (schema.type == Type::String) return Value(placeholder);
  if (schema.type == Type::Bytes && !schemas::is_logical(schema, schemas::kDecimalName))
    return Value(Bytes{placeholder});
  return fallback_value(schema);
}

}  // namespace connectrun::postgres_cdc
