#include "transforms/icu_date_format.h"

#include <unicode/smpdtfmt.h>
#include <unicode/timezone.h>

#include <stdexcept>

#include <fmt/format.h>

namespace connectrun::transforms {

namespace {

class IcuSimpleDateFormat final : public IcuDateFormat {
 public:
  explicit IcuSimpleDateFormat(std::string_view pattern) {
    UErrorCode status = U_ZERO_ERROR;
    format_ = std::make_unique<icu::SimpleDateFormat>(
        icu::UnicodeString::fromUTF8(icu::StringPiece(pattern.data(), static_cast<int32_t>(pattern.size()))),
        icu::Locale("en", "US"), status);
    if (U_FAILURE(status))
      throw std::invalid_argument(fmt::format("Illegal pattern: {} ({})", pattern, u_errorName(status)));
    format_->adoptTimeZone(icu::TimeZone::createTimeZone("UTC"));
    format_->setLenient(true);
    // Java's GregorianCalendar switches to the Julian calendar before 1582-10-15, as ICU's does by default.
  }

  std::string format(int64_t millis) const override {
    icu::UnicodeString out;
    format_->format(static_cast<UDate>(millis), out);
    std::string text;
    out.toUTF8String(text);
    return text;
  }

  std::optional<int64_t> parse(std::string_view text) const override {
    icu::UnicodeString in =
        icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
    icu::ParsePosition pos(0);
    UDate d = format_->parse(in, pos);
    if (pos.getIndex() == 0) return std::nullopt;
    return static_cast<int64_t>(d);
  }

 private:
  // Not thread-safe (ICU's SimpleDateFormat is not): one instance per pipeline thread.
  std::unique_ptr<icu::SimpleDateFormat> format_;
};

}  // namespace

std::unique_ptr<IcuDateFormat> new_icu_date_format(std::string_view pattern) {
  return std::make_unique<IcuSimpleDateFormat>(pattern);
}

}  // namespace connectrun::transforms
