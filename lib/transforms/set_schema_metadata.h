// SetSchemaMetadata: sets the key or value schema's name and/or version
// (Kafka's org.apache.kafka.connect.transforms.SetSchemaMetadata$Key / $Value).
#pragma once

#include <optional>

#include "plugin/transform.h"
#include "transforms/util.h"

namespace connectrun::transforms {

class SetSchemaMetadata : public Transformation {
 public:
  explicit SetSchemaMetadata(Side side) : side_(side) {}
  void configure(const config::ConfigValues& cfg) override;
  bool apply_in_place(Record& record) override;
  static config::ConfigSpec spec();

 private:
  Side side_;
  std::optional<std::string> name_;
  std::optional<int32_t> version_;
  bool replace_null_with_default_ = true;
  SchemaCache cache_;
};

}  // namespace connectrun::transforms
