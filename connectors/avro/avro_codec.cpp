#include "connectors/avro/avro_codec.h"

#include "connectors/avro/avro_binary.h"

#include <cstring>

#include <fmt/format.h>

namespace connectrun::avro {

namespace {

constexpr int64_t kMillisPerDay = 86400000;

std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// Union member names as AvroData gives them (unionMemberFieldName).
std::string member_name(const AvroNode& m, const AvroDataOptions& opts) {
  if (m.is_named()) return opts.enhanced_schema_support ? m.full_name() : m.name;
  return std::string(avro_type_name(m.type));
}

// A two's-complement big-endian integer in its shortest form (BigInteger.toByteArray).
std::string minimal(std::string be) {
  if (be.empty()) return std::string(1, '\0');
  size_t i = 0;
  while (i + 1 < be.size()) {
    auto b = static_cast<unsigned char>(be[i]), next = static_cast<unsigned char>(be[i + 1]);
    if ((b == 0x00 && !(next & 0x80)) || (b == 0xFF && (next & 0x80))) ++i;
    else break;
  }
  return be.substr(i);
}

// Where in the record a value is: its field and the fields around it.
struct Path {
  const Path* parent;
  std::string_view name;
};

class Encoder {
 public:
  Encoder(std::string& out, const AvroDataOptions& opts) : out_(out), opts_(opts) {}

  void encode(const Schema& s, const AvroNode& a, const Value& v, const Path* where) {
    if (a.type == AvroType::Union) return encode_union(s, a, v, where);
    if (v.is_null()) {
      if (a.type == AvroType::Null) return;
      throw DataException(fmt::format("Found null value for non-optional schema{}", at(where)));
    }
    if (s.name && encode_logical(s, a, v, where)) return;
    switch (a.type) {
      case AvroType::Boolean: out_.push_back(expect<bool>(s, v, where) ? 1 : 0); return;
      case AvroType::Int:
        if (s.type == Type::Int8) write_long(out_, expect<int8_t>(s, v, where));
        else if (s.type == Type::Int16) write_long(out_, expect<int16_t>(s, v, where));
        else if (s.type == Type::Int32) write_long(out_, expect<int32_t>(s, v, where));
        else write_long(out_, static_cast<int32_t>(number<int64_t>(s, v, where)));
        return;
      case AvroType::Long:
        write_long(out_, s.type == Type::Int64 ? expect<int64_t>(s, v, where) : number<int64_t>(s, v, where));
        return;
      case AvroType::Float:
        write_le(out_, s.type == Type::Float32 ? expect<float>(s, v, where) : number<float>(s, v, where));
        return;
      case AvroType::Double:
        write_le(out_, s.type == Type::Float64 ? expect<double>(s, v, where) : number<double>(s, v, where));
        return;
      case AvroType::String: write_bytes(out_, expect<std::string>(s, v, where)); return;
      case AvroType::Bytes: write_bytes(out_, expect<Bytes>(s, v, where).data); return;
      case AvroType::Fixed: {
        const std::string& b = expect<Bytes>(s, v, where).data;
        if (b.size() != static_cast<size_t>(a.size))
          throw DataException(fmt::format("Fixed size {} does not match the {} bytes given{}", a.size, b.size(), at(where)));
        out_.append(b);
        return;
      }
      case AvroType::Enum: {
        const std::string& sym = expect<std::string>(s, v, where);
        for (size_t i = 0; i < a.symbols.size(); ++i)
          if (a.symbols[i] == sym) return write_long(out_, static_cast<int64_t>(i));
        throw DataException(fmt::format("Value {} is not a symbol of Avro enum {}{}", sym, a.full_name(), at(where)));
      }
      case AvroType::Array:
        if (s.type == Type::Map) return encode_entries(s, *a.items, expect<MapEntries>(s, v, where), where);
        return encode_array(s, *a.items, expect<Array>(s, v, where), where);
      case AvroType::Map: {
        const auto& entries = expect<MapEntries>(s, v, where);
        if (!entries.empty()) write_long(out_, static_cast<int64_t>(entries.size()));
        for (auto& [k, e] : entries) {
          const std::string* key = k.get_if<std::string>();
          if (!key) throw DataException(fmt::format("Invalid type for map key: class {}{}", k.java_class(), at(where)));
          write_bytes(out_, *key);
          encode(*s.value_schema, *a.values, e, where);
        }
        write_long(out_, 0);
        return;
      }
      case AvroType::Record: return encode_struct(s, a, v, where);
      case AvroType::Null:
      case AvroType::Union: break;
    }
  }

