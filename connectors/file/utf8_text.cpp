#include "connectors/file/utf8_text.h"

#include <cstdint>
#include <cstring>

#include "json/utf8.h"

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

std::string decode_utf8_line(std::string_view bytes) {
  if (utf8::is_valid(bytes)) return std::string(bytes);
  return replace_malformed_utf8(bytes);
}

}  // namespace connectrun::file
