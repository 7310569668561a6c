#include "connectors/jdbc/db.h"

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "connectors/jdbc/connection_url.h"
#include "plugin/connect_error.h"

namespace connectrun::jdbc {

std::unique_ptr<Connection> connect_sqlite(const ConnectionUrl& url, const ConnectOptions& options);
std::unique_ptr<Connection> connect_postgres(const ConnectionUrl& url, const ConnectOptions& options);
std::unique_ptr<Connection> connect_mariadb(const ConnectionUrl& url, const ConnectOptions& options);

std::string TableId::qualified() const {
  std::string out;
  for (auto* part : {&catalog, &schema, &table}) {
    if (part->empty()) continue;
    if (!out.empty()) out += '.';
    out += *part;
  }
  return out;
}

std::string Dialect::quote_id(const std::string& id, bool quoted) const {
  if (!quoted) return id;
  std::string out(1, quote);
  for (char c : id) {
    if (c == quote) out += quote;
    out += c;
  }
  out += quote;
  return out;
}

std::string Dialect::table_name(const TableId& t, bool quoted) const {
  std::string out;
  for (auto* part : {&t.catalog, &t.schema, &t.table}) {
    if (part->empty()) continue;
    if (!out.empty()) out += '.';
    out += quote_id(*part, quoted);
  }
  return out;
}

std::string Dialect::insert(const std::string& table, const std::vector<std::string>& keys,
                            const std::vector<std::string>& cols, size_t rows, bool upsert) const {
  std::vector<std::string> names(keys);
  names.insert(names.end(), cols.begin(), cols.end());
  return fmt::format("{} INTO {} ({}) VALUES {}{}", upsert ? upsert_verb() : "INSERT", table, fmt::join(names, ","),
                     values_rows(names.size(), rows), upsert ? upsert_clause(keys, cols) : "");
}

std::string Dialect::values_rows(size_t ncols, size_t rows) const {
  std::string out;
  size_t n = 0;
  for (size_t r = 0; r < rows; ++r) {
    out += r ? ",(" : "(";
    for (size_t c = 0; c < ncols; ++c) {
      if (c) out += ',';
      out += marker(n++);
    }
    out += ')';
  }
  return out;
}

std::unique_ptr<Connection> connect(const ConnectOptions& options) {
  ConnectionUrl url;
  try {
    url = parse_connection_url(options.url);
  } catch (const std::invalid_argument& e) {
    throw ConnectError(e.what());
  }
  switch (url.kind) {
    case DbKind::Sqlite: return connect_sqlite(url, options);
    case DbKind::Postgres: return connect_postgres(url, options);
    case DbKind::MySql: return connect_mariadb(url, options);
  }
  throw ConnectError("unknown database");
}

namespace {

using namespace std::chrono;

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

std::string ymd_text(int64_t days) {
  year_month_day ymd{sys_days{std::chrono::days{days}}};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                     static_cast<unsigned>(ymd.day()));
}

// Reads `n` digits at `p`; false when they are not all digits.
bool digits(std::string_view s, size_t p, size_t n, int& out) {
  if (p + n > s.size()) return false;
  out = 0;
  for (size_t i = p; i < p + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

}  // namespace

std::string format_date(int64_t epoch_ms) { return ymd_text(floor_div(epoch_ms, 86400000)); }

std::string format_time(int64_t ms) {
  ms = ((ms % 86400000) + 86400000) % 86400000;
  return fmt::format("{:02}:{:02}:{:02}.{:03}", ms / 3600000, ms / 60000 % 60, ms / 1000 % 60, ms % 1000);
}

std::string format_timestamp(int64_t epoch_ms) {
  return format_date(epoch_ms) + " " + format_time(epoch_ms - floor_div(epoch_ms, 86400000) * 86400000);
}

std::string format_timestamp_nanos(int64_t ns) {
  int64_t days = floor_div(ns, 86400000000000LL);
  int64_t of_day = ns - days * 86400000000000LL;
  int64_t sec = of_day / 1000000000;
  return fmt::format("{} {:02}:{:02}:{:02}.{:09}", ymd_text(days), sec / 3600, sec / 60 % 60, sec % 60,
                     of_day % 1000000000);
}

std::optional<int64_t> parse_time_ms(std::string_view t) {
  int h, m, s;
  if (!digits(t, 0, 2, h) || t.size() < 8 || t[2] != ':' || !digits(t, 3, 2, m) || t[5] != ':' || !digits(t, 6, 2, s))
    return std::nullopt;
  int64_t ms = (h * 3600LL + m * 60 + s) * 1000;
  if (t.size() > 9 && t[8] == '.') {
    int64_t frac = 0, scale = 100;
    for (size_t i = 9; i < t.size() && t[i] >= '0' && t[i] <= '9'; ++i, scale /= 10) frac += (t[i] - '0') * scale;
    ms += frac;
  }
  return ms;
}

std::optional<int64_t> parse_timestamp_nanos(std::string_view t) {
  int y, mo, d;
  size_t p = 0;
  bool neg = false;
  if (!t.empty() && t[0] == '-') { neg = true; p = 1; }
  size_t ylen = t.find('-', p) - p;
  if (ylen < 4 || ylen > 6 || !digits(t, p, ylen, y)) return std::nullopt;
  if (neg) y = -y;
  p += ylen;
  if (t.size() < p + 6 || t[p] != '-' || !digits(t, p + 1, 2, mo) || t[p + 3] != '-' || !digits(t, p + 4, 2, d))
    return std::nullopt;
  p += 6;
  year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  int64_t ns = static_cast<int64_t>(sys_days{ymd}.time_since_epoch().count()) * 86400000000000LL;
  if (p < t.size() && (t[p] == ' ' || t[p] == 'T')) {
    int h, mi, s;
    if (!digits(t, p + 1, 2, h) || t.size() < p + 9 || !digits(t, p + 4, 2, mi) || !digits(t, p + 7, 2, s))
      return std::nullopt;
    ns += (h * 3600LL + mi * 60 + s) * 1000000000LL;
    p += 9;
    if (p < t.size() && t[p] == '.') {
      int64_t scale = 100000000;
      for (++p; p < t.size() && t[p] >= '0' && t[p] <= '9'; ++p, scale /= 10) ns += (t[p] - '0') * scale;
    }
  }
  if (p < t.size() && (t[p] == '+' || t[p] == '-')) {
    int oh = 0, om = 0;
    if (!digits(t, p + 1, 2, oh)) return std::nullopt;
    size_t q = p + 3;
    if (q < t.size() && t[q] == ':') ++q;
    if (q + 2 <= t.size()) digits(t, q, 2, om);
    int64_t off = (oh * 3600LL + om * 60) * 1000000000LL;
    ns += t[p] == '+' ? -off : off;
  }
  return ns;
}

Decimal decimal_at_scale(const std::string& text, int scale) {
  std::string s = text;
  bool neg = !s.empty() && s[0] == '-';
  if (neg || (!s.empty() && s[0] == '+')) s = s.substr(1);
  // Exponent form (SQLite REALs print as 1.5e+20).
  int exp = 0;
  if (auto e = s.find_first_of("eE"); e != std::string::npos) {
    exp = std::atoi(s.c_str() + e + 1);
    s.resize(e);
  }
  auto dot = s.find('.');
  std::string intpart = s.substr(0, dot), frac = dot == std::string::npos ? "" : s.substr(dot + 1);
  std::string digits_all = intpart + frac;
  int point = static_cast<int>(intpart.size()) + exp;  // digits before the point
  // Want point + scale digits in total.
  int want = point + scale;
  bool round_up = false;
  if (want < 0) {
    digits_all = "0";
  } else if (static_cast<int>(digits_all.size()) > want) {
    round_up = digits_all[static_cast<size_t>(want)] >= '5';
    digits_all.resize(static_cast<size_t>(want));
  } else {
    digits_all.append(static_cast<size_t>(want) - digits_all.size(), '0');
  }
  if (digits_all.empty()) digits_all = "0";
  if (round_up) {
    int i = static_cast<int>(digits_all.size()) - 1;
    while (i >= 0 && digits_all[static_cast<size_t>(i)] == '9') digits_all[static_cast<size_t>(i--)] = '0';
    if (i < 0) digits_all.insert(digits_all.begin(), '1');
    else ++digits_all[static_cast<size_t>(i)];
  }
  // Decimal::from_string takes "-123.45": rebuild with the point.
  std::string out = neg ? "-" : "";
  if (scale > 0) {
    if (digits_all.size() <= static_cast<size_t>(scale)) digits_all.insert(0, static_cast<size_t>(scale) + 1 - digits_all.size(), '0');
    out += digits_all.substr(0, digits_all.size() - static_cast<size_t>(scale)) + "." +
           digits_all.substr(digits_all.size() - static_cast<size_t>(scale));
  } else {
    out += digits_all;
  }
  Decimal d = Decimal::from_string(out);
  d.scale = scale;  // from_string("-0") etc. keep the scale asked for
  return d;
}

namespace {
// A number as the database's text gives it, read without a string of its own; nullopt when the
// text is anything but the bare number (then the std::sto* functions below read it as before).
template <class T>
std::optional<T> plain_number(const char* text, size_t len) {
  T x{};
  auto [end, ec] = std::from_chars(text, text + len, x);
  if (ec != std::errc() || end != text + len) return std::nullopt;
  return x;
}
}  // namespace

Value value_from_text(const Column& c, const char* text, size_t len, int64_t* nanos) {
  switch (c.kind) {
    // As std::stoi and std::stol below: an int (32 bits) for the small types, a long (64) for INT32.
    case ColKind::Int8:
      if (auto x = plain_number<int32_t>(text, len)) return Value(static_cast<int8_t>(*x));
      break;
    case ColKind::Int16:
      if (auto x = plain_number<int32_t>(text, len)) return Value(static_cast<int16_t>(*x));
      break;
    case ColKind::Int32:
      if (auto x = plain_number<int64_t>(text, len)) return Value(static_cast<int32_t>(*x));
      break;
    case ColKind::Int64:
      if (auto x = plain_number<int64_t>(text, len)) return Value(*x);
      break;
    // Dates and times are read in place (no string of their own: a timestamp's text is past the
    // short-string buffer).
    case ColKind::Date:
      if (auto ns = parse_timestamp_nanos({text, len})) return Value(Timestamp{*ns / 1000000});
      break;
    case ColKind::Time:
      if (auto ms = parse_time_ms({text, len})) return Value(Timestamp{*ms});
      break;
    case ColKind::Timestamp:
      if (auto ns = parse_timestamp_nanos({text, len})) {
        if (nanos) *nanos = *ns;
        return Value(Timestamp{floor_div(*ns, 1000000)});
      }
      break;
    default: break;
  }
  std::string s(text, len);
  try {
    switch (c.kind) {
      case ColKind::Boolean: return Value(s == "t" || s == "true" || s == "1");
      case ColKind::Int8: return Value(static_cast<int8_t>(std::stoi(s)));
      case ColKind::Int16: return Value(static_cast<int16_t>(std::stoi(s)));
      case ColKind::Int32: return Value(static_cast<int32_t>(std::stol(s)));
      case ColKind::Int64: return Value(static_cast<int64_t>(std::stoll(s)));
      case ColKind::Float32: return Value(std::stof(s));
      case ColKind::Float64: return Value(std::stod(s));
      case ColKind::Decimal: return Value(decimal_at_scale(s, c.scale));
      case ColKind::String: return Value(std::move(s));
      case ColKind::Bytes: return Value(Bytes{std::move(s)});
      case ColKind::Date: case ColKind::Time: case ColKind::Timestamp: break;  // not readable (above)
      case ColKind::Unsupported: return Value();
    }
  } catch (const std::exception&) {
  }
  throw ConnectError(fmt::format("column {} ({}): cannot read the value '{}'", c.name, c.db_type, s));
}

bool append_bulk_text(std::string& out, const Value& v, const char* db, const char (&truth)[3]) {
  // Runs of plain bytes are appended whole (text rarely holds a byte to escape), passed over eight bytes at
  // a time while none is below 0x0E (tab, line ends) or a backslash (SWAR: no false negatives; a false
  // positive only sends that word through the byte test).
  auto escaped = [&](const char* p, size_t n) {
    constexpr uint64_t kOnes = 0x0101010101010101ULL, kHigh = 0x8080808080808080ULL;
    auto has_less = [](uint64_t x, uint64_t below) { return (x - kOnes * below) & ~x & kHigh; };
    size_t from = 0;
    for (size_t i = 0; i < n; ++i) {
      while (i + 8 <= n) {
        uint64_t w;
        std::memcpy(&w, p + i, 8);
        if (has_less(w, 0x0E) | has_less(w ^ (kOnes * '\\'), 1)) break;
        i += 8;
      }
      if (i >= n) break;
      const char ch = p[i];
      const char* esc = ch == '\\' ? "\\\\" : ch == '\t' ? "\\t" : ch == '\n' ? "\\n" : ch == '\r' ? "\\r" : nullptr;
      if (!esc) continue;
      out.append(p + from, i - from);
      out.append(esc, 2);
      from = i + 1;
    }
    out.append(p + from, n - from);
  };
  if (v.is_null()) { out += "\\N"; return true; }
  if (auto* s = v.get_if<std::string>()) { escaped(s->data(), s->size()); return true; }
  if (v.get_if<Bytes>()) return false;
  if (auto* d = v.get_if<Decimal>()) { out += d->to_string(); return true; }
  if (auto* x = v.get_if<bool>()) { out += truth[*x ? 1 : 0]; return true; }
  if (auto* ts = v.get_if<Timestamp>()) { out += format_timestamp(ts->millis); return true; }
  std::visit([&](const auto& n) {
    using T = std::decay_t<decltype(n)>;
    if constexpr (std::is_integral_v<T>) {
      char digits[24];
      auto end = std::to_chars(digits, digits + sizeof digits, static_cast<int64_t>(n)).ptr;
      out.append(digits, end);
    } else if constexpr (std::is_arithmetic_v<T>) {
      fmt::format_to(std::back_inserter(out), "{}", n);
    } else {
      throw ConnectError(fmt::format("{}: a value of an unsupported type (array, map or struct)", db));
    }
  }, v.storage());
  return true;
}

}  // namespace connectrun::jdbc
