// Kafka Connect's data model: Schema, Value, Struct, Record.
// Mirrors org.apache.kafka.connect.data (ConnectSchema, SchemaBuilder, Struct)
// closely enough that converters and transforms can follow Kafka's code.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace connectrun {

enum class Type : uint8_t {
  Int8, Int16, Int32, Int64, Float32, Float64, Boolean, String, Bytes, Array, Map, Struct
};

// Kafka's lower-case names: "int8", …, "float32", "float64" (Schema.Type.getName()).
std::string_view type_name(Type t);
std::optional<Type> type_from_name(std::string_view name);  // accepts Kafka's names
bool is_primitive(Type t);

class Schema;
using SchemaPtr = std::shared_ptr<const Schema>;
class Value;

struct Field {
  std::string name;
  size_t index = 0;
  SchemaPtr schema;
  // The name as a JSON object's key with its colon (`"name":`), escaped once here for the
  // JSON writers rather than for every record. Empty when the field was made without it.
  std::string json_key;
  static Field make(std::string name, size_t index, SchemaPtr schema);
};

// Raw bytes, kept apart from String so the variant can tell them apart.
struct Bytes {
  std::string data;
  bool operator==(const Bytes&) const = default;
};

// java.math.BigDecimal: big-endian two's-complement unscaled value and a scale.
struct Decimal {
  std::string unscaled;  // big-endian two's complement, minimal length, never empty
  int32_t scale = 0;
  bool operator==(const Decimal&) const = default;
  static Decimal from_string(std::string_view text);  // "-12.345" → unscaled -12345, scale 3
  std::string to_string() const;                       // BigDecimal.toPlainString-like for scale>=0
  static Decimal from_int64(int64_t unscaled, int32_t scale);
};

// java.util.Date: the value of Date, Time and Timestamp logical types.
struct Timestamp {
  int64_t millis = 0;
  bool operator==(const Timestamp&) const = default;
};

struct StructValue;
using Array = std::vector<Value>;
using MapEntries = std::vector<std::pair<Value, Value>>;  // insertion order kept
// One of 64 bits for a map key, from its length and last byte: readers that keep a
// mask of the keys met so far search a map for a repeated key only when its bit is set.
inline uint64_t map_key_bit(std::string_view key) {
  return uint64_t{1} << ((key.size() * 7 + (key.empty() ? 0u : static_cast<uint8_t>(key.back()))) & 63);
}

// A Kafka Connect value. null is monostate. Structs carry their schema.
class Value {
 public:
  using Storage = std::variant<std::monostate, bool, int8_t, int16_t, int32_t, int64_t, float, double,
                               std::string, Bytes, Array, MapEntries, std::shared_ptr<StructValue>,
                               Decimal, Timestamp>;
  Value() = default;
  Value(std::nullptr_t) {}
  Value(bool v) : v_(v) {}
  Value(int8_t v) : v_(v) {}
  Value(int16_t v) : v_(v) {}
  Value(int32_t v) : v_(v) {}
  Value(int64_t v) : v_(v) {}
  Value(float v) : v_(v) {}
  Value(double v) : v_(v) {}
  Value(std::string v) : v_(std::move(v)) {}
  Value(const char* v) : v_(std::string(v)) {}
  Value(Bytes v) : v_(std::move(v)) {}
  Value(Array v) : v_(std::move(v)) {}
  Value(MapEntries v) : v_(std::move(v)) {}
  Value(std::shared_ptr<StructValue> v) : v_(std::move(v)) {}
  Value(Decimal v) : v_(std::move(v)) {}
  Value(Timestamp v) : v_(v) {}
  // The alternative T built in place from `args` (a string from a string_view: no temporary).
  template <class T, class... Args>
  explicit Value(std::in_place_type_t<T> t, Args&&... args) : v_(t, std::forward<Args>(args)...) {}

  bool is_null() const { return v_.index() == 0; }
  template <class T> bool is() const { return std::holds_alternative<T>(v_); }
  template <class T> const T& as() const { return std::get<T>(v_); }
  template <class T> T& as() { return std::get<T>(v_); }
  template <class T> const T* get_if() const { return std::get_if<T>(&v_); }
  template <class T> T* get_if() { return std::get_if<T>(&v_); }
  const Storage& storage() const { return v_; }
  Storage& storage() { return v_; }

  const StructValue& as_struct() const { return *std::get<std::shared_ptr<StructValue>>(v_); }
  bool is_struct() const { return is<std::shared_ptr<StructValue>>(); }
  // Map lookup by string key (schemaless objects); nullptr when absent.
  const Value* find(std::string_view key) const;

  // Java class name of the held value, for error messages ("java.lang.String").
  std::string_view java_class() const;
  // The schema type the held value stands for (Java's ConnectSchema.schemaType
  // of its class); nullopt for null, Decimal and Timestamp, which have none.
  std::optional<Type> schema_type() const;

  bool operator==(const Value& o) const;

 private:
  Storage v_;
};

class Schema {
 public:
  Type type = Type::String;
  bool optional = false;
  std::optional<Value> default_value;  // engaged only when a default was set
  std::optional<std::string> name;
  std::optional<int32_t> version;
  std::optional<std::string> doc;
  std::vector<std::pair<std::string, std::string>> parameters;  // insertion order
  SchemaPtr key_schema;    // Map
  SchemaPtr value_schema;  // Map values, Array items
  std::vector<Field> fields;

