// UTF-8 as Java decodes it: `new String(bytes, UTF_8)` replaces each malformed
// sequence with U+FFFD, one per maximal invalid subsequence (JDK 17's
// String.decodeUTF8_UTF16). Kafka's strings are Java strings, so they are
// always valid; connectrun's strings are bytes and may not be.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace connectrun::utf8 {

inline constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// The sequence starting at s[i] (a byte >= 0x80): its length when it is a
// valid UTF-8 character (2, 3 or 4), or 0 when it is malformed.
inline size_t valid_sequence(std::string_view s, size_t i) {
  auto at = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  auto cont = [](uint8_t b) { return (b & 0xC0) == 0x80; };
  size_t left = s.size() - i;
  uint8_t b1 = at(i);
  if (b1 >= 0xC2 && b1 <= 0xDF) return left >= 2 && cont(at(i + 1)) ? 2 : 0;
  if (b1 >= 0xE0 && b1 <= 0xEF) {
    if (left < 3 || !cont(at(i + 1)) || !cont(at(i + 2))) return 0;
    uint8_t b2 = at(i + 1);
    if (b1 == 0xE0 && b2 < 0xA0) return 0;   // overlong
    if (b1 == 0xED && b2 >= 0xA0) return 0;  // a surrogate
    return 3;
  }
  if (b1 >= 0xF0 && b1 <= 0xF4) {
    if (left < 4 || !cont(at(i + 1)) || !cont(at(i + 2)) || !cont(at(i + 3))) return 0;
    uint8_t b2 = at(i + 1);
    if (b1 == 0xF0 && b2 < 0x90) return 0;   // overlong
    if (b1 == 0xF4 && b2 >= 0x90) return 0;  // beyond U+10FFFF
    return 4;
  }
  return 0;
}

// How many bytes of the malformed sequence at s[i] one U+FFFD replaces (>= 1),
// exactly as JDK 17's String decoder counts them (the slow path: call it only
// where valid_sequence() returned 0).
size_t malformed_length(std::string_view s, size_t i);

// Whether `s` is valid UTF-8 (an ASCII check, then simdjson's SIMD validator).
bool is_valid(std::string_view s);
// Only ASCII bytes: the common case, checked before the full validation.
bool is_ascii(std::string_view s);
// `s` with each malformed sequence replaced as Java does; valid input comes
// back unchanged after one fast validation.
std::string to_valid(std::string_view s);
// Appends `s` to `out` with each malformed sequence replaced.
void append_replacing(std::string& out, std::string_view s);

}  // namespace connectrun::utf8
