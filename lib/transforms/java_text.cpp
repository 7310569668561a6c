#include "transforms/java_text.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

namespace connectrun::transforms {

namespace {
// Lays out shortest scientific digits ("1.2345e+06") in Java's Double.toString shape.
std::string java_layout(const char* sci, size_t len) {
  std::string_view s(sci, len);
  bool neg = !s.empty() && s[0] == '-';
  if (neg) s.remove_prefix(1);
  size_t e = s.find('e');
  std::string digits;
  for (char c : s.substr(0, e))
    if (c != '.') digits.push_back(c);
  int exp = std::atoi(std::string(s.substr(e + 1)).c_str());
  std::string out = neg ? "-" : "";
  if (exp >= -3 && exp < 7) {
    if (exp >= 0) {
      auto int_len = static_cast<size_t>(exp) + 1;
      if (digits.size() <= int_len) {
        out += digits + std::string(int_len - digits.size(), '0') + ".0";
      } else {
        out += digits.substr(0, int_len) + "." + digits.substr(int_len);
      }
    } else {
      out += "0." + std::string(static_cast<size_t>(-exp - 1), '0') + digits;
    }
    return out;
  }
  out += digits.substr(0, 1) + "." + (digits.size() > 1 ? digits.substr(1) : "0") + "E" + std::to_string(exp);
  return out;
}

template <class F>
std::string java_floating(F v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (v == 0) return std::signbit(v) ? "-0.0" : "0.0";
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  return java_layout(buf, static_cast<size_t>(r.ptr - buf));
}
}  // namespace

std::string java_double_string(double d) { return java_floating(d); }
std::string java_float_string(float f) { return java_floating(f); }

std::optional<int64_t> java_parse_integer(std::string_view s, int64_t min, int64_t max) {
  if (s.empty()) return std::nullopt;
  std::string_view digits = s;
  if (digits[0] == '+') digits.remove_prefix(1);  // from_chars refuses '+'; Java accepts it
  if (digits.empty() || digits[0] == '+' || (digits[0] == '-' && s[0] == '+')) return std::nullopt;
  int64_t out = 0;
  auto [p, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out);
  if (ec != std::errc() || p != digits.data() + digits.size() || out < min || out > max) return std::nullopt;
  return out;
}

std::optional<double> java_parse_double(std::string_view s) {
  // Java trims ASCII whitespace and control characters.
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= ' ') s.remove_prefix(1);
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= ' ') s.remove_suffix(1);
  if (s.empty()) return std::nullopt;
  std::string_view body = s;
  bool neg = false;
  if (body[0] == '+' || body[0] == '-') {
    neg = body[0] == '-';
    body.remove_prefix(1);
  }
  if (body == "NaN") return std::nan("");
  if (body == "Infinity") return neg ? -HUGE_VAL : HUGE_VAL;
  if (!body.empty() && (body.back() == 'd' || body.back() == 'D' || body.back() == 'f' || body.back() == 'F'))
    body.remove_suffix(1);
  if (body.empty()) return std::nullopt;
  for (char c : body)
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-'))
      return std::nullopt;
  double out = 0;
  auto [p, ec] = std::from_chars(body.data(), body.data() + body.size(), out);
  if (p != body.data() + body.size()) return std::nullopt;
  if (ec == std::errc::result_out_of_range) {
    // Java rounds to infinity or zero rather than failing.
    out = std::strtod(std::string(body).c_str(), nullptr);
  } else if (ec != std::errc()) {
    return std::nullopt;
  }
  return neg ? -out : out;
}

std::string base64_encode(std::string_view data) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 2 < data.size(); i += 3) {
    uint32_t n = (static_cast<uint8_t>(data[i]) << 16) | (static_cast<uint8_t>(data[i + 1]) << 8) |
                 static_cast<uint8_t>(data[i + 2]);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  if (i + 1 == data.size()) {
    uint32_t n = static_cast<uint8_t>(data[i]) << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (i + 2 == data.size()) {
    uint32_t n = (static_cast<uint8_t>(data[i]) << 16) | (static_cast<uint8_t>(data[i + 1]) << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

std::string iso_utc(int64_t millis, bool date_part, bool time_part) {
  constexpr int64_t kDay = 86400000;
  int64_t days = millis / kDay;
  int64_t rem = millis % kDay;
  if (rem < 0) {
    rem += kDay;
    --days;
  }
  // Civil-from-days (Howard Hinnant's algorithm), proleptic Gregorian.
  int64_t z = days + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  int64_t d = doy - (153 * mp + 2) / 5 + 1;
  int64_t m = mp < 10 ? mp + 3 : mp - 9;
  if (m <= 2) ++y;
  std::string out;
  if (date_part) out += fmt::format("{:04}-{:02}-{:02}", y, m, d);
  if (date_part && time_part) out += 'T';
  if (time_part)
    out += fmt::format("{:02}:{:02}:{:02}.{:03}Z", rem / 3600000, rem / 60000 % 60, rem / 1000 % 60, rem % 1000);
  return out;
}

std::string java_to_string(const Value& v) {
  struct V {
    std::string operator()(std::monostate) const { return "null"; }
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(int8_t i) const { return std::to_string(i); }
    std::string operator()(int16_t i) const { return std::to_string(i); }
    std::string operator()(int32_t i) const { return std::to_string(i); }
    std::string operator()(int64_t i) const { return std::to_string(i); }
    std::string operator()(float f) const { return java_float_string(f); }
    std::string operator()(double d) const { return java_double_string(d); }
    std::string operator()(const std::string& s) const { return s; }
    std::string operator()(const Bytes& b) const { return base64_encode(b.data); }
    std::string operator()(const Array&) const { return "[...]"; }
    std::string operator()(const MapEntries&) const { return "{...}"; }
    std::string operator()(const std::shared_ptr<StructValue>&) const { return "Struct{...}"; }
    std::string operator()(const Decimal& d) const { return d.to_string(); }
    std::string operator()(const Timestamp& t) const {
      // Values.dateFormatFor: a time when within the first day, a date when at midnight, else a timestamp.
      constexpr int64_t kDay = 86400000;
      if (t.millis < kDay) return iso_utc(t.millis, false, true);
      if (t.millis % kDay == 0) return iso_utc(t.millis, true, false);
      return iso_utc(t.millis, true, true);
    }
  };
  return std::visit(V{}, v.storage());
}

}  // namespace connectrun::transforms
