// Client configuration for the Kafka bus: which worker and connector keys reach
// librdkafka (as connect-standalone passes them to its Java clients) and how
// they are checked at validate time. Free of rdkafka.h, so the plan can hold
// them; the handles are in rdkafka_handles.h, for the kafka room only.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/spec.h"

namespace connectrun {

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

}  // namespace connectrun
