#include "connectors/file/utf8_text.h"

#include <cstdint>
#include <cstring>

#include <simdjson.h>

namespace connectrun::file {

namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

bool continuation(uint8_t b) { return (b & 0xC0) == 0x80; }

// How many bytes, starting at a lead byte at `p`, one U+FFFD replaces when
// they do not form a character — or 0 when they do (then `*len` is its
// length). The rules are sun.nio.cs.UTF_8.Decoder's (malformedN and the
// checks before it); bytes past the end of the line read as its terminator,
// which is never a continuation byte, so a sequence cut short by the end of
// the line is malformed as it is in Java's stream.
size_t malformed_length(const uint8_t* p, size_t avail, size_t* len) {
  auto at = [&](size_t i) -> uint8_t { return i < avail ? p[i] : uint8_t{'\n'}; };
  const uint8_t b1 = p[0];
  if (b1 < 0x80) {
    *len = 1;
    return 0;
  }
  if (b1 >= 0xC2 && b1 <= 0xDF) {
    if (!continuation(at(1))) return 1;
    *len = 2;
    return 0;
  }
  if ((b1 & 0xF0) == 0xE0) {
    const uint8_t b2 = at(1), b3 = at(2);
    const bool overlong = b1 == 0xE0 && (b2 & 0xE0) == 0x80;
    if (overlong || !continuation(b2)) return 1;
    if (!continuation(b3)) return 2;
    // A surrogate (ED A0..BF xx) is one malformed 3-byte sequence in Java,
    // where Unicode's "maximal subpart" practice would replace each byte.
    if (b1 == 0xED && b2 >= 0xA0) return 3;
    *len = 3;
    return 0;
  }
  if ((b1 & 0xF8) == 0xF0) {
    const uint8_t b2 = at(1), b3 = at(2), b4 = at(3);
    if (b1 > 0xF4 || (b1 == 0xF0 && (b2 < 0x90 || b2 > 0xBF)) || (b1 == 0xF4 && (b2 & 0xF0) != 0x80) ||
        !continuation(b2))
      return 1;
    if (!continuation(b3)) return 2;
    if (!continuation(b4)) return 3;
    *len = 4;
    return 0;
  }
  return 1;  // 80..C1 and F8..FF never start a character
}

}  // namespace

std::string replace_malformed_utf8(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() + 8);
  const auto* p = reinterpret_cast<const uint8_t*>(bytes.data());
  size_t i = 0;
  const size_t n = bytes.size();
  while (i < n) {
    size_t len = 0;
    if (size_t bad = malformed_length(p + i, n - i, &len)) {
      out += kReplacement;
      i += bad < n - i ? bad : n - i;
      continue;
    }
    out.append(bytes.data() + i, len);
    i += len;
  }
  return out;
}

namespace {
// ASCII, eight bytes at a time: most lines are, and this costs a few
// instructions per word where simdjson's validator has a per-call overhead
// that matters on ~100-byte lines.
bool is_ascii(std::string_view s) {
  const char* p = s.data();
  const size_t n = s.size();
  auto word = [](const char* at) {
    uint64_t w;
    std::memcpy(&w, at, sizeof w);
    return w;
  };
  uint64_t acc = 0;
  if (n < 8) {
    for (size_t i = 0; i < n; ++i) acc |= static_cast<uint8_t>(p[i]);
    return acc < 0x80;
  }
  size_t i = 0;
  for (; i + 32 <= n; i += 32) acc |= word(p + i) | word(p + i + 8) | word(p + i + 16) | word(p + i + 24);
  for (; i + 8 <= n; i += 8) acc |= word(p + i);
  acc |= word(p + n - 8);  // the last bytes, overlapping what was read: no byte loop
  return (acc & 0x8080808080808080ull) == 0;
}
}  // namespace

std::string decode_utf8_line(std::string_view bytes) {
  if (is_ascii(bytes) || simdjson::validate_utf8(bytes.data(), bytes.size())) return std::string(bytes);
  return replace_malformed_utf8(bytes);
}

}  // namespace connectrun::file
