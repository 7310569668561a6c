// InsertHeader: adds a header with a literal value, parsed as
// SimpleHeaderConverter parses header text (Kafka's org.apache.kafka.connect.transforms.InsertHeader).
#pragma once

#include "plugin/transform.h"

namespace connectrun::transforms {

class InsertHeader : public Transformation {
 public:
  void configure(const config::ConfigValues& cfg) override;
  bool apply_in_place(Record& record) override;
  static config::ConfigSpec spec();

 private:
  std::string header_;
  SchemaPtr schema_;
  Value value_;
};

}  // namespace connectrun::transforms
