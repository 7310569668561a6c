// Java-style regular expressions on PCRE2: Matcher.matches() (whole input)
// and Matcher.replaceFirst() with Java's `$1` / `${name}` replacement syntax.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "config/spec.h"

struct pcre2_real_code_8;

namespace connectrun::transforms {

class JavaRegex {
 public:
  // Throws config::ConfigError (for `key`) when the pattern does not compile.
  JavaRegex(std::string_view pattern, const std::string& key);
  // Error text for an invalid pattern, nullopt when it compiles (for config validators).
  static std::optional<std::string> check(std::string_view pattern);

  bool full_match(std::string_view subject) const;
  // Replaces the first match; throws std::invalid_argument for a bad group reference.
  std::string replace_first(std::string_view subject, std::string_view replacement) const;

 private:
  struct Free {
    void operator()(pcre2_real_code_8* code) const;
  };
  std::shared_ptr<pcre2_real_code_8> code_;  // immutable once compiled: shareable
};

// Validator for keys holding a regex.
config::Validator regex_validator();

}  // namespace connectrun::transforms