 private:
  std::string& out_;
  const AvroDataOptions& opts_;

  // " (field a.b)", built only when a message needs it.
  static std::string at(const Path* where) {
    if (!where) return "";
    std::string path(where->name);
    for (const Path* p = where->parent; p; p = p->parent) path = std::string(p->name) + "." + path;
    return fmt::format(" (field {})", path);
  }

  template <class T>
  static const T& expect(const Schema& s, const Value& v, const Path* where) {
    if (const T* p = v.get_if<T>()) return *p;
    throw DataException(fmt::format("Invalid type for {}: class {}{}", upper(type_name(s.type)), v.java_class(), at(where)));
  }

  // Another schema's number type (use.latest.version): converted as Avro's Java writer converts a
  // Number (intValue(), longValue(), …).
  template <class T>
  static T number(const Schema& s, const Value& v, const Path* where) {
    switch (v.storage().index()) {
      case 2: return static_cast<T>(v.as<int8_t>());
      case 3: return static_cast<T>(v.as<int16_t>());
      case 4: return static_cast<T>(v.as<int32_t>());
      case 5: return static_cast<T>(v.as<int64_t>());
      case 6: return static_cast<T>(v.as<float>());
      case 7: return static_cast<T>(v.as<double>());
      default:
        throw DataException(fmt::format("Invalid type for {}: class {}{}", upper(type_name(s.type)), v.java_class(), at(where)));
    }
  }

  void encode_union(const Schema& s, const AvroNode& a, const Value& v, const Path* where) {
    if (v.is_null()) {
      int n = a.null_branch();
      if (n < 0) throw DataException(fmt::format("Found null value for non-optional schema{}", at(where)));
      return write_long(out_, n);
    }
    if (is_union_schema(s)) {
      expect<std::shared_ptr<StructValue>>(s, v, where);
      const StructValue& st = v.as_struct();
      for (size_t i = 0; i < s.fields.size(); ++i) {
        if (st.values[i].is_null()) continue;
        for (size_t b = 0; b < a.branches.size(); ++b)
          if (a.branches[b]->type != AvroType::Null && member_name(*a.branches[b], opts_) == s.fields[i].name) {
            write_long(out_, static_cast<int64_t>(b));
            return encode(*s.fields[i].schema, *a.branches[b], st.values[i], where);
          }
      }
      throw DataException(fmt::format("Union value matches no member of {}{}", avro_schema_json(a), at(where)));
    }
    int n = a.null_branch();
    int other = n == 0 ? 1 : 0;
    write_long(out_, other);
    encode(s, *a.branches[static_cast<size_t>(other)], v, where);
  }

  void encode_array(const Schema& s, const AvroNode& items, const Array& arr, const Path* where) {
    if (!arr.empty()) write_long(out_, static_cast<int64_t>(arr.size()));
    for (auto& e : arr) encode(*s.value_schema, items, e, where);
    write_long(out_, 0);
  }

  void encode_entries(const Schema& s, const AvroNode& entry, const MapEntries& entries, const Path* where) {
    if (!entries.empty()) write_long(out_, static_cast<int64_t>(entries.size()));
    for (auto& [k, e] : entries) {
      encode(*s.key_schema, *entry.fields[0].schema, k, where);
      encode(*s.value_schema, *entry.fields[1].schema, e, where);
    }
    write_long(out_, 0);
  }

