#include "data/value.h"

#include <algorithm>
#include <array>
#include <cctype>

#include <fmt/format.h>

#include "json/json_writer.h"

namespace connectrun {

namespace {
constexpr std::string_view kTypeNames[] = {"int8",    "int16",   "int32",  "int64",
                                           "float32", "float64", "boolean", "string",
                                           "bytes",   "array",   "map",     "struct"};
}

std::string_view type_name(Type t) { return kTypeNames[static_cast<size_t>(t)]; }

std::optional<Type> type_from_name(std::string_view name) {
  for (size_t i = 0; i < std::size(kTypeNames); ++i)
    if (kTypeNames[i] == name) return static_cast<Type>(i);
  return std::nullopt;
}

bool is_primitive(Type t) { return t != Type::Array && t != Type::Map && t != Type::Struct; }

// ---------------------------------------------------------------- Decimal
namespace {
// Big-endian two's complement helpers on byte strings.
bool is_negative(const std::string& be) { return !be.empty() && (static_cast<uint8_t>(be[0]) & 0x80); }

std::string negate(std::string be) {
  for (auto& c : be) c = static_cast<char>(~static_cast<uint8_t>(c));
  for (size_t i = be.size(); i-- > 0;) {
    uint8_t b = static_cast<uint8_t>(be[i]);
    be[i] = static_cast<char>(b + 1);
    if (b != 0xFF) break;
  }
  return be;
}

// Minimal two's-complement form, as BigInteger.toByteArray() gives.
std::string minimise(std::string be) {
  if (be.empty()) return std::string(1, '\0');
  size_t i = 0;
  while (i + 1 < be.size()) {
    uint8_t b0 = static_cast<uint8_t>(be[i]), b1 = static_cast<uint8_t>(be[i + 1]);
    if ((b0 == 0x00 && !(b1 & 0x80)) || (b0 == 0xFF && (b1 & 0x80))) ++i;
    else break;
  }
  return be.substr(i);
}
}  // namespace

Decimal Decimal::from_int64(int64_t unscaled, int32_t scale) {
  std::string be(8, '\0');
  auto u = static_cast<uint64_t>(unscaled);
  for (int i = 7; i >= 0; --i) {
    be[static_cast<size_t>(i)] = static_cast<char>(u & 0xFF);
    u >>= 8;
  }
  return Decimal{minimise(be), scale};
}

Decimal Decimal::from_string(std::string_view text) {
  std::string_view s = text;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  int64_t exponent = 0;  // wider than the scale: BigDecimal rejects a scale outside int
  if (auto e = s.find_first_of("eE"); e != std::string_view::npos) {
    std::string exp_text(s.substr(e + 1));
    if (exp_text.empty()) throw DataException(fmt::format("Invalid decimal: {}", text));
    size_t used = 0;
    try {
      exponent = std::stoll(exp_text, &used);
    } catch (...) {
      throw DataException(fmt::format("Invalid decimal: {}", text));
    }
    if (used != exp_text.size()) throw DataException(fmt::format("Invalid decimal: {}", text));
    s = s.substr(0, e);
  }
  std::string digits;
  int32_t scale = 0;
  bool seen_point = false;
  for (char c : s) {
    if (c == '.' && !seen_point) {
      seen_point = true;
    } else if (std::isdigit(static_cast<unsigned char>(c))) {
      digits.push_back(c);
      if (seen_point) ++scale;
    } else {
      throw DataException(fmt::format("Invalid decimal: {}", text));
    }
  }
  if (digits.empty()) throw DataException(fmt::format("Invalid decimal: {}", text));
  int64_t scale64 = static_cast<int64_t>(scale) - exponent;
  if (scale64 < INT32_MIN || scale64 > INT32_MAX) throw DataException(fmt::format("Invalid decimal: {}", text));
  scale = static_cast<int32_t>(scale64);
  // Decimal digits → big-endian magnitude by repeated multiply-add.
  std::vector<uint8_t> mag{0};
  for (char c : digits) {
    unsigned carry = static_cast<unsigned>(c - '0');
    for (size_t i = mag.size(); i-- > 0;) {
      unsigned v = mag[i] * 10u + carry;
      mag[i] = static_cast<uint8_t>(v & 0xFF);
      carry = v >> 8;
    }
    while (carry) {
      mag.insert(mag.begin(), static_cast<uint8_t>(carry & 0xFF));
      carry >>= 8;
    }
  }
  std::string be(1, '\0');  // sign byte, trimmed by minimise
  be.append(mag.begin(), mag.end());
  if (neg) be = negate(be);
  return Decimal{minimise(be), scale};
}

std::string Decimal::to_string() const {
  bool neg = is_negative(unscaled);
  std::string mag = neg ? negate(unscaled) : unscaled;
  std::vector<uint8_t> num(mag.begin(), mag.end());
  std::string digits;
  // Repeated division by 10.
  while (!num.empty() && !(num.size() == 1 && num[0] == 0)) {
    unsigned rem = 0;
    std::vector<uint8_t> q;
    for (uint8_t b : num) {
      unsigned cur = (rem << 8) | b;
      uint8_t d = static_cast<uint8_t>(cur / 10);
      rem = cur % 10;
      if (!q.empty() || d != 0) q.push_back(d);
    }
    digits.push_back(static_cast<char>('0' + rem));
    num = std::move(q);
  }
  if (digits.empty()) digits = "0";
  std::reverse(digits.begin(), digits.end());
  std::string out;
  if (scale > 0) {
    auto sc = static_cast<size_t>(scale);
    if (digits.size() <= sc) digits.insert(0, sc - digits.size() + 1, '0');
    out = digits.substr(0, digits.size() - sc) + "." + digits.substr(digits.size() - sc);
  } else {
    out = digits;
    if (digits != "0") out.append(static_cast<size_t>(-scale), '0');
  }
  return neg ? "-" + out : out;
}

// ---------------------------------------------------------------- Value
const Value* Value::find(std::string_view key) const {
  if (auto* m = get_if<MapEntries>()) {
    for (auto& [k, v] : *m)
      if (auto* ks = k.get_if<std::string>(); ks && *ks == key) return &v;
  }
  return nullptr;
}

std::optional<Type> Value::schema_type() const {
  switch (v_.index()) {
    case 1: return Type::Boolean;
    case 2: return Type::Int8;
    case 3: return Type::Int16;
    case 4: return Type::Int32;
    case 5: return Type::Int64;
    case 6: return Type::Float32;
    case 7: return Type::Float64;
    case 8: return Type::String;
    case 9: return Type::Bytes;
    case 10: return Type::Array;
    case 11: return Type::Map;
    case 12: return Type::Struct;
  }
  return std::nullopt;
}

std::string_view Value::java_class() const {
  switch (v_.index()) {
    case 0: return "null";
    case 1: return "java.lang.Boolean";
    case 2: return "java.lang.Byte";
    case 3: return "java.lang.Short";
    case 4: return "java.lang.Integer";
    case 5: return "java.lang.Long";
    case 6: return "java.lang.Float";
    case 7: return "java.lang.Double";
    case 8: return "java.lang.String";
    case 9: return "[B";
    case 10: return "java.util.ArrayList";
    case 11: return "java.util.HashMap";
    case 12: return "org.apache.kafka.connect.data.Struct";
    case 13: return "java.math.BigDecimal";
    case 14: return "java.util.Date";
  }
  return "?";
}

bool Value::operator==(const Value& o) const {
  if (v_.index() != o.v_.index()) return false;
  if (is_struct()) {
    const auto& a = as_struct();
    const auto& b = o.as_struct();
    return schemas_equal(a.schema, b.schema) && a.values == b.values;
  }
  return v_ == o.v_;
}

// ---------------------------------------------------------------- Schema
const Field* Schema::field(std::string_view field_name) const {
  for (auto& f : fields)
    if (f.name == field_name) return &f;
  return nullptr;
}

const std::string* Schema::parameter(std::string_view key) const {
  for (auto& [k, v] : parameters)
    if (k == key) return &v;
  return nullptr;
}

bool Schema::operator==(const Schema& o) const {
  if (type != o.type || optional != o.optional || name != o.name || version != o.version || doc != o.doc ||
      parameters != o.parameters || default_value != o.default_value)
    return false;
  if (!schemas_equal(key_schema, o.key_schema) || !schemas_equal(value_schema, o.value_schema)) return false;
  if (fields.size() != o.fields.size()) return false;
  for (size_t i = 0; i < fields.size(); ++i)
    if (fields[i].name != o.fields[i].name || fields[i].index != o.fields[i].index ||
        !schemas_equal(fields[i].schema, o.fields[i].schema))
      return false;
  return true;
}

bool schemas_equal(const SchemaPtr& a, const SchemaPtr& b) {
  if (a == b) return true;
  if (!a || !b) return false;
  return *a == *b;
}

SchemaBuilder SchemaBuilder::array(SchemaPtr items) {
  SchemaBuilder b(Type::Array);
  b.s_.value_schema = std::move(items);
  return b;
}

SchemaBuilder SchemaBuilder::map(SchemaPtr keys, SchemaPtr values) {
  SchemaBuilder b(Type::Map);
  b.s_.key_schema = std::move(keys);
  b.s_.value_schema = std::move(values);
  return b;
}

SchemaBuilder SchemaBuilder::from(const Schema& s) {
  SchemaBuilder b(s.type);
  b.s_ = s;
  return b;
}

SchemaBuilder& SchemaBuilder::parameter(std::string k, std::string v) {
  for (auto& [pk, pv] : s_.parameters)
    if (pk == k) {
      pv = std::move(v);
      return *this;
    }
  s_.parameters.emplace_back(std::move(k), std::move(v));
  return *this;
}

Field Field::make(std::string name, size_t index, SchemaPtr schema) {
  Field f{std::move(name), index, std::move(schema), {}};
  append_json_string(f.json_key, f.name);
  f.json_key += ':';
  return f;
}

SchemaBuilder& SchemaBuilder::field(std::string field_name, SchemaPtr schema) {
  if (s_.type != Type::Struct) throw DataException("Cannot create fields on type " + std::string(type_name(s_.type)));
  if (field_name.empty()) throw DataException("fieldName cannot be null.");
  if (!schema) throw DataException("fieldSchema for field " + field_name + " cannot be null.");
  if (s_.field(field_name)) throw DataException("Cannot create field because of field name duplication " + field_name);
  s_.fields.push_back(Field::make(std::move(field_name), s_.fields.size(), std::move(schema)));
  return *this;
}

namespace schemas {
namespace {
SchemaPtr cached(Type t, bool optional) {
  // Shared immutable instances, built once (function-local statics are thread-safe)
  // and never freed. Handed out without a control block (the aliasing constructor
  // with no owner): records copy and drop these schemas several times each, and
  // then count no references (an atomic add and subtract per copy otherwise).
  static const auto* table = [] {
    auto* tab = new std::array<std::array<SchemaPtr, 2>, 9>();  // kept for the process's life
    for (size_t i = 0; i < 9; ++i)
      for (int o = 0; o < 2; ++o) (*tab)[i][static_cast<size_t>(o)] = SchemaBuilder(static_cast<Type>(i)).optional(o == 1).build();
    return tab;
  }();
  const SchemaPtr& owner = (*table)[static_cast<size_t>(t)][optional ? 1 : 0];
  return SchemaPtr(SchemaPtr(), owner.get());
}
}  // namespace
SchemaPtr int8(bool o) { return cached(Type::Int8, o); }
SchemaPtr int16(bool o) { return cached(Type::Int16, o); }
SchemaPtr int32(bool o) { return cached(Type::Int32, o); }
SchemaPtr int64(bool o) { return cached(Type::Int64, o); }
SchemaPtr float32(bool o) { return cached(Type::Float32, o); }
SchemaPtr float64(bool o) { return cached(Type::Float64, o); }
SchemaPtr boolean(bool o) { return cached(Type::Boolean, o); }
SchemaPtr string(bool o) { return cached(Type::String, o); }
SchemaPtr bytes(bool o) { return cached(Type::Bytes, o); }
SchemaPtr of_type(Type t, bool o) {
  if (!is_primitive(t)) throw DataException("of_type needs a primitive type");
  return cached(t, o);
}

SchemaBuilder decimal(int32_t scale) {
  auto b = SchemaBuilder::bytes().name(std::string(kDecimalName)).version(1);
  b.parameter(std::string(kDecimalScaleParam), std::to_string(scale));
  return b;
}
SchemaBuilder date() { return SchemaBuilder::int32().name(std::string(kDateName)).version(1); }
SchemaBuilder time() { return SchemaBuilder::int32().name(std::string(kTimeName)).version(1); }
SchemaBuilder timestamp() { return SchemaBuilder::int64().name(std::string(kTimestampName)).version(1); }
bool is_logical(const Schema& s, std::string_view logical_name) { return s.name && *s.name == logical_name; }
}  // namespace schemas

// ---------------------------------------------------------------- Struct
StructValue::StructValue(SchemaPtr s) : schema(std::move(s)) {
  if (!schema || schema->type != Type::Struct) throw DataException("Not a struct schema: " + (schema ? std::string(type_name(schema->type)) : "null"));
  values.resize(schema->fields.size());
}

const Value& StructValue::get(std::string_view field_name) const {
  const Field* f = schema->field(field_name);
  if (!f) throw DataException(fmt::format("{} is not a valid field name", field_name));
  return values[f->index];
}

void StructValue::put(std::string_view field_name, Value v) {
  const Field* f = schema->field(field_name);
  if (!f) throw DataException(fmt::format("{} is not a valid field name", field_name));
  put(*f, std::move(v));
}

void StructValue::put(const Field& f, Value v) {
  validate_value(f.schema, v, f.name);
  values[f.index] = std::move(v);
}

void StructValue::validate() const {
  for (auto& f : schema->fields) {
    const Value& v = values[f.index];
    if (v.is_null() && f.schema->default_value) continue;  // Struct.validate uses the default
    validate_value(f.schema, v, f.name);
  }
}

// ---------------------------------------------------------------- validation
namespace {
std::string upper(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

bool class_matches(const Schema& s, const Value& v) {
  if (s.name) {
    if (*s.name == schemas::kDecimalName) return v.is<Decimal>();
    if (*s.name == schemas::kDateName || *s.name == schemas::kTimeName || *s.name == schemas::kTimestampName)
      return v.is<Timestamp>();
  }
  switch (s.type) {
    case Type::Int8: return v.is<int8_t>();
    case Type::Int16: return v.is<int16_t>();
    case Type::Int32: return v.is<int32_t>();
    case Type::Int64: return v.is<int64_t>();
    case Type::Float32: return v.is<float>();
    case Type::Float64: return v.is<double>();
    case Type::Boolean: return v.is<bool>();
    case Type::String: return v.is<std::string>();
    case Type::Bytes: return v.is<Bytes>();
    case Type::Array: return v.is<Array>();
    case Type::Map: return v.is<MapEntries>();
    case Type::Struct: return v.is_struct();
  }
  return false;
}

// Where a value sits, for messages; its text is built only when one is thrown
// (validation runs on every Struct put, so building it eagerly costs per field).
struct Where {
  std::string_view field;
  const Where* outer = nullptr;
  const char* prefix = nullptr;  // "element of array ", … when outer is set
  std::string str() const {
    if (outer) return prefix + outer->str();
    return field.empty() ? std::string("value") : fmt::format("field: \"{}\"", field);
  }
};

void validate_at(const SchemaPtr& schema, const Value& value, const Where& where) {
  if (value.is_null()) {
    if (!schema->optional)
      throw DataException(fmt::format("Invalid value: null used for required {}, schema type: {}", where.str(),
                                      upper(type_name(schema->type))));
    return;
  }
  if (!class_matches(*schema, value)) {
    std::string msg = "Invalid Java object for schema";
    if (schema->name) msg += fmt::format(" \"{}\"", *schema->name);
    msg += fmt::format(" with type {}: class {} for {}", upper(type_name(schema->type)), value.java_class(), where.str());
    throw DataException(msg);
  }
  switch (schema->type) {
    case Type::Struct: {
      const auto& st = value.as_struct();
      if (!schemas_equal(st.schema, schema)) throw DataException("Struct schemas do not match.");
      st.validate();
      break;
    }
    case Type::Array:
      for (auto& e : value.as<Array>()) validate_at(schema->value_schema, e, Where{{}, &where, "element of array "});
      break;
    case Type::Map:
      for (auto& [k, v] : value.as<MapEntries>()) {
        validate_at(schema->key_schema, k, Where{{}, &where, "key of map "});
        validate_at(schema->value_schema, v, Where{{}, &where, "value of map "});
      }
      break;
    default: break;
  }
}
}  // namespace

void validate_value(const SchemaPtr& schema, const Value& value, std::string_view field_name) {
  if (!schema) return;
  validate_at(schema, value, Where{field_name});
}

}  // namespace connectrun
