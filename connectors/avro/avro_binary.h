// Avro's binary primitives (the specification's "Binary Encoding"): zig-zag
// varints, length-prefixed bytes, little-endian floats and blocked arrays and
// maps. Shared by the codec of schema'd values (avro_codec) and of Confluent's
// schemaless Anything record (avro_anything).
#pragma once

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "data/value.h"

namespace connectrun::avro {

inline void write_long(std::string& out, int64_t v) {
  auto z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);  // zig-zag
  while (z >= 0x80) {
    out.push_back(static_cast<char>((z & 0x7F) | 0x80));
    z >>= 7;
  }
  out.push_back(static_cast<char>(z));
}

inline void write_bytes(std::string& out, std::string_view b) {
  write_long(out, static_cast<int64_t>(b.size()));
  out.append(b);
}

template <class T>
void write_le(std::string& out, T v) {
  char buf[sizeof(T)];
  std::memcpy(buf, &v, sizeof(T));  // little-endian hosts only (x86-64, arm64), as the spec's byte order
  out.append(buf, sizeof(T));
}

// Reads one datum's bytes; every read past the end throws DataException.
class BinaryReader {
 public:
  explicit BinaryReader(std::string_view in) : in_(in) {}
  bool at_end() const { return pos_ == in_.size(); }

  std::string_view take(size_t n) {
    if (in_.size() - pos_ < n) throw DataException("Avro data ends before the value its schema describes");
    auto s = in_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  int64_t read_long() {
    uint64_t z = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      auto b = static_cast<unsigned char>(take(1)[0]);
      z |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return static_cast<int64_t>(z >> 1) ^ -static_cast<int64_t>(z & 1);
    }
    throw DataException("Invalid Avro varint");
  }
  // A length prefix, checked against what is left.
  size_t length() {
    int64_t n = read_long();
    if (n < 0 || static_cast<uint64_t>(n) > in_.size() - pos_)
      throw DataException("Avro data ends before the value its schema describes");
    return static_cast<size_t>(n);
  }
  template <class T>
  T read_le() {
    T v;
    std::memcpy(&v, take(sizeof(T)).data(), sizeof(T));
    return v;
  }
  // Arrays and maps come in blocks: a count, a negative count followed by a
  // byte size, 0 to end. A count the bytes left cannot hold (each item takes at
  // least `min_item_bytes`) is corrupt, refused before anything is allocated.
  template <class F>
  void blocks(F&& item, size_t min_item_bytes = 1) {
    for (;;) {
      int64_t n = read_long();
      if (n == 0) return;
      if (n < 0) {
        n = -n;
        read_long();  // the block's size in bytes, for skipping
      }
      if (static_cast<uint64_t>(n) > (in_.size() - pos_) / min_item_bytes)
        throw DataException("Avro data ends before the value its schema describes");
      for (int64_t i = 0; i < n; ++i) item();
    }
  }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

}  // namespace connectrun::avro
