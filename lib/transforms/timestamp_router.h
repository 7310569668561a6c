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
  bool apply_in_place(Record& record) override;
  static config::ConfigSpec spec();

 private:
  std::string topic_format_;
  std::optional<JavaDateFormat> timestamp_format_;
  // The last (topic, formatted timestamp) and the name made of them: records
  // of one topic and day repeat it, so the replacements run once per change.
  std::string last_topic_, last_timestamp_, last_result_;
  int64_t last_millis_ = 0;  // the last record's timestamp, formatted as last_timestamp_
  bool have_last_ = false;
};

}  // namespace connectrun::transforms
