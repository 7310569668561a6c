// An Avro schema in memory (the Avro specification's types), read from its
// JSON text with simdjson and written back the way Avro's Java library writes
// it (Schema.toString), which is the text Confluent's serializers register.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace connectrun::avro {

enum class AvroType { Null, Boolean, Int, Long, Float, Double, Bytes, String, Record, Enum, Array, Map, Union, Fixed };

std::string_view avro_type_name(AvroType t);  // "null", "boolean", …, "record", "union"

struct AvroNode;
using AvroPtr = std::shared_ptr<AvroNode>;

// Extra attributes of a schema or a field ("connect.name", "logicalType", …)
// in the order they were added, each value kept as compact JSON text.
using Props = std::vector<std::pair<std::string, std::string>>;

struct AvroField {
  std::string name;
  AvroPtr schema;
  std::optional<std::string> doc;
  std::optional<std::string> default_json;  // the field's "default", compact JSON
  Props props;
};

struct AvroNode {
  AvroType type = AvroType::Null;
  // Named types (record, enum, fixed): the name and its namespace ("" = none).
  std::string name;
  std::string space;
  std::optional<std::string> doc;
  std::vector<AvroField> fields;     // Record
  std::vector<std::string> symbols;  // Enum
  std::optional<std::string> enum_default;
  AvroPtr items;                     // Array
  AvroPtr values;                    // Map
  std::vector<AvroPtr> branches;     // Union
  int32_t size = 0;                  // Fixed
  Props props;

  bool is_named() const { return type == AvroType::Record || type == AvroType::Enum || type == AvroType::Fixed; }
  std::string full_name() const { return space.empty() ? name : space + "." + name; }
  // A property's compact JSON text, or nullptr.
  const std::string* prop(std::string_view key) const;
  // A string property's value ("decimal" for logicalType), or nullopt when absent or not a string.
  std::optional<std::string> string_prop(std::string_view key) const;
  // An integer property's value, or nullopt when absent or not an integer.
  std::optional<int64_t> int_prop(std::string_view key) const;
  // Adds or replaces a property (value: compact JSON).
  void set_prop(std::string key, std::string json);
  // Index of the null branch of a union, or -1.
  int null_branch() const;
};

AvroPtr make_node(AvroType t);

// Parses Avro schema JSON ("int", {"type":"record",…}, [..] unions). Throws
// DataException naming what is wrong. Named types may be referenced by name
// after their definition; a record naming itself (a recursive schema) is refused.
AvroPtr parse_avro_schema(std::string_view json);

// The JSON text as Avro's Java library writes it: attributes in its order,
// namespaces only where they differ from the enclosing one, a named type
// written once and referenced by its name after that.
std::string avro_schema_json(const AvroNode& schema);

}  // namespace connectrun::avro
