// Filter: drops every record it is applied to; used with a predicate
// (Kafka's org.apache.kafka.connect.transforms.Filter).
#pragma once

#include "plugin/transform.h"

namespace connectrun::transforms {

class Filter : public Transformation {
 public:
  void configure(const config::ConfigValues&) override {}
  std::optional<Record> apply(Record&&) override { return std::nullopt; }
};

}  // namespace connectrun::transforms