  const Field* field(std::string_view field_name) const;
  const std::string* parameter(std::string_view key) const;
  bool operator==(const Schema& o) const;  // ConnectSchema.equals: deep comparison
};

bool schemas_equal(const SchemaPtr& a, const SchemaPtr& b);

// Fluent construction, like Kafka's SchemaBuilder.
class SchemaBuilder {
 public:
  explicit SchemaBuilder(Type t) { s_.type = t; }
  static SchemaBuilder int8() { return SchemaBuilder(Type::Int8); }
  static SchemaBuilder int16() { return SchemaBuilder(Type::Int16); }
  static SchemaBuilder int32() { return SchemaBuilder(Type::Int32); }
  static SchemaBuilder int64() { return SchemaBuilder(Type::Int64); }
  static SchemaBuilder float32() { return SchemaBuilder(Type::Float32); }
  static SchemaBuilder float64() { return SchemaBuilder(Type::Float64); }
  static SchemaBuilder boolean() { return SchemaBuilder(Type::Boolean); }
  static SchemaBuilder string() { return SchemaBuilder(Type::String); }
  static SchemaBuilder bytes() { return SchemaBuilder(Type::Bytes); }
  static SchemaBuilder structure() { return SchemaBuilder(Type::Struct); }
  static SchemaBuilder array(SchemaPtr items);
  static SchemaBuilder map(SchemaPtr keys, SchemaPtr values);
  // Starts from an existing schema (all attributes copied).
  static SchemaBuilder from(const Schema& s);

  SchemaBuilder& optional(bool o = true) { s_.optional = o; return *this; }
  SchemaBuilder& name(std::string n) { s_.name = std::move(n); return *this; }
  SchemaBuilder& version(int32_t v) { s_.version = v; return *this; }
  SchemaBuilder& doc(std::string d) { s_.doc = std::move(d); return *this; }
  SchemaBuilder& parameter(std::string k, std::string v);
  SchemaBuilder& default_value(Value v) { s_.default_value = std::move(v); return *this; }
  SchemaBuilder& field(std::string field_name, SchemaPtr schema);  // throws DataException on duplicates
  SchemaPtr build() const { return std::make_shared<const Schema>(s_); }
  Schema& schema() { return s_; }

 private:
  Schema s_;
};

// Kafka's well-known schemas and logical types.
namespace schemas {
SchemaPtr int8(bool optional = false);
SchemaPtr int16(bool optional = false);
SchemaPtr int32(bool optional = false);
SchemaPtr int64(bool optional = false);
SchemaPtr float32(bool optional = false);
SchemaPtr float64(bool optional = false);
SchemaPtr boolean(bool optional = false);
SchemaPtr string(bool optional = false);
SchemaPtr bytes(bool optional = false);
SchemaPtr of_type(Type t, bool optional);

inline constexpr std::string_view kDecimalName = "org.apache.kafka.connect.data.Decimal";
inline constexpr std::string_view kDecimalScaleParam = "scale";
inline constexpr std::string_view kDateName = "org.apache.kafka.connect.data.Date";
inline constexpr std::string_view kTimeName = "org.apache.kafka.connect.data.Time";
inline constexpr std::string_view kTimestampName = "org.apache.kafka.connect.data.Timestamp";
SchemaBuilder decimal(int32_t scale);
SchemaBuilder date();
SchemaBuilder time();
SchemaBuilder timestamp();
bool is_logical(const Schema& s, std::string_view logical_name);
}  // namespace schemas

// Kafka's DataException: bad data for a schema, a missing field, and so on.
class DataException : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct StructValue {
  SchemaPtr schema;
  std::vector<Value> values;  // by field index

  explicit StructValue(SchemaPtr s);
  static std::shared_ptr<StructValue> make(SchemaPtr s) { return std::make_shared<StructValue>(std::move(s)); }
  const Value& get(std::string_view field_name) const;  // throws DataException for unknown field
  void put(std::string_view field_name, Value v);      // validates against the field schema
  void put(const Field& f, Value v);
  // Struct.validate(): every required field set.
  void validate() const;
};

// ConnectSchema.validateValue: throws DataException with Kafka's messages.
void validate_value(const SchemaPtr& schema, const Value& value, std::string_view field_name = {});
// Schemaless inference (Values.inferSchema-like) is not needed by the core.

struct Header {
  std::string key;
  SchemaPtr schema;
  Value value;
};

// One record as it flows through a pipeline (SourceRecord / SinkRecord in Kafka).
struct Record {
  // User-provided, so that `Record()` (a vector's emplace_back(), once per
  // record on each side of the bus) constructs the members only: an aggregate
  // is value-initialised, its ~300 bytes cleared before the members are built.
  Record() noexcept {}
  std::string topic;
  std::optional<int32_t> partition;
  SchemaPtr key_schema;
  Value key;
  SchemaPtr value_schema;
  Value value;
  std::vector<Header> headers;
  std::optional<int64_t> timestamp;
  // Source side: where the record came from, as small schemaless maps. The
  // partition is shared: every record of one source partition points to it.
  std::shared_ptr<const Value> source_partition;
  Value source_offset;
  // Source side: the record stands for input the task skipped (see
  // SourceTaskContext::report_error): only its source offset counts, stored in
  // order with the others; nothing is delivered.
  bool offset_only = false;
  // Sink side: the record's coordinates on the bus (Kafka offset).
  int64_t bus_offset = -1;
  bool is_source = true;
};

}  // namespace connectrun