  void encode_struct(const Schema& s, const AvroNode& a, const Value& v, const Path* where) {
    expect<std::shared_ptr<StructValue>>(s, v, where);
      const StructValue& st = v.as_struct();
    if (st.schema.get() != &s && !(*st.schema == s)) throw DataException(fmt::format("Mismatching struct schema{}", at(where)));
    for (size_t i = 0; i < s.fields.size(); ++i) {
      const Field& f = s.fields[i];
      const Value* fv = &st.values[i];
      // Struct.get: a field left null reads as its default.
      if (fv->is_null() && f.schema->default_value) fv = &*f.schema->default_value;
      Path path{where, f.name};
      encode(*f.schema, *a.fields[i].schema, *fv, &path);
    }
  }

  bool encode_logical(const Schema& s, const AvroNode& a, const Value& v, const Path* where) {
    const std::string& name = *s.name;
    if (name == schemas::kDecimalName) {
      const auto* d = v.get_if<Decimal>();
      if (!d) throw DataException(fmt::format("Invalid type for Decimal, expected BigDecimal but was class {}{}", v.java_class(), at(where)));
      if (d->scale != decimal_scale_of(s))
        throw DataException(fmt::format("BigDecimal has mismatching scale value for given Decimal schema{}", at(where)));
      if (auto precision = a.int_prop("precision"); precision && decimal_precision(*d) > *precision)
        throw DataException(fmt::format("Decimal {} has {} digits, beyond the precision {} of its Avro schema{}",
                                        d->to_string(), decimal_precision(*d), *precision, at(where)));
      if (a.type == AvroType::Fixed) {
        if (d->unscaled.size() > static_cast<size_t>(a.size))
          throw DataException(fmt::format("Decimal {} does not fit in fixed({}){}", d->to_string(), a.size, at(where)));
        char pad = (static_cast<unsigned char>(d->unscaled[0]) & 0x80) ? '\xFF' : '\0';
        out_.append(static_cast<size_t>(a.size) - d->unscaled.size(), pad);
        out_.append(d->unscaled);
      } else {
        write_bytes(out_, d->unscaled);
      }
      return true;
    }
    bool is_date = name == schemas::kDateName, is_time = name == schemas::kTimeName;
    if (!is_date && !is_time && name != schemas::kTimestampName) return false;
    const auto* t = v.get_if<Timestamp>();
    std::string_view logical = is_date ? "Date" : is_time ? "Time" : "Timestamp";
    if (!t) throw DataException(fmt::format("Invalid type for {}, expected Date but was class {}{}", logical, v.java_class(), at(where)));
    if (is_date) {
      if (t->millis % kMillisPerDay != 0)
        throw DataException("Kafka Connect Date type should not have any time fields set to non-zero values.");
      write_long(out_, t->millis / kMillisPerDay);
    } else if (is_time) {
      if (t->millis < 0 || t->millis >= kMillisPerDay)
        throw DataException("Kafka Connect Time type should not have any date fields set to non-zero values.");
      write_long(out_, t->millis);
    } else {
      write_long(out_, t->millis);
    }
    return true;
  }
};

class Decoder : public BinaryReader {
 public:
  Decoder(std::string_view in, const AvroDataOptions& opts) : BinaryReader(in), opts_(opts) {}

