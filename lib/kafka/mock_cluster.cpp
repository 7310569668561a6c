#include "kafka/mock_cluster.h"

#include <stdexcept>

#include <fmt/format.h>

namespace connectrun {

MockCluster::MockCluster(int brokers, const std::vector<std::pair<std::string, int>>& topics) {
  RdConf conf(rd_kafka_conf_new());
  char err[512];
  // A producer handle with no brokers of its own: the mock cluster needs a host handle.
  rd_kafka_conf_set(conf.get(), "log_level", "3", err, sizeof err);
  rk_.reset(rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), err, sizeof err));
  if (!rk_) throw std::runtime_error(fmt::format("cannot create the mock cluster's handle: {}", err));
  conf.release();
  cluster_ = rd_kafka_mock_cluster_new(rk_.get(), brokers);
  if (!cluster_) throw std::runtime_error("librdkafka could not create the mock cluster");
  bootstrap_ = rd_kafka_mock_cluster_bootstraps(cluster_);
  for (auto& [name, partitions] : topics) create_topic(name, partitions);
}

MockCluster::~MockCluster() {
  if (cluster_) rd_kafka_mock_cluster_destroy(cluster_);
}

void MockCluster::create_topic(const std::string& name, int partitions) {
  if (auto e = rd_kafka_mock_topic_create(cluster_, name.c_str(), partitions, 1))
    throw std::runtime_error(fmt::format("cannot create topic '{}': {}", name, rd_kafka_err2str(e)));
}

}  // namespace connectrun
