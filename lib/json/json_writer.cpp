#include "json/json_writer.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

#include <fmt/format.h>

#include "json/base64.h"
#include "json/utf8.h"

namespace connectrun {

namespace {
constexpr char kHex[] = "0123456789ABCDEF";

void append_u_escape(std::string& out, uint32_t unit) {
  out.append("\\u");
  out.push_back(kHex[(unit >> 12) & 0xF]);
  out.push_back(kHex[(unit >> 8) & 0xF]);
  out.push_back(kHex[(unit >> 4) & 0xF]);
  out.push_back(kHex[unit & 0xF]);
}

// Lays out shortest digits (from to_chars' scientific form) in Java's shape.
void append_java_shape(std::string& out, const char* sci, size_t len) {
  std::string_view s(sci, len);
  bool neg = !s.empty() && s[0] == '-';
  if (neg) s.remove_prefix(1);
  size_t e_pos = s.find('e');
  std::string_view mant = s.substr(0, e_pos);
  int exp = 0;
  std::string_view exp_text = s.substr(e_pos + 1);
  if (!exp_text.empty() && exp_text[0] == '+') exp_text.remove_prefix(1);
  std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exp);
  std::string digits;
  for (char c : mant)
    if (c != '.') digits.push_back(c);
  if (neg) out.push_back('-');
  if (digits == "0") {
    out.append("0.0");
    return;
  }
  // Java uses plain notation for 1e-3 <= |x| < 1e7, i.e. decimal exponents -3..6.
  if (exp >= -3 && exp < 7) {
    if (exp >= 0) {
      auto int_len = static_cast<size_t>(exp) + 1;
      if (digits.size() <= int_len) {
        out.append(digits);
        out.append(int_len - digits.size(), '0');
        out.append(".0");
      } else {
        out.append(digits, 0, int_len);
        out.push_back('.');
        out.append(digits, int_len, std::string::npos);
      }
    } else {
      out.append("0.");
      out.append(static_cast<size_t>(-exp - 1), '0');
      out.append(digits);
    }
    return;
  }
  out.push_back(digits[0]);
  out.push_back('.');
  if (digits.size() > 1) out.append(digits, 1, std::string::npos);
  else out.push_back('0');
  out.push_back('E');
  out.append(std::to_string(exp));
}

template <class F>
void append_java_floating(std::string& out, F x) {
  if (std::isnan(x)) {
    out.append("NaN");
    return;
  }
  if (std::isinf(x)) {
    out.append(x < 0 ? "-Infinity" : "Infinity");
    return;
  }
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::scientific);
  // Java never prints fewer than two significant digits in scientific form; a
  // one-digit shortest form becomes the correctly rounded two-digit one
  // (Double.MIN_VALUE is 4.9E-324, not 5.0E-324).
  std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));
  size_t e = sci.find('e');
  bool one_digit = e == (sci[0] == '-' ? 2u : 1u);
  int exp10 = 0;
  std::from_chars(sci.data() + e + (sci[e + 1] == '+' ? 2 : 1), sci.data() + sci.size(), exp10);
  if (one_digit && (exp10 < -3 || exp10 >= 7))
    res = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::scientific, 1);
  append_java_shape(out, buf, static_cast<size_t>(res.ptr - buf));
}
}  // namespace

// Each byte's class, one table load per byte instead of four comparisons (the
// sink writes every string of every record through here): 0 ASCII written as
// it is, 1 a byte of a non-ASCII BMP character (written raw once the text is
// known to be valid UTF-8), 2 escaped or checked (controls, '"', '\\', the
// lead byte of a supplementary character, bytes that are never valid).
constexpr std::array<uint8_t, 256> kByteClass = [] {
  std::array<uint8_t, 256> t{};
  for (int c = 0; c < 256; ++c)
    t[static_cast<size_t>(c)] = c < 0x20 || c == '"' || c == '\\' ? 2 : c < 0x80 ? 0 : c < 0xF0 ? 1 : 2;
  return t;
}();