  Value decode(const SchemaPtr& s, const AvroNode& a) {
    switch (a.type) {
      case AvroType::Null: return {};
      case AvroType::Boolean: {
        auto b = take(1)[0];
        if (b != 0 && b != 1) throw DataException("Invalid Avro boolean byte");
        return b == 1;
      }
      case AvroType::Int: {
        int64_t n = read_long();
        if (n < INT32_MIN || n > INT32_MAX) throw DataException("Avro int out of range");
        if (s->name == schemas::kDateName) return Timestamp{n * kMillisPerDay};
        if (s->name == schemas::kTimeName) return Timestamp{n};
        if (s->type == Type::Int8) return static_cast<int8_t>(n);
        if (s->type == Type::Int16) return static_cast<int16_t>(n);
        return static_cast<int32_t>(n);
      }
      case AvroType::Long: {
        int64_t n = read_long();
        if (s->name == schemas::kTimestampName) return Timestamp{n};
        return n;
      }
      case AvroType::Float: return read_le<float>();
      case AvroType::Double: return read_le<double>();
      case AvroType::String: return std::string(take(length()));
      case AvroType::Bytes: return bytes_value(*s, take(length()));
      case AvroType::Fixed: return bytes_value(*s, take(static_cast<size_t>(a.size)));
      case AvroType::Enum: {
        int64_t i = read_long();
        if (i < 0 || static_cast<size_t>(i) >= a.symbols.size()) throw DataException(fmt::format("Invalid Avro enum index {} for {}", i, a.full_name()));
        return a.symbols[static_cast<size_t>(i)];
      }
      case AvroType::Array: {
        if (s->type == Type::Map) {
          MapEntries out;
          const AvroNode& entry = *a.items;
          blocks([&] {
            Value k = decode(s->key_schema, *entry.fields[0].schema);
            Value v = decode(s->value_schema, *entry.fields[1].schema);
            out.emplace_back(std::move(k), std::move(v));
          });
          return out;
        }
        Array out;
        blocks([&] { out.push_back(decode(s->value_schema, *a.items)); });
        return out;
      }
      case AvroType::Map: {
        MapEntries out;
        blocks([&] {
          std::string k(take(length()));
          out.emplace_back(Value(std::move(k)), decode(s->value_schema, *a.values));
        });
        return out;
      }
      case AvroType::Record: {
        auto st = StructValue::make(s);
        for (size_t i = 0; i < a.fields.size(); ++i) st->values[i] = decode(s->fields[i].schema, *a.fields[i].schema);
        return st;
      }
      case AvroType::Union: {
        int64_t i = read_long();
        if (i < 0 || static_cast<size_t>(i) >= a.branches.size()) throw DataException(fmt::format("Invalid Avro union index {}", i));
        const AvroNode& branch = *a.branches[static_cast<size_t>(i)];
        if (branch.type == AvroType::Null) return {};
        if (is_union_schema(*s)) {
          const Field* f = s->field(member_name(branch, opts_));
          if (!f) throw DataException("Avro union member has no Connect field");
          auto st = StructValue::make(s);
          st->values[f->index] = decode(f->schema, branch);
          return st;
        }
        return decode(s, branch);
      }
    }
    return {};
  }

 private:
  const AvroDataOptions& opts_;

  Value bytes_value(const Schema& s, std::string_view b) {
    if (s.name == schemas::kDecimalName) return Decimal{minimal(std::string(b)), decimal_scale_of(s)};
    return Bytes{std::string(b)};
  }
};

}  // namespace

void encode_value(std::string& out, const Schema& schema, const AvroNode& avro, const Value& value,
                  const AvroDataOptions& opts) {
  Encoder e(out, opts);
  e.encode(schema, avro, value, nullptr);
}

Value decode_value(std::string_view bytes, const SchemaPtr& schema, const AvroNode& avro, const AvroDataOptions& opts) {
  Decoder d(bytes, opts);
  Value v = d.decode(schema, avro);
  if (!d.at_end()) throw DataException("Avro data has bytes left after the value its schema describes");
  return v;
}

void decode_values(std::string_view bytes, size_t count, const SchemaPtr& schema, const AvroNode& avro,
                   const AvroDataOptions& opts, std::vector<Value>& out) {
  Decoder d(bytes, opts);
  for (size_t i = 0; i < count; ++i) out.push_back(d.decode(schema, avro));
  if (!d.at_end()) throw DataException("Avro data has bytes left after the values its block counts");
}

}  // namespace connectrun::avro
