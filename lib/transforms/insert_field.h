// InsertField: adds the record's topic, partition, offset, timestamp or a
// static value as fields (Kafka's org.apache.kafka.connect.transforms.InsertField$Key / $Value).
#pragma once

#include <optional>

#include "plugin/transform.h"
#include "transforms/util.h"

namespace connectrun::transforms {

class InsertField : public Transformation {
 public:
  explicit InsertField(Side side) : side_(side) {}
  void configure(const config::ConfigValues& cfg) override;
  bool apply_in_place(Record& record) override;
  static config::ConfigSpec spec();

  // A field name with an optional `?` (optional, the default) or `!` (required) suffix.
  struct Insertion {
    std::string name;
    bool optional = true;
  };

 private:
  SchemaPtr updated_schema(const SchemaPtr& schema);

  Side side_;
  std::optional<Insertion> topic_, partition_, offset_, timestamp_, static_;
  std::optional<std::string> static_value_;
  Value static_as_value_;  // static_value_ as a Value: copied into each map where it stays
  bool replace_null_with_default_ = true;
  SchemaCache cache_;
};

}  // namespace connectrun::transforms
