#include "transforms/timestamp_router.h"

#include <fmt/format.h>

#include "bus/topic_name.h"
#include "transforms/transforms.h"
#include "transforms/util.h"

namespace connectrun::transforms {

namespace {
void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size()))
    s.replace(pos, from.size(), to);
}
}  // namespace

config::ConfigSpec TimestampRouter::spec() {
  config::ConfigSpec s;
  s.define({"topic.format", config::KeyType::String, config::ConfigValue{std::string("${topic}-${timestamp}")},
            "Format string which can contain ${topic} and ${timestamp} as placeholders for the topic and timestamp, "
            "respectively.",
            std::nullopt});
  s.define({"timestamp.format", config::KeyType::String, config::ConfigValue{std::string("yyyyMMdd")},
            "Format string for the timestamp that is compatible with java.text.SimpleDateFormat.", std::nullopt});
  return s;
}

void TimestampRouter::configure(const config::ConfigValues& cfg) {
  topic_format_ = cfg.get_string("topic.format");
  have_last_ = false;
  try {
    timestamp_format_.emplace(cfg.get_string("timestamp.format"));
  } catch (const std::invalid_argument& e) {
    throw config::ConfigError("timestamp.format", fmt::format("Invalid SimpleDateFormat pattern: {}", e.what()));
  }
}

bool TimestampRouter::apply_in_place(Record& record) {
  if (!record.timestamp)
    throw DataException(fmt::format("Timestamp missing on record: topic={} partition={}", record.topic,
                                    record.partition ? std::to_string(*record.partition) : "null"));
  // A poll's records usually share their timestamp and topic: the same input, the same name.
  if (have_last_ && *record.timestamp == last_millis_ && same_name(record.topic, last_topic_)) {
    record.topic = last_result_;
    return true;
  }
  std::string timestamp = timestamp_format_->format(*record.timestamp);
  last_millis_ = *record.timestamp;
  if (!have_last_ || record.topic != last_topic_ || timestamp != last_timestamp_) {
    std::string topic = topic_format_;
    // Kafka replaces ${topic} first, then ${timestamp}, each everywhere.
    replace_all(topic, "${topic}", record.topic);
    replace_all(topic, "${timestamp}", timestamp);
    last_topic_ = record.topic;
    last_timestamp_ = std::move(timestamp);
    last_result_ = std::move(topic);
    have_last_ = true;
  }
  record.topic = last_result_;
  return true;
}

void register_timestamp_router(PluginRegistry& registry) {
  add_transform(registry, "TimestampRouter", "Renames the topic with the record's timestamp",
                "Update the record's topic field as a function of the original topic value and the record "
                "timestamp. This is mainly useful for sink connectors, since the topic field is often used to "
                "determine the equivalent entity name in the destination system (e.g. database table or search "
                "index name).",
                TimestampRouter::spec(), [] { return std::make_unique<TimestampRouter>(); });
}

}  // namespace connectrun::transforms
