// The Java Object Serialization Stream Protocol (java.io.ObjectStreamConstants),
// for exactly the objects FileOffsetBackingStore writes: a java.util.HashMap
// (serialVersionUID 362498820763181265, fields loadFactor:F and threshold:I,
// written by its writeObject: capacity, size, then key, value, …) whose keys
// and values are byte arrays ([B, serialVersionUID -5984413125824719648) or null.
#include "offsets/kafka_offsets_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>
#include <vector>

#include <fmt/format.h>

#include "json/json_reader.h"
#include "json/json_writer.h"
#include "offsets/private_file.h"

namespace connectrun {

namespace {

constexpr uint8_t kNull = 0x70, kReference = 0x71, kClassDesc = 0x72, kObject = 0x73, kArray = 0x75,
                  kBlockData = 0x77, kEndBlockData = 0x78;
constexpr uint32_t kBaseHandle = 0x7e0000;
constexpr uint64_t kHashMapUid = 0x0507dac1c31660d1ULL;
constexpr uint64_t kByteArrayUid = 0xacf317f8060854e0ULL;
constexpr size_t kMaxFileBytes = size_t{256} << 20;

const char* const kShape = "Kafka Connect's offsets file is a serialized java.util.HashMap of byte[] keys and values";

// Handles the stream assigns, in order: what each one stands for.
enum class Handle { HashMapDesc, HashMap, ByteArrayDesc, ByteArray };

class Reader {
 public:
  explicit Reader(std::string_view b) : b_(b) {}

  std::vector<KafkaOffsetsPair> map() {
    if (u16() != 0xaced || u16() != 5) fail("not a Java serialization stream (version 5)");
    expect(kObject, "a serialized object (TC_OBJECT)");
    expect(kClassDesc, "a class description (TC_CLASSDESC)");
    std::string cls = utf();
    if (cls != "java.util.HashMap")
      fail(fmt::format("the stream holds a {}, not a java.util.HashMap", printable(cls)));
    if (u64() != kHashMapUid) fail("java.util.HashMap with an unexpected serialVersionUID");
    handles_.push_back(Handle::HashMapDesc);
    if (u8() != 0x03) fail("java.util.HashMap with unexpected class flags");
    if (u16() != 2) fail("java.util.HashMap with unexpected fields");
    field('F', "loadFactor");
    field('I', "threshold");
    expect(kEndBlockData, "the end of java.util.HashMap's class annotation");
    expect(kNull, "no superclass description");
    handles_.push_back(Handle::HashMap);
    (void)u32();  // loadFactor (a float's bits)
    (void)u32();  // threshold
    expect(kBlockData, "java.util.HashMap's block of capacity and size");
    if (u8() != 8) fail("a block of 8 bytes (capacity and size)");
    (void)u32();  // capacity
    uint32_t size = u32();
    if (size > b_.size() / 2) fail(fmt::format("a map size of {} that the file's {} bytes cannot hold", size, b_.size()));
    std::vector<KafkaOffsetsPair> out;
    out.reserve(size);
    for (uint32_t i = 0; i < size; ++i) {
      KafkaOffsetsPair p;
      p.key = bytes(fmt::format("entry {}'s key", i + 1));
      p.value = bytes(fmt::format("entry {}'s value", i + 1));
      out.push_back(std::move(p));
    }
    expect(kEndBlockData, "the end of the map's entries");
    if (pos_ != b_.size()) fail(fmt::format("{} bytes after the map", b_.size() - pos_));
    return out;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw KafkaOffsetsFileError(fmt::format("{} (at byte {}); {}", what, pos_, kShape));
  }
  void need(size_t n) const {
    if (b_.size() - pos_ < n) fail("the stream ends early (truncated file)");
  }
  uint8_t u8() {
    need(1);
    return static_cast<uint8_t>(b_[pos_++]);
  }
  // Big-endian, read in order (the operands of | are not sequenced: each read is its own statement).
  uint16_t u16() {
    uint16_t hi = u8();
    return static_cast<uint16_t>((hi << 8) | u8());
  }
  uint32_t u32() {
    uint32_t hi = u16();
    return (hi << 16) | u16();
  }
  uint64_t u64() {
    uint64_t hi = u32();
    return (hi << 32) | u32();
  }
  std::string utf() {
    uint16_t n = u16();
    need(n);
    std::string s(b_.substr(pos_, n));
    pos_ += n;
    return s;
  }
  static std::string printable(const std::string& s) {
    std::string out;
    for (char c : s) out += (c >= 0x20 && c < 0x7f) ? c : '?';
    return out;
  }
  void expect(uint8_t tag, const char* what) {
    size_t at = pos_;
    uint8_t got = u8();
    if (got != tag) {
      pos_ = at;
      fail(fmt::format("expected {}, found byte 0x{:02x}", what, got));
    }
  }
  void field(char type, const char* name) {
    if (static_cast<char>(u8()) != type || utf() != name)
      fail(fmt::format("java.util.HashMap without its field {}", name));
  }
  Handle handle(uint32_t h) {
    if (h < kBaseHandle || h - kBaseHandle >= handles_.size()) fail(fmt::format("a reference to unknown handle 0x{:x}", h));
    return handles_[h - kBaseHandle];
  }
  // A byte[] (TC_ARRAY of class [B), a reference to one read before, or null.
  std::optional<std::string> bytes(const std::string& what) {
    size_t at = pos_;
    uint8_t tag = u8();
    if (tag == kNull) return std::nullopt;
    if (tag == kReference) {
      uint32_t h = u32();
      if (handle(h) != Handle::ByteArray) fail(fmt::format("{}: a reference to something other than a byte[]", what));
      return arrays_.at(h);
    }
    if (tag != kArray) {
      pos_ = at;
      fail(fmt::format("{}: expected a byte[] (TC_ARRAY) or null, found byte 0x{:02x}{}", what, tag,
                       tag == kObject ? " (an object: this map does not hold byte arrays)" : ""));
    }
    tag = u8();
    if (tag == kClassDesc) {
      std::string cls = utf();
      if (cls != "[B") fail(fmt::format("{}: an array of {}, not a byte[]", what, printable(cls)));
      if (u64() != kByteArrayUid) fail(fmt::format("{}: byte[] with an unexpected serialVersionUID", what));
      handles_.push_back(Handle::ByteArrayDesc);
      if (u8() != 0x02 || u16() != 0) fail(fmt::format("{}: byte[] with unexpected class flags or fields", what));
      expect(kEndBlockData, "the end of byte[]'s class annotation");
      expect(kNull, "no superclass description");
    } else if (tag == kReference) {
      if (handle(u32()) != Handle::ByteArrayDesc) fail(fmt::format("{}: an array whose class is not byte[]", what));
    } else {
      fail(fmt::format("{}: expected the array's class description, found byte 0x{:02x}", what, tag));
    }
    uint32_t h = kBaseHandle + static_cast<uint32_t>(handles_.size());
    handles_.push_back(Handle::ByteArray);
    uint32_t n = u32();
    need(n);
    std::string s(b_.substr(pos_, n));
    pos_ += n;
    arrays_.emplace(h, s);
    return s;
  }

