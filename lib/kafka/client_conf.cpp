// librdkafka's side of the client keys (client_keys.h): confs built from
// them, and librdkafka's own verdict on one key. In the Kafka module.
#include "kafka/rdkafka_handles.h"

#include <fmt/format.h>

#include "plugin/connector.h"

namespace connectrun {

std::optional<std::string> conf_problem(const std::string& key, const std::string& value) {
  char err[512];
  RdConf conf(rd_kafka_conf_new());
  if (rd_kafka_conf_set(conf.get(), key.c_str(), value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK)
    return fmt::format("librdkafka: {}", err);
  return std::nullopt;
}

void conf_set(rd_kafka_conf_t* conf, const std::string& key, const std::string& value, const std::string& connector) {
  char err[512];
  if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK)
    throw ConnectError(fmt::format("connector '{}': Kafka client key '{}': librdkafka: {}", connector, key, err));
}

RdConf make_conf(const std::vector<std::pair<std::string, std::string>>& settings, const std::string& connector) {
  RdConf conf(rd_kafka_conf_new());
  for (auto& [k, v] : settings) conf_set(conf.get(), k, v, connector);
  return conf;
}

}  // namespace connectrun
