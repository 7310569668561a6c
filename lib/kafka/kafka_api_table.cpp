// lib/kafka's entry points in one KafkaApi table (kafka_api.h).
#include "kafka/kafka_api.h"

#include "kafka/kafka_bus.h"
#include "kafka/kafka_offset_store.h"
#include "kafka/mock_cluster.h"
#include "kafka/rdkafka_handles.h"
#include "kafka/sink_offsets.h"

namespace connectrun {

namespace {

class MockClusterBroker final : public MockBroker {
 public:
  MockClusterBroker(int brokers, const std::vector<std::pair<std::string, int>>& topics) : cluster_(brokers, topics) {}
  const std::string& bootstrap() const override { return cluster_.bootstrap(); }

 private:
  MockCluster cluster_;
};

}  // namespace

const KafkaApi& kafka_api_table() {
  static const KafkaApi table{
      .version = rd_kafka_version_str,
      .make_bus = make_kafka_bus,
      .make_offset_store = make_kafka_offset_store,
      .make_task_group = make_task_group,
      .conf_problem = conf_problem,
      .list_sink_offsets = list_sink_offsets,
      .reset_sink_offsets = reset_sink_offsets,
      .set_sink_offset = set_sink_offset,
      .mock_broker = [](int brokers, const std::vector<std::pair<std::string, int>>& topics)
          -> std::unique_ptr<MockBroker> { return std::make_unique<MockClusterBroker>(brokers, topics); },
  };
  return table;
}

}  // namespace connectrun