namespace {
// Writes the character at s[i] that the fast loop stopped at; returns the
// position after it. `plain` is the highest byte class copied as is: raised
// to 1 when the rest of the text is valid UTF-8 (checked once, with SIMD);
// otherwise every non-ASCII byte comes here and is checked sequence by sequence.
[[gnu::noinline]] size_t append_special(std::string& out, std::string_view s, size_t i, uint8_t& plain, bool& checked) {
  auto c = static_cast<uint8_t>(s[i]);
  if (c >= 0x80 && !checked) {
    checked = true;
    if (utf8::is_valid(s.substr(i))) plain = 1;
    if (c < 0xF0 && plain == 1) {
      size_t n = utf8::valid_sequence(s, i);
      out.append(s, i, n);
      return i + n;
    }
  }
  size_t len = c >= 0x80 ? utf8::valid_sequence(s, i) : 1;
  if (len == 2 || len == 3) {
    out.append(s, i, len);
  } else if (len == 4) {
    // A supplementary character, escaped as a surrogate pair.
    uint32_t cp = ((c & 0x07u) << 18) | ((static_cast<uint8_t>(s[i + 1]) & 0x3Fu) << 12) |
                  ((static_cast<uint8_t>(s[i + 2]) & 0x3Fu) << 6) | (static_cast<uint8_t>(s[i + 3]) & 0x3Fu);
    cp -= 0x10000;
    append_u_escape(out, 0xD800 + (cp >> 10));
    append_u_escape(out, 0xDC00 + (cp & 0x3FF));
  } else if (c >= 0x80) {
    // Malformed UTF-8 cannot be in a Java string: U+FFFD, as Java's decoder
    // would have made of these bytes, so that the output is always valid JSON.
    out.append(utf8::kReplacement);
    len = utf8::malformed_length(s, i);
  } else if (c == '"' || c == '\\') {
    out.push_back('\\');
    out.push_back(static_cast<char>(c));
  } else {
    switch (c) {
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      default: append_u_escape(out, c);
    }
  }
  return i + len;
}
}  // namespace

namespace {
// Writes into a string through a raw pointer. The string's size is the room made so far and
// `used_` what is written. A whole value makes room at least 256 bytes at a time, so the many
// small writes of one record resize the string (which zeroes the new bytes) once or twice
// instead of twice for every string in it; a lone string makes exactly the room it needs. The
// destructor cuts the string back to what was written; or, made with a `used` count, leaves the
// room and the count at the end of the writing (append_schemaless_json's second form).
template <size_t kMinRoom>
class JsonBuffer {
 public:
  explicit JsonBuffer(std::string& out) : out_(out), used_(out.size()) {}
  JsonBuffer(std::string& out, size_t& used) : out_(out), used_(used), used_out_(&used) {}
  ~JsonBuffer() {
    if (used_out_) *used_out_ = used_;
    else out_.resize(used_);
  }
  JsonBuffer(const JsonBuffer&) = delete;
  JsonBuffer& operator=(const JsonBuffer&) = delete;

  // Where the next n bytes go; done() says where the writing ended.
  char* room(size_t n) {
    if (out_.size() - used_ < n) {
      if constexpr (kMinRoom == 0) out_.resize(used_ + n);
      else grow(n);
    }
    return out_.data() + used_;
  }
  void done(const char* end) { used_ = static_cast<size_t>(end - out_.data()); }
  void put(char c) {
    *room(1) = c;
    ++used_;
  }
  void put(std::string_view s) {
    std::memcpy(room(s.size()), s.data(), s.size());
    used_ += s.size();
  }
  // The string cut to what is written, for a writer that appends to a std::string; resume() after it.
  std::string& string() {
    out_.resize(used_);
    return out_;
  }
  void resume() { used_ = out_.size(); }
  // Where the writing stands, and back to such a place (what was written after it is dropped).
  size_t mark() const { return used_; }
  void rewind(size_t mark) { used_ = mark; }

