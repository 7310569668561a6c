#include "converters/values.h"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include <fmt/format.h>

#include "json/base64.h"
#include "json/json_writer.h"

namespace connectrun::values {

namespace {
constexpr int64_t kMillisPerDay = 24LL * 60 * 60 * 1000;

// Howard Hinnant's civil-from-days (proleptic Gregorian, UTC).
void civil_from_days(int64_t z, int64_t& y, int64_t& m, int64_t& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = yoe + era * 400 + (m <= 2);
}

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

struct Civil {
  int64_t y, mo, d, h, mi, s, ms;
};
Civil to_civil(int64_t millis) {
  int64_t days = floor_div(millis, kMillisPerDay);
  int64_t rem = millis - days * kMillisPerDay;
  Civil c{};
  civil_from_days(days, c.y, c.mo, c.d);
  c.h = rem / 3600000;
  c.mi = rem / 60000 % 60;
  c.s = rem / 1000 % 60;
  c.ms = rem % 1000;
  return c;
}

// Values.dateFormatFor: time-only below one day, date-only at midnight.
void append_date(std::string& out, int64_t millis) {
  Civil c = to_civil(millis);
  auto it = std::back_inserter(out);
  if (millis < kMillisPerDay) fmt::format_to(it, "{:02}:{:02}:{:02}.{:03}Z", c.h, c.mi, c.s, c.ms);
  else if (millis % kMillisPerDay == 0) fmt::format_to(it, "{:04}-{:02}-{:02}", c.y, c.mo, c.d);
  else fmt::format_to(it, "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", c.y, c.mo, c.d, c.h, c.mi, c.s, c.ms);
}

// Values.escape: backslashes and double quotes inside embedded strings.
void append_escaped(std::string& out, std::string_view s) {
  for (char c : s) {
    if (c == '\\' || c == '"') out.push_back('\\');
    out.push_back(c);
  }
}
}  // namespace

std::string java_date_string(int64_t millis) {
  static constexpr const char* kDays[] = {"Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"};  // 1970-01-01 was a Thursday
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  Civil c = to_civil(millis);
  int64_t days = floor_div(millis, kMillisPerDay);
  int64_t dow = ((days % 7) + 7) % 7;
  return fmt::format("{} {} {:02} {:02}:{:02}:{:02} UTC {}", kDays[dow], kMonths[c.mo - 1], c.d, c.h, c.mi, c.s, c.y);
}

void append_string(std::string& out, const Value& v, bool embedded) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          out.append("null");
        } else if constexpr (std::is_same_v<T, bool>) {
          out.append(x ? "true" : "false");
        } else if constexpr (std::is_same_v<T, float>) {
          append_java_float(out, x);
        } else if constexpr (std::is_same_v<T, double>) {
          append_java_double(out, x);
        } else if constexpr (std::is_integral_v<T>) {
          append_integer(out, x);
        } else if constexpr (std::is_same_v<T, std::string>) {
          if (!embedded) {
            out.append(x);
          } else {
            out.push_back('"');
            append_escaped(out, x);
            out.push_back('"');
          }
        } else if constexpr (std::is_same_v<T, Bytes>) {
          if (embedded) out.push_back('"');
          base64::encode(out, x.data);
          if (embedded) out.push_back('"');
        } else if constexpr (std::is_same_v<T, Array>) {
          out.push_back('[');
          for (size_t i = 0; i < x.size(); ++i) {
            if (i) out.push_back(',');
            append_string(out, x[i], true);
          }
          out.push_back(']');
        } else if constexpr (std::is_same_v<T, MapEntries>) {
          out.push_back('{');
          bool first = true;
          for (auto& [k, val] : x) {
            if (!first) out.push_back(',');
            first = false;
            append_string(out, k, true);
            out.push_back(':');
            append_string(out, val, true);
          }
          out.push_back('}');
        } else if constexpr (std::is_same_v<T, std::shared_ptr<StructValue>>) {
          out.push_back('{');
          const auto& fields = x->schema->fields;
          for (size_t i = 0; i < fields.size(); ++i) {
            if (i) out.push_back(',');
            out.push_back('"');
            append_escaped(out, fields[i].name);
            out.append("\":");
            const Value& fv = x->values[i];
            // Struct.get(field) falls back to the field's default.
            const Value& shown = (fv.is_null() && fields[i].schema->default_value) ? *fields[i].schema->default_value : fv;
            append_string(out, shown, true);
          }
          out.push_back('}');
        } else if constexpr (std::is_same_v<T, Decimal>) {
          append_big_decimal(out, x);
        } else if constexpr (std::is_same_v<T, Timestamp>) {
          append_date(out, x.millis);
        }
      },
      v.storage());
}

std::string convert_to_string(const Value& v) {
  std::string out;
  append_string(out, v);
  return out;
}

}  // namespace connectrun::values
