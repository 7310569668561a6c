#include "connectors/avro/avro_anything.h"

#include "connectors/avro/avro_binary.h"

#include <fmt/format.h>
#include <simdjson.h>

namespace connectrun::avro {

namespace {

// The fields' order in the record (and so on the wire).
enum Slot { kBoolean, kBytes, kDouble, kFloat, kInt, kLong, kString, kArray, kMap, kSlots };

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
    else if (auto* f = v.get_if<float>()) write_le(out, *f);
    else if (auto* d = v.get_if<double>()) write_le(out, *d);
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

class Reader : public BinaryReader {
 public:
  using BinaryReader::BinaryReader;

  Value read() {
    Value result;
    for (int i = 0; i < kSlots; ++i) {
      int64_t branch = read_long();
      if (branch == 0) continue;
      if (branch != 1) throw DataException(fmt::format("Invalid Avro union index {}", branch));
      switch (i) {
        case kBoolean: result = take(1)[0] != 0; break;
        case kBytes: result = Bytes{std::string(take(length()))}; break;
        case kDouble: result = read_le<double>(); break;
        case kFloat: result = read_le<float>(); break;
        case kInt: result = static_cast<int32_t>(read_long()); break;
        case kLong: result = read_long(); break;
        case kString: result = std::string(take(length())); break;
        case kArray: {
          Array a;
          blocks([&] { a.push_back(read()); }, kSlots);  // each item holds at least its 9 union indexes
          result = std::move(a);
          break;
        }
        case kMap: {
          MapEntries m;
          blocks([&] {
            Value k = read();
            Value v = read();
            m.emplace_back(std::move(k), std::move(v));
          }, kSlots);
          result = std::move(m);
          break;
        }
        default: break;
      }
    }
    return result;
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

void decode_anythings(std::string_view bytes, size_t count, std::vector<Value>& out) {
  Reader r(bytes);
  for (size_t i = 0; i < count; ++i) out.push_back(r.read());
  if (!r.at_end()) throw DataException("Avro data has bytes left after the values its block counts");
}

}  // namespace connectrun::avro