 private:
  // Room kept between values doubles, so that it is made (and zeroed) a few times in all.
  [[gnu::noinline]] void grow(size_t n) {
    out_.resize(std::max(used_ + std::max(n, kMinRoom), used_out_ ? 2 * out_.size() : 0));
  }
  std::string& out_;
  size_t used_;
  size_t* used_out_ = nullptr;
};
using StringBuffer = JsonBuffer<0>;  // one string: exactly the room it needs, as it goes
using ValueBuffer = JsonBuffer<256>;  // a whole value

// The n bytes (at most 16) at p, copied to w when none needs escaping (ASCII but for controls,
// quotes and backslashes): two overlapping loads cover them without reading past their end, so a
// short string (most keys, many values) costs a few instructions instead of a few a byte. False,
// with nothing written, otherwise.
[[gnu::always_inline]] inline bool copy_plain_tail(char*& w, const char* p, size_t n) {
  if (n >= 8) {
    uint64_t a, b;
    std::memcpy(&a, p, 8);
    std::memcpy(&b, p + n - 8, 8);
    if (!json_plain_word(a) || !json_plain_word(b)) return false;
    std::memcpy(w, &a, 8);
    std::memcpy(w + n - 8, &b, 8);
  } else if (n >= 4) {
    uint32_t a, b;
    std::memcpy(&a, p, 4);
    std::memcpy(&b, p + n - 4, 4);
    if (!json_plain_word(a | (uint64_t{b} << 32))) return false;
    std::memcpy(w, &a, 4);
    std::memcpy(w + n - 4, &b, 4);
  } else {
    for (size_t k = 0; k < n; ++k)
      if (kByteClass[static_cast<uint8_t>(p[k])] != 0) return false;
    for (size_t k = 0; k < n; ++k) w[k] = p[k];
  }
  w += n;
  return true;
}

#ifdef __SSE2__
// copy_plain_tail for 17 to 32 bytes (timestamps, ids, short text): two overlapping blocks of 16.
[[gnu::always_inline]] inline bool copy_plain_32(char*& w, const char* p, size_t n) {
  const __m128i a = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i b = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + n - 16));
  const auto special = [](__m128i v) {
    // Signed, bytes of 0x80 and up are below 0x20 too: non-ASCII is never copied here.
    const __m128i low = _mm_cmpgt_epi8(_mm_set1_epi8(0x20), v);
    return _mm_or_si128(low, _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')), _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
  };
  if (_mm_movemask_epi8(_mm_or_si128(special(a), special(b))) != 0) return false;
  _mm_storeu_si128(reinterpret_cast<__m128i*>(w), a);
  _mm_storeu_si128(reinterpret_cast<__m128i*>(w + n - 16), b);
  w += n;
  return true;
}
#endif

// Byte by byte through a raw pointer into room made up front: quotes and backslashes, which every string
// holding JSON is full of, are escaped in the loop without a call or a capacity check each. In this loop a
// byte becomes at most two, so 2 × size + 2 is enough; the rest (controls, non-ASCII that is not yet known
// valid) goes through append_special, after which the room is made again for what is left.
template <class Buffer>
[[gnu::noinline]] void write_any_json_string(Buffer& b, std::string_view s) {
  char* w = b.room(2 * s.size() + 2);
  *w++ = '"';
  uint8_t plain = 0;
  bool checked = false;
  size_t i = 0;
  // The byte at s[i] is not plain: a quote or backslash is escaped in place, anything else goes
  // through append_special, after which the room is made again for what is left.
  const auto escape = [&] {
    const char c = s[i];
    if (c == '"' || c == '\\') {
      *w++ = '\\';
      *w++ = c;
      ++i;
      return;
    }
    b.done(w);
    i = append_special(b.string(), s, i, plain, checked);
    b.resume();
    w = b.room(2 * (s.size() - i) + 2);
  };
#ifdef __SSE2__
  // Sixteen bytes at a time (SSE2, in every x86-64): each block is stored as it is, then the write
  // pointer moves up to the first byte that is not plain, which is escaped, and the next block starts
  // after it. On JSON text, whose quotes come every few bytes, a block still carries a few bytes at
  // the cost of one.
  const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\'), below_space = _mm_set1_epi8(0x1F);
  const __m128i supplementary = _mm_set1_epi8(static_cast<char>(0xF0));
  while (i + 16 <= s.size()) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(w), v);
    __m128i special = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)),
                                   _mm_cmpeq_epi8(_mm_max_epu8(v, below_space), below_space));
    // Non-ASCII bytes: all of them until the text is known valid UTF-8, then the lead bytes of
    // supplementary characters (escaped as surrogate pairs) and bytes that are never valid.
    unsigned mask = static_cast<unsigned>(_mm_movemask_epi8(special));
    mask |= plain ? static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_max_epu8(v, supplementary), v)))
                  : static_cast<unsigned>(_mm_movemask_epi8(v));
    if (mask == 0) {
      w += 16;
      i += 16;
      continue;
    }
    // Only quotes and backslashes in the block (the usual case in JSON text), with a block's
    // length of input after it to read from: each is escaped in turn and the rest of the block
    // stored again behind it, with no new scan of the block.
    const unsigned quotes = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash))));
    if (mask == quotes && i + 32 <= s.size()) {
      size_t done = static_cast<size_t>(__builtin_ctz(mask));  // bytes of the block in place
      w += done;
      for (;;) {
        *w++ = '\\';
        *w++ = s[i + done++];
        mask &= mask - 1;
        _mm_storeu_si128(reinterpret_cast<__m128i*>(w), _mm_loadu_si128(reinterpret_cast<const __m128i*>(s.data() + i + done)));
        if (mask == 0) break;
        const auto k = static_cast<size_t>(__builtin_ctz(mask));
        w += k - done;
        done = k;
      }
      w += 16 - done;
      i += 16;
      continue;
    }
    const auto k = static_cast<size_t>(__builtin_ctz(mask));
    w += k;
    i += k;
    escape();
  }
