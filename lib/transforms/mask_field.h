// MaskField: replaces fields by their type's "zero" or by a replacement
// (Kafka's org.apache.kafka.connect.transforms.MaskField$Key / $Value).
#pragma once

#include <optional>
#include <set>

#include "plugin/transform.h"
#include "transforms/util.h"

namespace connectrun::transforms {

class MaskField : public Transformation {
 public:
  explicit MaskField(Side side) : side_(side) {}
  void configure(const config::ConfigValues& cfg) override;
  bool apply_in_place(Record& record) override;
  static config::ConfigSpec spec();

  // The masked form of one value (null stays null); throws DataException.
  static Value masked(const Value& v, const std::optional<std::string>& replacement);

 private:
  Side side_;
  std::vector<std::string> fields_;
  std::optional<std::string> replacement_;
};

}  // namespace connectrun::transforms
