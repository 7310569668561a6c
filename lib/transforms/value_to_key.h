// ValueToKey: replaces the key with a struct (or map) of fields of the value
// (Kafka's org.apache.kafka.connect.transforms.ValueToKey).
#pragma once

#include "plugin/transform.h"
#include "transforms/util.h"

namespace connectrun::transforms {

class ValueToKey : public Transformation {
 public:
  void configure(const config::ConfigValues& cfg) override;
  bool apply_in_place(Record& record) override;
  static config::ConfigSpec spec();

 private:
  std::vector<std::string> fields_;
  bool replace_null_with_default_ = true;
  SchemaCache cache_;
};

}  // namespace connectrun::transforms