#endif
  // The rest (fewer than 16 bytes with SSE2): in a value at once when none needs escaping, else byte by byte.
  if constexpr (std::is_same_v<Buffer, ValueBuffer>)  // a lone string (a line as JSON) is rarely plain
    if (s.size() - i <= 16 && copy_plain_tail(w, s.data() + i, s.size() - i)) i = s.size();
  while (i < s.size()) {
    if (kByteClass[static_cast<uint8_t>(s[i])] <= plain) {
      *w++ = s[i++];
    } else {
      escape();
    }
  }
  *w++ = '"';
  b.done(w);
}

// Most keys and many values are short and need no escaping: those are written here, without
// the setup of the general loop.
template <class Buffer>
[[gnu::always_inline]] inline void write_json_string(Buffer& b, std::string_view s) {
  if (s.size() <= 16) {
    char* w = b.room(18);
    char* end = w + 1;
    if (copy_plain_tail(end, s.data(), s.size())) {
      *w = '"';
      *end++ = '"';
      b.done(end);
      return;
    }
  }
#ifdef __SSE2__
  else if (s.size() <= 32) {
    char* w = b.room(34);
    char* end = w + 1;
    if (copy_plain_32(end, s.data(), s.size())) {
      *w = '"';
      *end++ = '"';
      b.done(end);
      return;
    }
  }
#endif
  write_any_json_string(b, s);
}

// An object's `,"key":` (no comma before the first): at once for a short plain key.
inline void write_json_key(ValueBuffer& b, std::string_view s, bool comma) {
  if (s.size() <= 16) {
    char* w = b.room(20);
    *w = ',';  // kept only when done() moves past it
    w += comma;
    char* end = w + 1;
    if (copy_plain_tail(end, s.data(), s.size())) {
      *w = '"';
      *end++ = '"';
      *end++ = ':';
      b.done(end);
      return;
    }
  }
  if (comma) b.put(',');
  write_any_json_string(b, s);
  b.put(':');
}

void write_integer(ValueBuffer& b, int64_t x) {
  char* w = b.room(20);  // "-9223372036854775808"
  b.done(std::to_chars(w, w + 20, x).ptr);
}

// append_schemaless_json's work, on one buffer for the whole value.
void write_schemaless(ValueBuffer& b, const Value& v);
}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  StringBuffer b(out);
  write_json_string(b, s);
}

void append_integer(std::string& out, int64_t x) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, x);
  out.append(buf, res.ptr);
}

void append_java_double(std::string& out, double x) { append_java_floating(out, x); }
void append_java_float(std::string& out, float x) { append_java_floating(out, x); }

void append_json_double(std::string& out, double x) {
  if (std::isfinite(x)) return append_java_double(out, x);
  out.push_back('"');
  append_java_double(out, x);
  out.push_back('"');
}

void append_json_float(std::string& out, float x) {
  if (std::isfinite(x)) return append_java_float(out, x);
  out.push_back('"');
  append_java_float(out, x);
  out.push_back('"');
}

std::string decimal_unscaled_digits(const Decimal& d) { return Decimal{d.unscaled, 0}.to_string(); }

