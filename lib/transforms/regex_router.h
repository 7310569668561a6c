// RegexRouter: renames the topic when the whole topic matches a regex
// (Kafka's org.apache.kafka.connect.transforms.RegexRouter).
#pragma once

#include <optional>

#include "plugin/transform.h"
#include "transforms/regex.h"

namespace connectrun::transforms {

class RegexRouter : public Transformation {
 public:
  void configure(const config::ConfigValues& cfg) override;
  bool apply_in_place(Record& record) override;
  static config::ConfigSpec spec();

 private:
  std::optional<JavaRegex> regex_;
  std::string replacement_;
};

}  // namespace connectrun::transforms
