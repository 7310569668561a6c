#include "transforms/date_format.h"

#include <unicode/smpdtfmt.h>
#include <unicode/timezone.h>

#include <stdexcept>

#include <fmt/format.h>

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
}  // namespace

struct JavaDateFormat::Impl {
  std::unique_ptr<icu::SimpleDateFormat> format;
};

JavaDateFormat::JavaDateFormat(std::string_view pattern) : pattern_(pattern), impl_(std::make_unique<Impl>()) {
  check_java_pattern(pattern);
  UErrorCode status = U_ZERO_ERROR;
  impl_->format = std::make_unique<icu::SimpleDateFormat>(
      icu::UnicodeString::fromUTF8(icu::StringPiece(pattern.data(), static_cast<int32_t>(pattern.size()))),
      icu::Locale("en", "US"), status);
  if (U_FAILURE(status)) throw std::invalid_argument(fmt::format("Illegal pattern: {} ({})", pattern, u_errorName(status)));
  impl_->format->adoptTimeZone(icu::TimeZone::createTimeZone("UTC"));
  impl_->format->setLenient(true);
  // Java's GregorianCalendar switches to the Julian calendar before 1582-10-15, as ICU's does by default.
}

JavaDateFormat::~JavaDateFormat() = default;
JavaDateFormat::JavaDateFormat(JavaDateFormat&&) noexcept = default;
JavaDateFormat& JavaDateFormat::operator=(JavaDateFormat&&) noexcept = default;

std::string JavaDateFormat::format(int64_t millis) const {
  icu::UnicodeString out;
  impl_->format->format(static_cast<UDate>(millis), out);
  std::string text;
  out.toUTF8String(text);
  return text;
}

std::optional<int64_t> JavaDateFormat::parse(std::string_view text) const {
  icu::UnicodeString in =
      icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  icu::ParsePosition pos(0);
  UDate d = impl_->format->parse(in, pos);
  if (pos.getIndex() == 0) return std::nullopt;
  return static_cast<int64_t>(d);
}

}  // namespace connectrun::transforms
