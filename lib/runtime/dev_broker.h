// `connectrun broker`: a Kafka-protocol broker for development and tests,
// built on librdkafka's mock cluster. Data lives in memory only, and the mock
// cluster keeps only about 5 MB per partition, silently dropping older data.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "runtime/kafka_client_config.h"  // rdkafka.h first: rdkafka_mock.h needs it

#include <librdkafka/rdkafka_mock.h>

namespace connectrun {

class DevBroker {
 public:
  // Throws std::runtime_error when the cluster or a topic cannot be created.
  explicit DevBroker(int brokers, const std::vector<std::pair<std::string, int>>& topics = {});
  ~DevBroker();
  DevBroker(const DevBroker&) = delete;
  DevBroker& operator=(const DevBroker&) = delete;
  const std::string& bootstrap() const { return bootstrap_; }
  rd_kafka_mock_cluster_t* cluster() const { return cluster_; }
  void create_topic(const std::string& name, int partitions);

 private:
  RdKafka rk_;  // the handle the mock cluster hangs off; destroyed after it
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  std::string bootstrap_;
};

// "name:partitions" (partitions default 1); nullopt-like {"" ,0} when malformed.
std::pair<std::string, int> parse_topic_spec(const std::string& spec);

// Runs the broker until SIGINT/SIGTERM, printing the bootstrap address first.
int run_dev_broker(int brokers, const std::vector<std::string>& topic_specs);

}  // namespace connectrun
