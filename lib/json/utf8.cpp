#include "json/utf8.h"

#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

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

// Thirty-two bytes a step, every block ORed together and the sign bits tested
// once: most text is ASCII, and simdjson's validator has a per-call cost
// (finding its implementation) that matters on ~100-byte lines.
bool is_ascii(std::string_view s) {
  const char* p = s.data();
  const size_t n = s.size();
#if defined(__SSE2__)
  auto load = [](const char* at) { return _mm_loadu_si128(reinterpret_cast<const __m128i*>(at)); };
  if (n >= 32) {
    // Two blocks a step; the last 32 bytes, overlapping the loop's, cover the rest.
    __m128i a = load(p + n - 32), b = load(p + n - 16);
    for (size_t i = 0; i + 32 <= n; i += 32) {
      a = _mm_or_si128(a, load(p + i));
      b = _mm_or_si128(b, load(p + i + 16));
    }
    return _mm_movemask_epi8(_mm_or_si128(a, b)) == 0;
  }
  if (n >= 16) return _mm_movemask_epi8(_mm_or_si128(load(p), load(p + n - 16))) == 0;
#endif
  uint64_t acc = 0;
  if (n < 8) {
    for (size_t i = 0; i < n; ++i) acc |= static_cast<uint8_t>(p[i]);
    return acc < 0x80;
  }
  auto word = [](const char* at) {
    uint64_t w;
    std::memcpy(&w, at, sizeof w);
    return w;
  };
  for (size_t i = 0; i + 8 <= n; i += 8) acc |= word(p + i);
  acc |= word(p + n - 8);
  return (acc & 0x8080808080808080ull) == 0;
}

bool is_valid(std::string_view s) { return is_ascii(s) || simdjson::validate_utf8(s.data(), s.size()); }

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
