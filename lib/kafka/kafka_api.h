// The Kafka client (lib/kafka, librdkafka) as the rest of connectrun calls it.
// In the connectrun binary lib/kafka is a module, modules/connectrun-kafka.so,
// loaded on the first call of kafka_api(): a job on the in-process bus without
// offset.storage.topic, group.id or Kafka client keys maps neither it nor
// librdkafka (and librdkafka's OpenSSL, SASL and compressors). The tests and
// fuzz targets link lib/kafka in (kafka_linked.cpp).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bus/bus.h"
#include "kafka/task_group.h"
#include "offsets/offset_backing_store.h"

namespace connectrun {

struct JobPlan;
struct ConnectorPlan;

// librdkafka's mock cluster (mock_cluster.h), without rdkafka.h: `connectrun broker`.
class MockBroker {
 public:
  virtual ~MockBroker() = default;
  virtual const std::string& bootstrap() const = 0;
};

// The entry points; each is what the header named beside it declares.
struct KafkaApi {
  const char* (*version)();  // rd_kafka_version_str(): the librdkafka loaded
  std::unique_ptr<TopicBus> (*make_bus)(const JobPlan&, bool once);                    // kafka_bus.h
  std::unique_ptr<OffsetBackingStore> (*make_offset_store)(const JobPlan&, bool create);  // kafka_offset_store.h
  std::unique_ptr<TaskGroup> (*make_task_group)(const JobPlan&, int partitions, const std::string& worker_id);
  // librdkafka's message when rd_kafka_conf_set refuses key = value (client_keys.h's check), else nullopt.
  std::optional<std::string> (*conf_problem)(const std::string& key, const std::string& value);
  std::vector<SinkOffset> (*list_sink_offsets)(const JobPlan&, const ConnectorPlan&);  // sink_offsets.h
  std::vector<SinkOffset> (*reset_sink_offsets)(const JobPlan&, const ConnectorPlan&);
  int64_t (*set_sink_offset)(const JobPlan&, const ConnectorPlan&, const std::string& topic, int32_t partition,
                             std::optional<int64_t> offset);
  std::unique_ptr<MockBroker> (*mock_broker)(int brokers, const std::vector<std::pair<std::string, int>>& topics);
};

// The Kafka client, its module loaded on first use; throws std::runtime_error
// naming the module's path, dlopen's reason and the package to install when
// it cannot be loaded.
const KafkaApi& kafka_api();

// lib/kafka's own functions in a KafkaApi: what kafka_api() returns where
// lib/kafka is linked in, and what the module hands the binary.
const KafkaApi& kafka_api_table();

// The librdkafka version for --version --json and /metrics: the loaded
// library's when the Kafka client is loaded, else the one connectrun was
// built against (RD_KAFKA_VERSION, formatted as rd_kafka_version_str does:
// the same on Debian, where both come from one librdkafka-dev/librdkafka1).
std::string librdkafka_version();

}  // namespace connectrun