  std::string_view b_;
  size_t pos_ = 0;
  std::vector<Handle> handles_;
  std::map<uint32_t, std::string> arrays_;
};

void put_u16(std::string& out, uint16_t v) {
  out += static_cast<char>(v >> 8);
  out += static_cast<char>(v & 0xff);
}
void put_u32(std::string& out, uint32_t v) {
  put_u16(out, static_cast<uint16_t>(v >> 16));
  put_u16(out, static_cast<uint16_t>(v & 0xffff));
}
void put_u64(std::string& out, uint64_t v) {
  put_u32(out, static_cast<uint32_t>(v >> 32));
  put_u32(out, static_cast<uint32_t>(v & 0xffffffff));
}
void put_utf(std::string& out, std::string_view s) {
  put_u16(out, static_cast<uint16_t>(s.size()));
  out += s;
}

}  // namespace

bool is_java_serialization(std::string_view bytes) {
  return bytes.size() >= 2 && static_cast<uint8_t>(bytes[0]) == 0xac && static_cast<uint8_t>(bytes[1]) == 0xed;
}

std::vector<KafkaOffsetsPair> read_kafka_offsets_pairs(std::string_view bytes) { return Reader(bytes).map(); }

std::string write_kafka_offsets_pairs(const std::vector<KafkaOffsetsPair>& pairs) {
  // HashMap's table after put() of n entries: 16 buckets, doubled whenever the
  // size passes three quarters of them; threshold is that three quarters. An
  // empty map never allocated its table: threshold 0, capacity written as 16.
  uint32_t capacity = 16;
  while (pairs.size() > capacity / 4 * 3) capacity *= 2;
  uint32_t threshold = pairs.empty() ? 0 : capacity / 4 * 3;
  std::string out;
  put_u16(out, 0xaced);
  put_u16(out, 5);
  out += static_cast<char>(kObject);
  out += static_cast<char>(kClassDesc);
  put_utf(out, "java.util.HashMap");
  put_u64(out, kHashMapUid);
  out += '\x03';  // SC_WRITE_METHOD | SC_SERIALIZABLE
  put_u16(out, 2);
  out += 'F';
  put_utf(out, "loadFactor");
  out += 'I';
  put_utf(out, "threshold");
  out += static_cast<char>(kEndBlockData);
  out += static_cast<char>(kNull);
  put_u32(out, 0x3f400000);  // 0.75f
  put_u32(out, threshold);
  out += static_cast<char>(kBlockData);
  out += '\x08';
  put_u32(out, capacity);
  put_u32(out, static_cast<uint32_t>(pairs.size()));
  // Handles: 0 the HashMap's class, 1 the map, 2 byte[]'s class once written.
  bool array_desc = false;
  auto put_bytes = [&](const std::optional<std::string>& b) {
    if (!b) {
      out += static_cast<char>(kNull);
      return;
    }
    out += static_cast<char>(kArray);
    if (!array_desc) {
      out += static_cast<char>(kClassDesc);
      put_utf(out, "[B");
      put_u64(out, kByteArrayUid);
      out += '\x02';  // SC_SERIALIZABLE
      put_u16(out, 0);
      out += static_cast<char>(kEndBlockData);
      out += static_cast<char>(kNull);
      array_desc = true;
    } else {
      out += static_cast<char>(kReference);
      put_u32(out, kBaseHandle + 2);
    }
    put_u32(out, static_cast<uint32_t>(b->size()));
    out += *b;
  };
  for (auto& p : pairs) {
    put_bytes(p.key);
    put_bytes(p.value);
  }
  out += static_cast<char>(kEndBlockData);
  return out;
}

std::vector<OffsetEntry> decode_kafka_offsets(std::string_view bytes) {
  std::vector<OffsetEntry> out;
  size_t n = 0;
  for (auto& p : read_kafka_offsets_pairs(bytes)) {
    ++n;
    if (!p.value) continue;  // a removed offset
    if (!p.key) throw KafkaOffsetsFileError(fmt::format("entry {} has a null key; Kafka Connect's keys are "
                                                        "[\"connector\",{{partition}}]", n));
    Value key, value;
    try {
      key = parse_schemaless_json(*p.key);
    } catch (const std::exception& e) {
      throw KafkaOffsetsFileError(fmt::format("entry {}: the key is not JSON ({})", n, e.what()));
    }
    if (!key.is<Array>() || key.as<Array>().size() != 2 || !key.as<Array>()[0].is<std::string>() ||
        !key.as<Array>()[1].is<MapEntries>())
      throw KafkaOffsetsFileError(fmt::format("entry {}: the key {} is not [\"connector\",{{partition}}] (written by "
                                              "a Kafka Connect with another internal.key.converter?)", n, *p.key));
    try {
      value = parse_schemaless_json(*p.value);
    } catch (const std::exception& e) {
      throw KafkaOffsetsFileError(fmt::format("entry {} ({}): the offset is not JSON ({})", n, *p.key, e.what()));
    }
    if (!value.is<MapEntries>() && !value.is_null())
      throw KafkaOffsetsFileError(fmt::format("entry {} ({}): the offset {} is not a JSON object", n, *p.key, *p.value));
    if (value.is_null()) continue;
    out.push_back(OffsetEntry{key.as<Array>()[0].as<std::string>(), key.as<Array>()[1], std::move(value)});
  }
  return out;
}

std::string encode_kafka_offsets(const std::vector<OffsetEntry>& entries) {
  std::vector<KafkaOffsetsPair> pairs;
  pairs.reserve(entries.size());
  for (auto& e : entries) {
    std::string value;
    append_schemaless_json(value, e.offset);
    pairs.push_back(KafkaOffsetsPair{OffsetStore::key_of(e.connector, e.partition), std::move(value)});
  }
  return write_kafka_offsets_pairs(pairs);
}

std::string read_kafka_offsets_file(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
  if (!fd) throw KafkaOffsetsFileError(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode))
    throw KafkaOffsetsFileError(fmt::format("{} is not a regular file", path));
  if (static_cast<size_t>(st.st_size) > kMaxFileBytes)
    throw KafkaOffsetsFileError(fmt::format("{} is {} bytes: larger than any offsets file Kafka Connect writes", path,
                                            st.st_size));
  std::string out;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw KafkaOffsetsFileError(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

}  // namespace connectrun
