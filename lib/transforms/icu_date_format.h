// ICU's SimpleDateFormat in UTC behind an interface free of ICU's headers:
// date_format.cpp's JavaDateFormat formats and parses through it. In the
// connectrun binary it is a module, modules/connectrun-icu.so, loaded when the
// first date format is built (TimestampConverter's format, TimestampRouter's
// timestamp.format), so a job without one maps none of ICU's libraries (its
// 30 MB data library among them). The tests link it in (icu_linked.cpp).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace connectrun::transforms {

class IcuDateFormat {
 public:
  virtual ~IcuDateFormat() = default;
  virtual std::string format(int64_t millis) const = 0;
  // Lenient; nullopt when nothing at the start of `text` could be read.
  virtual std::optional<int64_t> parse(std::string_view text) const = 0;
};

// `pattern` has passed Java's check (date_format.cpp). Throws
// std::invalid_argument when ICU refuses it, std::runtime_error naming the
// module, dlopen's reason and the package when the ICU module cannot load.
std::unique_ptr<IcuDateFormat> make_icu_date_format(std::string_view pattern);

// The ICU implementation itself (icu_date_format.cpp), which make_icu_date_format returns.
std::unique_ptr<IcuDateFormat> new_icu_date_format(std::string_view pattern);

}  // namespace connectrun::transforms
