// HoistField: wraps the key or value in a struct (or map) with one field
// (Kafka's org.apache.kafka.connect.transforms.HoistField$Key / $Value).
#pragma once

#include "plugin/transform.h"
#include "transforms/util.h"

namespace connectrun::transforms {

class HoistField : public Transformation {
 public:
  explicit HoistField(Side side) : side_(side) {}
  void configure(const config::ConfigValues& cfg) override;
  bool apply_in_place(Record& record) override;
  static config::ConfigSpec spec();

 private:
  Side side_;
  std::string field_;
  SchemaCache cache_;
};

}  // namespace connectrun::transforms
