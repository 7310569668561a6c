// librdkafka's mock cluster: a Kafka-protocol cluster in this process, for
// development (`connectrun broker`) and tests. Data lives in memory only, and
// it keeps only about 5 MB per partition, silently dropping older data.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "kafka/rdkafka_handles.h"  // rdkafka.h first: rdkafka_mock.h needs it

#include <librdkafka/rdkafka_mock.h>

namespace connectrun {

class MockCluster {
 public:
  // Throws std::runtime_error when the cluster or a topic cannot be created.
  explicit MockCluster(int brokers, const std::vector<std::pair<std::string, int>>& topics = {});
  ~MockCluster();
  MockCluster(const MockCluster&) = delete;
  MockCluster& operator=(const MockCluster&) = delete;
  const std::string& bootstrap() const { return bootstrap_; }
  rd_kafka_mock_cluster_t* cluster() const { return cluster_; }
  void create_topic(const std::string& name, int partitions);

 private:
  RdKafka rk_;  // the handle the mock cluster hangs off; destroyed after it
  rd_kafka_mock_cluster_t* cluster_ = nullptr;
  std::string bootstrap_;
};

}  // namespace connectrun
