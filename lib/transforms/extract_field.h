// ExtractField: replaces the key or value by one of its fields, with KIP-821
// nested paths (Kafka's org.apache.kafka.connect.transforms.ExtractField$Key / $Value).
#pragma once

#include <optional>

#include "plugin/transform.h"
#include "transforms/field_path.h"
#include "transforms/util.h"

namespace connectrun::transforms {

class ExtractField : public Transformation {
 public:
  explicit ExtractField(Side side) : side_(side) {}
  void configure(const config::ConfigValues& cfg) override;
  bool apply_in_place(Record& record) override;
  static config::ConfigSpec spec();

 private:
  Side side_;
  std::string original_;
  bool replace_null_with_default_ = true;
  std::optional<SingleFieldPath> path_;
};

}  // namespace connectrun::transforms
