#define PCRE2_CODE_UNIT_WIDTH 8
#include "transforms/regex.h"

#include <pcre2.h>

#include <stdexcept>
#include <vector>

#include <fmt/format.h>

namespace connectrun::transforms {

namespace {
struct MatchDataFree {
  void operator()(pcre2_match_data* d) const { pcre2_match_data_free(d); }
};
using MatchData = std::unique_ptr<pcre2_match_data, MatchDataFree>;

std::variant<pcre2_code*, std::string> compile(std::string_view pattern) {
  int error = 0;
  PCRE2_SIZE offset = 0;
  pcre2_code* code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(pattern.data()), pattern.size(), PCRE2_UTF, &error,
                                   &offset, nullptr);
  if (!code) {
    PCRE2_UCHAR buf[256];
    pcre2_get_error_message(error, buf, sizeof buf);
    return fmt::format("Invalid regex: {} near index {}: {}", reinterpret_cast<const char*>(buf), offset, pattern);
  }
  return code;
}
}  // namespace

void JavaRegex::Free::operator()(pcre2_real_code_8* code) const { pcre2_code_free(code); }

JavaRegex::JavaRegex(std::string_view pattern, const std::string& key) {
  auto r = compile(pattern);
  if (auto* err = std::get_if<std::string>(&r)) throw config::ConfigError(key, *err);
  code_ = std::shared_ptr<pcre2_real_code_8>(std::get<pcre2_code*>(r), Free{});
}

std::optional<std::string> JavaRegex::check(std::string_view pattern) {
  auto r = compile(pattern);
  if (auto* err = std::get_if<std::string>(&r)) return *err;
  pcre2_code_free(std::get<pcre2_code*>(r));
  return std::nullopt;
}

bool JavaRegex::full_match(std::string_view subject) const {
  MatchData md(pcre2_match_data_create_from_pattern(code_.get(), nullptr));
  int rc = pcre2_match(code_.get(), reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0,
                       PCRE2_ANCHORED | PCRE2_ENDANCHORED, md.get(), nullptr);
  return rc >= 0;
}

std::string JavaRegex::replace_first(std::string_view subject, std::string_view replacement) const {
  MatchData md(pcre2_match_data_create_from_pattern(code_.get(), nullptr));
  int rc = pcre2_match(code_.get(), reinterpret_cast<PCRE2_SPTR>(subject.data()), subject.size(), 0, 0, md.get(),
                       nullptr);
  if (rc < 0) return std::string(subject);
  PCRE2_SIZE* ov = pcre2_get_ovector_pointer(md.get());
  uint32_t groups = 0;
  pcre2_pattern_info(code_.get(), PCRE2_INFO_CAPTURECOUNT, &groups);
  auto group_text = [&](uint32_t g) -> std::string_view {
    if (ov[2 * g] == PCRE2_UNSET) return {};  // Java appends nothing for a group that did not participate
    return subject.substr(ov[2 * g], ov[2 * g + 1] - ov[2 * g]);
  };
  std::string out(subject.substr(0, ov[0]));
  // Matcher.appendReplacement's syntax: `\x` is a literal x, `$n` takes as many digits as form a valid group,
  // `${name}` a named group.
  for (size_t i = 0; i < replacement.size(); ++i) {
    char c = replacement[i];
    if (c == '\\') {
      if (++i >= replacement.size()) throw std::invalid_argument("character to be escaped is missing");
      out.push_back(replacement[i]);
    } else if (c == '$') {
      if (++i >= replacement.size()) throw std::invalid_argument("Illegal group reference: group index is missing");
      if (replacement[i] == '{') {
        size_t close = replacement.find('}', i);
        if (close == std::string_view::npos) throw std::invalid_argument("named capturing group is missing trailing '}'");
        std::string name(replacement.substr(i + 1, close - i - 1));
        int n = pcre2_substring_number_from_name(code_.get(), reinterpret_cast<PCRE2_SPTR>(name.c_str()));
        if (n < 0) throw std::invalid_argument(fmt::format("No group with name {{{}}}", name));
        out.append(group_text(static_cast<uint32_t>(n)));
        i = close;
      } else if (std::isdigit(static_cast<unsigned char>(replacement[i]))) {
        uint32_t g = static_cast<uint32_t>(replacement[i] - '0');
        if (g > groups) throw std::invalid_argument(fmt::format("No group {}", g));
        while (i + 1 < replacement.size() && std::isdigit(static_cast<unsigned char>(replacement[i + 1]))) {
          uint32_t next = g * 10 + static_cast<uint32_t>(replacement[i + 1] - '0');
          if (next > groups) break;
          g = next;
          ++i;
        }
        out.append(group_text(g));
      } else {
        throw std::invalid_argument("Illegal group reference");
      }
    } else {
      out.push_back(c);
    }
  }
  out.append(subject.substr(ov[1]));
  return out;
}

config::Validator regex_validator() {
  return config::Validator{[](const config::ConfigValue& v) -> std::optional<std::string> {
                             if (auto* s = std::get_if<std::string>(&v)) return JavaRegex::check(*s);
                             return std::nullopt;
                           },
                           "valid regex"};
}

}  // namespace connectrun::transforms
