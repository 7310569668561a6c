// DropHeaders: removes the headers with the given names
// (Kafka's org.apache.kafka.connect.transforms.DropHeaders).
#pragma once

#include <set>
#include <string>

#include "plugin/transform.h"

namespace connectrun::transforms {

class DropHeaders : public Transformation {
 public:
  void configure(const config::ConfigValues& cfg) override;
  bool apply_in_place(Record& record) override;
  static config::ConfigSpec spec();

 private:
  std::set<std::string, std::less<>> headers_;
};

}  // namespace connectrun::transforms
