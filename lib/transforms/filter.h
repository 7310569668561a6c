// Filter: drops every record it is applied to; used with a predicate
// (Kafka's org.apache.kafka.connect.transforms.Filter).
#pragma once

#include "plugin/transform.h"

namespace connectrun::transforms {

class Filter : public Transformation {
 public:
  void configure(const config::ConfigValues&) override {}
  bool apply_in_place(Record&) override { return false; }
};

}  // namespace connectrun::transforms
