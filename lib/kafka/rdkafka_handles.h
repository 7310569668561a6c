// RAII handles for librdkafka objects, and a conf built from layered settings.
// Only the kafka room includes this (and so rdkafka.h).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <librdkafka/rdkafka.h>

namespace connectrun {

struct RdKafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
  void operator()(rd_kafka_topic_t* t) const { rd_kafka_topic_destroy(t); }
  void operator()(rd_kafka_conf_t* c) const { rd_kafka_conf_destroy(c); }
  void operator()(rd_kafka_topic_partition_list_t* l) const { rd_kafka_topic_partition_list_destroy(l); }
  void operator()(rd_kafka_message_t* m) const { rd_kafka_message_destroy(m); }
  void operator()(rd_kafka_headers_t* h) const { rd_kafka_headers_destroy(h); }
  void operator()(rd_kafka_queue_t* q) const { rd_kafka_queue_destroy(q); }
  void operator()(rd_kafka_event_t* e) const { rd_kafka_event_destroy(e); }
  void operator()(rd_kafka_NewTopic_t* t) const { rd_kafka_NewTopic_destroy(t); }
  void operator()(rd_kafka_AdminOptions_t* o) const { rd_kafka_AdminOptions_destroy(o); }
};
using RdKafka = std::unique_ptr<rd_kafka_t, RdKafkaDeleter>;
using RdConf = std::unique_ptr<rd_kafka_conf_t, RdKafkaDeleter>;
using RdPartitions = std::unique_ptr<rd_kafka_topic_partition_list_t, RdKafkaDeleter>;
using RdMessage = std::unique_ptr<rd_kafka_message_t, RdKafkaDeleter>;
using RdTopic = std::unique_ptr<rd_kafka_topic_t, RdKafkaDeleter>;

// A conf with every setting applied; throws ConnectError naming the key and
// librdkafka's message when one is refused.
RdConf make_conf(const std::vector<std::pair<std::string, std::string>>& settings, const std::string& connector);
void conf_set(rd_kafka_conf_t* conf, const std::string& key, const std::string& value, const std::string& connector);
// librdkafka's message ("librdkafka: …") when rd_kafka_conf_set refuses key = value, else nullopt.
std::optional<std::string> conf_problem(const std::string& key, const std::string& value);

}  // namespace connectrun