void append_big_decimal(std::string& out, const Decimal& d) {
  std::string digits = decimal_unscaled_digits(d);
  bool neg = !digits.empty() && digits[0] == '-';
  std::string_view coeff(digits);
  if (neg) coeff.remove_prefix(1);
  if (neg) out.push_back('-');
  int64_t adjusted = -static_cast<int64_t>(d.scale) + static_cast<int64_t>(coeff.size()) - 1;
  if (d.scale == 0) {
    out.append(coeff);
  } else if (d.scale > 0 && adjusted >= -6) {
    auto scale = static_cast<size_t>(d.scale);
    if (coeff.size() > scale) {
      out.append(coeff.substr(0, coeff.size() - scale));
      out.push_back('.');
      out.append(coeff.substr(coeff.size() - scale));
    } else {
      out.append("0.");
      out.append(scale - coeff.size(), '0');
      out.append(coeff);
    }
  } else {
    out.push_back(coeff[0]);
    if (coeff.size() > 1) {
      out.push_back('.');
      out.append(coeff.substr(1));
    }
    if (adjusted != 0) {
      out.push_back('E');
      if (adjusted > 0) out.push_back('+');
      out.append(std::to_string(adjusted));
    }
  }
}

namespace {
void write_schemaless(ValueBuffer& b, const Value& v) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          b.put("null");
        } else if constexpr (std::is_same_v<T, bool>) {
          b.put(x ? "true" : "false");
        } else if constexpr (std::is_same_v<T, float>) {
          append_json_float(b.string(), x);
          b.resume();
        } else if constexpr (std::is_same_v<T, double>) {
          append_json_double(b.string(), x);
          b.resume();
        } else if constexpr (std::is_integral_v<T>) {
          write_integer(b, x);
        } else if constexpr (std::is_same_v<T, std::string>) {
          write_json_string(b, x);
        } else if constexpr (std::is_same_v<T, Bytes>) {
          std::string& out = b.string();
          out.push_back('"');
          base64::encode(out, x.data);
          out.push_back('"');
          b.resume();
        } else if constexpr (std::is_same_v<T, Array>) {
          b.put('[');
          for (size_t i = 0; i < x.size(); ++i) {
            if (i) b.put(',');
            write_schemaless(b, x[i]);
          }
          b.put(']');
        } else if constexpr (std::is_same_v<T, MapEntries>) {
          // An object while its keys are strings (nearly always); a map with any other key is
          // written again from its start as an array of [key, value] pairs.
          const size_t start = b.mark();
          b.put('{');
          size_t i = 0;
          for (; i < x.size(); ++i) {
            auto* key = x[i].first.template get_if<std::string>();
            if (!key) break;
            write_json_key(b, *key, i > 0);
            // The common scalars here, without a call and a dispatch each.
            const Value& val = x[i].second;
            if (auto* s = val.template get_if<std::string>()) write_json_string(b, *s);
            else if (auto* n = val.template get_if<int64_t>()) write_integer(b, *n);
            else write_schemaless(b, val);
          }
          if (i == x.size()) {
            b.put('}');
            return;
          }
          b.rewind(start);
          b.put('[');
          for (size_t j = 0; j < x.size(); ++j) {
            if (j > 0) b.put(',');
            b.put('[');
            write_schemaless(b, x[j].first);
            b.put(',');
            write_schemaless(b, x[j].second);
            b.put(']');
          }
          b.put(']');
        } else if constexpr (std::is_same_v<T, std::shared_ptr<StructValue>>) {
          b.put('{');
          const auto& fields = x->schema->fields;
          for (size_t i = 0; i < fields.size(); ++i) {
            if (i) b.put(',');
            if (!fields[i].json_key.empty()) {
              b.put(fields[i].json_key);
            } else {
              write_json_string(b, fields[i].name);
              b.put(':');
            }
            write_schemaless(b, x->values[i]);
          }
          b.put('}');
        } else if constexpr (std::is_same_v<T, Decimal>) {
          append_big_decimal(b.string(), x);
          b.resume();
        } else if constexpr (std::is_same_v<T, Timestamp>) {
          write_integer(b, x.millis);
        }
      },
      v.storage());
}
}  // namespace

void append_schemaless_json(std::string& out, const Value& v) {
  ValueBuffer b(out);
  write_schemaless(b, v);
}

void append_schemaless_json(std::string& out, size_t& used, const Value& v) {
  ValueBuffer b(out, used);
  write_schemaless(b, v);
}

std::string to_schemaless_json(const Value& v) {
  std::string out;
  append_schemaless_json(out, v);
  return out;
}

}  // namespace connectrun
