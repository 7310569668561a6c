// HeaderFrom: moves or copies fields of the key or value into headers
// (Kafka's org.apache.kafka.connect.transforms.HeaderFrom$Key / $Value).
#pragma once

#include "plugin/transform.h"
#include "transforms/util.h"

namespace connectrun::transforms {

class HeaderFrom : public Transformation {
 public:
  explicit HeaderFrom(Side side) : side_(side) {}
  void configure(const config::ConfigValues& cfg) override;
  bool apply_in_place(Record& record) override;
  static config::ConfigSpec spec();

 private:
  SchemaPtr move_schema(const SchemaPtr& schema);

  Side side_;
  std::vector<std::string> fields_;
  std::vector<std::string> headers_;
  bool move_ = false;
  bool replace_null_with_default_ = true;
  SchemaCache cache_;
};

}  // namespace connectrun::transforms
