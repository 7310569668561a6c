// TimestampRouter: renames the topic from a format with ${topic} and
// ${timestamp} (Kafka's org.apache.kafka.connect.transforms.TimestampRouter).
#pragma once

#include <optional>

#include "plugin/transform.h"
#include "transforms/date_format.h"

namespace connectrun::transforms {

class TimestampRouter : public Transformation {
 public:
  void configure(const config::ConfigValues& cfg) override;
  std::optional<Record> apply(Record&& record) override;
  static config::ConfigSpec spec();

 private:
  std::string topic_format_;
  std::optional<JavaDateFormat> timestamp_format_;
};

}  // namespace connectrun::transforms
