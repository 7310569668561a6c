#include "connectors/s3/s3_json.h"

#include <charconv>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <variant>

#include "json/json_writer.h"

namespace connectrun::s3 {

namespace {

// Whether every byte of `s` is printable ASCII other than '"' and '\\' (written
// as it is), eight bytes at a time: keys and values are mostly such text.
bool plain_ascii(std::string_view s) {
  size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    if (!json_plain_word(w)) return false;
  }
  for (; i < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') return false;
  }
  return true;
}

// Writes into [p, end); every step returns false when the value needs the
// general writer (bytes to escape or check, floating point, decimals, bytes,
// maps with other keys than strings) or does not fit.
class LineWriter {
 public:
  LineWriter(char* begin, char* end) : p_(begin), end_(end) {}
  char* pos() const { return p_; }

  bool value(const Value& v) {
    return std::visit([this](const auto& x) { return write(x); }, v.storage());
  }

 private:
  bool put(char c) {
    if (p_ == end_) return false;
    *p_++ = c;
    return true;
  }

  bool put(std::string_view s) {
    if (static_cast<size_t>(end_ - p_) < s.size()) return false;
    std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
    return true;
  }

  // Printable ASCII other than '"' and '\\' is written as it is; anything else
  // (escapes, UTF-8 to check) is the general writer's.
  bool write(const std::string& s) {
    if (static_cast<size_t>(end_ - p_) < s.size() + 2 || !plain_ascii(s)) return false;
    *p_++ = '"';
    std::memcpy(p_, s.data(), s.size());
    p_ += s.size();
    *p_++ = '"';
    return true;
  }

  bool integer(int64_t x) {
    auto r = std::to_chars(p_, end_, x);
    if (r.ec != std::errc()) return false;
    p_ = r.ptr;
    return true;
  }

  bool write(std::monostate) { return put("null"); }
  bool write(bool b) { return put(b ? std::string_view("true") : std::string_view("false")); }
  bool write(int8_t x) { return integer(x); }
  bool write(int16_t x) { return integer(x); }
  bool write(int32_t x) { return integer(x); }
  bool write(int64_t x) { return integer(x); }
  bool write(const Timestamp& t) { return integer(t.millis); }

  bool write(const Array& a) {
    if (!put('[')) return false;
    for (size_t i = 0; i < a.size(); ++i)
      if ((i && !put(',')) || !value(a[i])) return false;
    return put(']');
  }

  bool write(const MapEntries& m) {
    if (!put('{')) return false;
    bool first = true;
    for (const auto& [k, v] : m) {
      const auto* key = k.get_if<std::string>();
      if (!key) return false;  // written as an array of pairs by the general writer
      if ((!first && !put(',')) || !write(*key) || !put(':') || !value(v)) return false;
      first = false;
    }
    return put('}');
  }

  bool write(const std::shared_ptr<StructValue>& s) {
    if (!put('{')) return false;
    const auto& fields = s->schema->fields;
    for (size_t i = 0; i < fields.size(); ++i)
      if ((i && !put(',')) || !write(fields[i].name) || !put(':') || !value(s->values[i])) return false;
    return put('}');
  }

  // Left to the general writer: Java's float formatting, base64, big decimals.
  template <class T>
  bool write(const T&) {
    return false;
  }

  char* p_;
  char* end_;
};

}  // namespace

void append_json_line(std::string& out, const Value& v) {
  // Most lines are a few hundred bytes; larger ones take the general path.
  char buf[4096];
  LineWriter w(buf, buf + sizeof buf - 1);
  if (w.value(v)) {
    char* end = w.pos();
    *end++ = '\n';
    out.append(buf, static_cast<size_t>(end - buf));
    return;
  }
  append_schemaless_json(out, v);
  out += '\n';
}

}  // namespace connectrun::s3
