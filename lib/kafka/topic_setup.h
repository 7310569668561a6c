// What the worker's own topics (the offsets topic, a cluster's task topic)
// need at start: the cluster's metadata, waited for while no broker answers,
// and a topic created through the admin API. Only the kafka room includes this.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "kafka/rdkafka_handles.h"

namespace connectrun {

using Metadata = std::unique_ptr<const rd_kafka_metadata_t, void (*)(const rd_kafka_metadata_t*)>;

// Milliseconds left until `deadline`, for one request: 0 to 5000.
int request_ms(std::chrono::steady_clock::time_point deadline);

// The admin client's socket.timeout.ms (librdkafka's default network request
// timeout, 60 s): how long start-up waits for a broker to answer.
std::chrono::milliseconds start_bound(const std::vector<std::pair<std::string, std::string>>& admin_settings);

// One metadata request for every topic (naming a topic would let the broker
// auto-create it, with the wrong settings), retried every 0.5 s until
// `deadline`; `waiting` is called once, with librdkafka's error, when the first
// try fails. Null and `error` set when none answered in time.
Metadata wait_for_metadata(rd_kafka_t* rk, std::chrono::steady_clock::time_point deadline,
                           const std::function<void(const std::string&)>& waiting, std::string& error);

// The topic in `md` when it exists without error.
const rd_kafka_metadata_topic_t* find_topic(const rd_kafka_metadata_t* md, const std::string& topic);

struct NewTopic {
  std::string name;
  int partitions = 1;
  int replication = -1;  // -1: the brokers' default.replication.factor
  std::map<std::string, std::string> configs;
};
enum class CreateOutcome { Created, Exists, TooFewBrokers, Failed };
// Admin CreateTopics, waiting up to `timeout` for the answer; `error` says why when Failed.
CreateOutcome create_topic(rd_kafka_t* rk, const NewTopic& topic, std::chrono::milliseconds timeout, std::string& error);

}  // namespace connectrun
