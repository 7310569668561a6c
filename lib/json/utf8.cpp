#include "json/utf8.h"

#include <simdjson.h>

namespace connectrun::utf8 {

size_t malformed_length(std::string_view s, size_t i) {
  auto at = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  auto cont = [](uint8_t b) { return (b & 0xC0) == 0x80; };
  size_t left = s.size() - i;
  uint8_t b1 = at(i);
  if (b1 >= 0xE0 && b1 <= 0xEF) {
    if (left >= 3) {
      uint8_t b2 = at(i + 1);
      // Overlong, a lone lead or a surrogate (ED A0..BF): the lead byte alone.
      if ((b1 == 0xE0 && b2 < 0xA0) || !cont(b2) || cont(at(i + 2))) return 1;
      return 2;  // lead and one continuation, then a byte that is not one
    }
    // Cut short by the end of the input: a valid prefix is one U+FFFD.
    if (left == 2 && ((b1 == 0xE0 && at(i + 1) < 0xA0) || !cont(at(i + 1)))) return 1;
    return left;
  }
  if (b1 >= 0xF0 && b1 <= 0xF7) {
    auto bad_second = [&](uint8_t b2) {
      return b1 > 0xF4 || (b1 == 0xF0 && (b2 < 0x90 || b2 > 0xBF)) || (b1 == 0xF4 && (b2 & 0xF0) != 0x80) || !cont(b2);
    };
    if (left >= 4) {
      if (bad_second(at(i + 1))) return 1;
      return cont(at(i + 2)) ? 3 : 2;
    }
    if (b1 > 0xF4 || (left >= 2 && bad_second(at(i + 1)))) return 1;
    if (left == 3 && !cont(at(i + 2))) return 2;
    return left;
  }
  return 1;  // a stray continuation, C0/C1, F8..FF, or a two-byte lead without its continuation
}

bool is_valid(std::string_view s) { return simdjson::validate_utf8(s.data(), s.size()); }

void append_replacing(std::string& out, std::string_view s) {
  size_t run = 0;
  for (size_t i = 0; i < s.size();) {
    if (static_cast<uint8_t>(s[i]) < 0x80) {
      ++i;
      continue;
    }
    if (size_t n = valid_sequence(s, i)) {
      i += n;
      continue;
    }
    out.append(s, run, i - run);
    out.append(kReplacement);
    i += malformed_length(s, i);
    run = i;
  }
  out.append(s, run, std::string_view::npos);
}

std::string to_valid(std::string_view s) {
  if (is_valid(s)) return std::string(s);
  std::string out;
  out.reserve(s.size() + 8);
  append_replacing(out, s);
  return out;
}

}  // namespace connectrun::utf8
