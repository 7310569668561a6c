// Client configuration for the Kafka bus: which worker and connector keys reach
// librdkafka (as connect-standalone passes them to its Java clients), how they
// are checked at validate time, and RAII handles for librdkafka objects.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <librdkafka/rdkafka.h>

#include "config/spec.h"

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

enum class ClientRole { Producer, Consumer, Admin };

// Client keys of one job: unprefixed worker client keys (bootstrap.servers,
// security.protocol, sasl.*, ssl.*, client.id) apply to every client; then the
// worker's producer.* / consumer.* / admin.*; then the connector's
// *.override.* keys. Later layers win.
struct ClientKeys {
  config::RawConfig common, producer, consumer, admin;
  const config::RawConfig& of(ClientRole r) const {
    return r == ClientRole::Producer ? producer : r == ClientRole::Consumer ? consumer : admin;
  }
  config::RawConfig& of(ClientRole r) {
    return r == ClientRole::Producer ? producer : r == ClientRole::Consumer ? consumer : admin;
  }
};

// True for an unprefixed worker key that configures the Kafka clients.
bool is_worker_client_key(const std::string& key);
// "producer.override." for Producer, etc.; "producer." for the worker prefix.
std::string override_prefix(ClientRole r);
std::string worker_prefix(ClientRole r);
// Keys whose values must never be printed.
bool is_secret_client_key(const std::string& key);

// The Java client keys librdkafka lacks, or that connectrun sets itself:
// a message naming what to use instead; nullopt when the key may pass.
std::optional<std::string> java_only_key_problem(const std::string& key, const std::string& value);

// Checks every key the way librdkafka will see it (rd_kafka_conf_set), adding
// librdkafka's own message, with the key's location, for each it rejects.
void validate_client_keys(const config::RawConfig& keys, const std::string& shown_prefix, ClientRole role,
                          const std::string& connector, config::Problems& problems);

// The effective settings of one client: `worker` layered under `overrides`.
std::vector<std::pair<std::string, std::string>> client_settings(const ClientKeys& worker, const ClientKeys& overrides,
                                                                 ClientRole role);

// A conf with every setting applied; throws ConnectError naming the key and
// librdkafka's message when one is refused.
RdConf make_conf(const std::vector<std::pair<std::string, std::string>>& settings, const std::string& connector);
void conf_set(rd_kafka_conf_t* conf, const std::string& key, const std::string& value, const std::string& connector);

}  // namespace connectrun
