#include "transforms/date_format.h"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include <fmt/format.h>

#include "transforms/icu_date_format.h"

namespace connectrun::transforms {

namespace {
// The pattern letters java.text.SimpleDateFormat accepts; ICU accepts more (q, Q, e, c, …) that
// Java refuses, so the pattern is checked the way Java's compiler checks it first.
constexpr std::string_view kJavaLetters = "GyMdkHmsSEDFwWahKzZYuXL";

void check_java_pattern(std::string_view p) {
  bool quoted = false;
  for (size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '\'') {
      if (i + 1 < p.size() && p[i + 1] == '\'') {
        ++i;
        continue;
      }
      quoted = !quoted;
      continue;
    }
    if (quoted) continue;
    if (((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) && kJavaLetters.find(c) == std::string_view::npos)
      throw std::invalid_argument(fmt::format("Illegal pattern character '{}'", c));
  }
  if (quoted) throw std::invalid_argument("Unterminated quote");
}

struct Element {
  char letter = 0;  // 0 = literal text
  int count = 0;
  std::string literal;
};

std::vector<Element> tokenize(std::string_view p) {
  std::vector<Element> out;
  bool quoted = false;
  for (size_t i = 0; i < p.size(); ++i) {
    char c = p[i];
    if (c == '\'') {
      if (i + 1 < p.size() && p[i + 1] == '\'') {
        if (out.empty() || out.back().letter) out.push_back({});
        out.back().literal.push_back('\'');
        ++i;
      } else {
        quoted = !quoted;
      }
      continue;
    }
    bool letter = !quoted && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));
    if (letter) {
      if (!out.empty() && out.back().letter == c) ++out.back().count;
      else out.push_back({c, 1, {}});
    } else {
      if (out.empty() || out.back().letter) out.push_back({});
      out.back().literal.push_back(c);
    }
  }
  return out;
}

// Java's lenient parse of purely numeric patterns (y, M, d, H, k, m, s, S): out-of-range fields roll over
// ("25:61" is the next day's 02:01), which ICU refuses. nullopt = not such a pattern; {nullopt} = no match.
std::optional<std::optional<int64_t>> lenient_numeric(const std::vector<Element>& elements, std::string_view text) {
  for (auto& e : elements) {
    if (!e.letter) continue;
    if (std::string_view("yMdHkmsS").find(e.letter) == std::string_view::npos) return std::nullopt;
    if ((e.letter == 'M' && e.count > 2) || (e.letter == 'y' && e.count == 2)) return std::nullopt;
  }
  int64_t year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, millis = 0;
  size_t pos = 0;
  for (size_t i = 0; i < elements.size(); ++i) {
    const Element& e = elements[i];
    if (!e.letter) {
      if (text.substr(pos, e.literal.size()) != e.literal) return std::optional<int64_t>{};
      pos += e.literal.size();
      continue;
    }
    bool abutting = i + 1 < elements.size() && elements[i + 1].letter;
    size_t end = pos;
    while (end < text.size() && std::isdigit(static_cast<unsigned char>(text[end])) &&
           (!abutting || end - pos < static_cast<size_t>(e.count)))
      ++end;
    if (end == pos || end - pos > 18) return std::optional<int64_t>{};
    int64_t v = std::stoll(std::string(text.substr(pos, end - pos)));
    pos = end;
    switch (e.letter) {
      case 'y': year = v; break;
      case 'M': month = v; break;
      case 'd': day = v; break;
      case 'H': hour = v; break;
      case 'k': hour = v == 24 ? 0 : v; break;
      case 'm': minute = v; break;
      case 's': second = v; break;
      case 'S': millis = v; break;
    }
  }
  int64_t months = year * 12 + (month - 1);
  int64_t y = months >= 0 ? months / 12 : (months - 11) / 12;
  int64_t m = months - y * 12 + 1;
  // days_from_civil (Howard Hinnant), proleptic Gregorian.
  y -= m <= 2;
  int64_t era = (y >= 0 ? y : y - 399) / 400;
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  int64_t days = era * 146097 + doe - 719468 + (day - 1);
  return std::optional<int64_t>{days * 86400000 + hour * 3600000 + minute * 60000 + second * 1000 + millis};
}

// The span of time over which the formatted text cannot change, from the finest
// field the pattern prints (in UTC: no daylight saving, no leap seconds). A
// pattern of date letters only, like TimestampRouter's yyyyMMdd, prints the same
// text for a whole day, so consecutive records can reuse the last text instead
// of going through ICU again (the ICU call is most of a record's routing cost).
int64_t granularity_ms(std::string_view pattern) {
  int64_t g = 86400000;
  for (const Element& e : tokenize(pattern)) {
    switch (e.letter) {
      case 0: case 'G': case 'y': case 'Y': case 'u': case 'M': case 'L': case 'd': case 'D': case 'E':
      case 'F': case 'w': case 'W': case 'z': case 'Z': case 'X':
        break;
      case 'H': case 'k': case 'K': case 'h': case 'a': g = std::min<int64_t>(g, 3600000); break;
      case 'm': g = std::min<int64_t>(g, 60000); break;
      case 's': g = std::min<int64_t>(g, 1000); break;
      default: g = 1; break;  // 'S' and anything else: every millisecond may differ
    }
  }
  return g;
}

int64_t floor_div(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
}  // namespace

struct JavaDateFormat::Impl {
  // ICU's SimpleDateFormat (icu_date_format.h: a module in the connectrun binary, loaded here on first use).
  std::unique_ptr<IcuDateFormat> format;
  int64_t granularity = 1;
  // The last text formatted and the granularity bucket it holds for. ICU's
  // SimpleDateFormat is not thread-safe either: one instance per pipeline thread.
  std::optional<int64_t> last_bucket;
  std::string last_text;
};


JavaDateFormat::JavaDateFormat(std::string_view pattern) : pattern_(pattern), impl_(std::make_unique<Impl>()) {
  check_java_pattern(pattern);
  impl_->format = make_icu_date_format(pattern);
  impl_->granularity = granularity_ms(pattern);
}

JavaDateFormat::~JavaDateFormat() = default;
JavaDateFormat::JavaDateFormat(JavaDateFormat&&) noexcept = default;
JavaDateFormat& JavaDateFormat::operator=(JavaDateFormat&&) noexcept = default;

std::string JavaDateFormat::format(int64_t millis) const {
  int64_t bucket = floor_div(millis, impl_->granularity);
  if (impl_->last_bucket == bucket) return impl_->last_text;
  std::string text = impl_->format->format(millis);
  impl_->last_bucket = bucket;
  impl_->last_text = text;
  return text;
}

std::optional<int64_t> JavaDateFormat::parse(std::string_view text) const {
  if (auto numeric = lenient_numeric(tokenize(pattern_), text)) return *numeric;
  return impl_->format->parse(text);
}

}  // namespace connectrun::transforms
