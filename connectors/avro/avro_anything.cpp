#include "connectors/avro/avro_anything.h"

#include <cstring>

#include <fmt/format.h>
#include <simdjson.h>

namespace connectrun::avro {

namespace {

// The fields' order in the record (and so on the wire).
enum Slot { kBoolean, kBytes, kDouble, kFloat, kInt, kLong, kString, kArray, kMap, kSlots };

void write_long(std::string& out, int64_t v) {
  auto z = (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63);
  while (z >= 0x80) {
    out.push_back(static_cast<char>((z & 0x7F) | 0x80));
    z >>= 7;
  }
  out.push_back(static_cast<char>(z));
}

void write_bytes(std::string& out, std::string_view b) {
  write_long(out, static_cast<int64_t>(b.size()));
  out.append(b);
}

// Each field is ["null", T]: branch 0 for the unset ones, 1 then the value for the set one.
void encode(std::string& out, const Value& v) {
  Slot slot = kSlots;
  const auto& s = v.storage();
  switch (s.index()) {
    case 0: break;
    case 1: slot = kBoolean; break;
    case 2: case 3: case 4: slot = kInt; break;
    case 5: slot = kLong; break;
    case 6: slot = kFloat; break;
    case 7: slot = kDouble; break;
    case 8: slot = kString; break;
    case 9: slot = kBytes; break;
    case 10: slot = kArray; break;
    case 11: slot = kMap; break;
    default:
      throw DataException(fmt::format("Unknown Java type for schemaless data: class {}", v.java_class()));
  }
  for (int i = 0; i < kSlots; ++i) {
    if (i != slot) {
      out.push_back(0);
      continue;
    }
    out.push_back(2);  // zig-zag 1
    if (auto* b = v.get_if<bool>()) out.push_back(*b ? 1 : 0);
    else if (auto* i8 = v.get_if<int8_t>()) write_long(out, *i8);
    else if (auto* i16 = v.get_if<int16_t>()) write_long(out, *i16);
    else if (auto* i32 = v.get_if<int32_t>()) write_long(out, *i32);
    else if (auto* i64 = v.get_if<int64_t>()) write_long(out, *i64);
    else if (auto* f = v.get_if<float>()) { char buf[4]; std::memcpy(buf, f, 4); out.append(buf, 4); }
    else if (auto* d = v.get_if<double>()) { char buf[8]; std::memcpy(buf, d, 8); out.append(buf, 8); }
    else if (auto* str = v.get_if<std::string>()) write_bytes(out, *str);
    else if (auto* by = v.get_if<Bytes>()) write_bytes(out, by->data);
    else if (auto* arr = v.get_if<Array>()) {
      if (!arr->empty()) write_long(out, static_cast<int64_t>(arr->size()));
      for (auto& e : *arr) encode(out, e);
      out.push_back(0);
    } else if (auto* m = v.get_if<MapEntries>()) {
      if (!m->empty()) write_long(out, static_cast<int64_t>(m->size()));
      for (auto& [k, e] : *m) {
        encode(out, k);
        encode(out, e);
      }
      out.push_back(0);
    }
  }
}

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool at_end() const { return pos_ == in_.size(); }

  Value read() {
    Value result;
    for (int i = 0; i < kSlots; ++i) {
      int64_t branch = read_long();
      if (branch == 0) continue;
      if (branch != 1) throw DataException(fmt::format("Invalid Avro union index {}", branch));
      switch (i) {
        case kBoolean: result = take(1)[0] != 0; break;
        case kBytes: result = Bytes{std::string(take(length()))}; break;
        case kDouble: { double d; std::memcpy(&d, take(8).data(), 8); result = d; break; }
        case kFloat: { float f; std::memcpy(&f, take(4).data(), 4); result = f; break; }
        case kInt: result = static_cast<int32_t>(read_long()); break;
        case kLong: result = read_long(); break;
        case kString: result = std::string(take(length())); break;
        case kArray: {
          Array a;
          blocks([&] { a.push_back(read()); });
          result = std::move(a);
          break;
        }
        case kMap: {
          MapEntries m;
          blocks([&] {
            Value k = read();
            Value v = read();
            m.emplace_back(std::move(k), std::move(v));
          });
          result = std::move(m);
          break;
        }
        default: break;
      }
    }
    return result;
  }

 private:
  std::string_view in_;
  size_t pos_ = 0;

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
  size_t length() {
    int64_t n = read_long();
    if (n < 0 || static_cast<uint64_t>(n) > in_.size() - pos_) throw DataException("Avro data ends before the value its schema describes");
    return static_cast<size_t>(n);
  }
  template <class F>
  void blocks(F&& item) {
    for (;;) {
      int64_t n = read_long();
      if (n == 0) return;
      if (n < 0) {
        n = -n;
        read_long();
      }
      // Each item takes at least the 9 union indexes: a count beyond that is corrupt.
      if (static_cast<uint64_t>(n) > (in_.size() - pos_) / kSlots + 1) throw DataException("Avro data ends before the value its schema describes");
      for (int64_t i = 0; i < n; ++i) item();
    }
  }
};

}  // namespace

std::string_view anything_schema_json() {
  return R"({"type":"record","name":"Anything","namespace":"io.confluent.connect.avro","fields":[)"
         R"({"name":"boolean","type":["null","boolean"],"default":null},{"name":"bytes","type":["null","bytes"],"default":null},)"
         R"({"name":"double","type":["null","double"],"default":null},{"name":"float","type":["null","float"],"default":null},)"
         R"({"name":"int","type":["null","int"],"default":null},{"name":"long","type":["null","long"],"default":null},)"
         R"({"name":"string","type":["null","string"],"default":null},)"
         R"({"name":"array","type":["null",{"type":"array","items":"Anything"}],"default":null},)"
         R"({"name":"map","type":["null",{"type":"array","items":{"type":"record","name":"MapEntry","fields":[)"
         R"({"name":"key","type":"Anything"},{"name":"value","type":"Anything"}]}}],"default":null}]})";
}

bool is_anything_schema(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::object obj;
  if (parser.parse(json.data(), json.size()).get_object().get(obj)) return false;
  std::string_view name, space;
  if (obj["name"].get_string().get(name)) return false;
  if (name == "io.confluent.connect.avro.Anything") return true;
  return name == "Anything" && !obj["namespace"].get_string().get(space) && space == "io.confluent.connect.avro";
}

void encode_anything(std::string& out, const Value& value) { encode(out, value); }

Value decode_anything(std::string_view bytes) {
  Reader r(bytes);
  Value v = r.read();
  if (!r.at_end()) throw DataException("Avro data has bytes left after the value its schema describes");
  return v;
}

}  // namespace connectrun::avro
