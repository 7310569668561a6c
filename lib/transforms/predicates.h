// Kafka's built-in predicates: HasHeaderKey, RecordIsTombstone, TopicNameMatches
// (org.apache.kafka.connect.transforms.predicates.*).
#pragma once

#include <optional>

#include "plugin/transform.h"
#include "transforms/regex.h"

namespace connectrun::transforms {

class HasHeaderKey : public Predicate {
 public:
  void configure(const config::ConfigValues& cfg) override;
  bool test(const Record& record) override;
  static config::ConfigSpec spec();

 private:
  std::string name_;
};

class RecordIsTombstone : public Predicate {
 public:
  void configure(const config::ConfigValues&) override {}
  bool test(const Record& record) override { return record.value.is_null(); }
};

class TopicNameMatches : public Predicate {
 public:
  void configure(const config::ConfigValues& cfg) override;
  bool test(const Record& record) override { return regex_->full_match(record.topic); }
  static config::ConfigSpec spec();

 private:
  std::optional<JavaRegex> regex_;
};

}  // namespace connectrun::transforms
