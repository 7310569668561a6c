// Cast: casts fields of a struct or map, or the whole key or value, to a primitive type
// (Kafka's org.apache.kafka.connect.transforms.Cast$Key / Cast$Value).
#pragma once

#include <map>
#include <optional>

#include "plugin/transform.h"
#include "transforms/util.h"

namespace connectrun::transforms {

class Cast : public Transformation {
 public:
  explicit Cast(Side side) : side_(side) {}
  void configure(const config::ConfigValues& cfg) override;
  bool apply_in_place(Record& record) override;

  static config::ConfigSpec spec();
  // Parses `spec` entries (`field:type` or one bare type); throws config::ConfigError.
  static std::vector<std::pair<std::string, Type>> parse_spec(const std::vector<std::string>& entries);
  // Casts one value (schema may be null for schemaless data); throws DataException.
  static Value cast_value(const SchemaPtr& schema, const Value& value, Type target);

 private:
  SchemaPtr output_schema(const SchemaPtr& input);

  Side side_;
  std::vector<std::pair<std::string, Type>> casts_;  // field → type, in spec order
  std::optional<Type> whole_;
  bool replace_null_with_default_ = true;
  SchemaCache cache_;
};

}  // namespace connectrun::transforms
