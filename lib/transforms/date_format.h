// java.text.SimpleDateFormat in UTC, on ICU's SimpleDateFormat (which reads
// Java's pattern letters), for TimestampConverter and TimestampRouter.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>


namespace connectrun::transforms {

class JavaDateFormat {
 public:
  // Throws std::invalid_argument with Java's message ("Illegal pattern character 'q'") for a bad pattern.
  explicit JavaDateFormat(std::string_view pattern);
  ~JavaDateFormat();
  JavaDateFormat(JavaDateFormat&&) noexcept;
  JavaDateFormat& operator=(JavaDateFormat&&) noexcept;

  const std::string& pattern() const { return pattern_; }
  std::string format(int64_t millis) const;
  // Lenient, like Java's DateFormat.parse: nullopt only when nothing at the start could be read.
  std::optional<int64_t> parse(std::string_view text) const;

 private:
  struct Impl;
  std::string pattern_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace connectrun::transforms
