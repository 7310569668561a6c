#include "kafka/client_keys.h"
#include "kafka/kafka_api.h"

#include <fmt/format.h>

#include "plugin/connector.h"

namespace connectrun {

namespace {
bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) { return s.size() >= p.size() && s.substr(s.size() - p.size()) == p; }
std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
}  // namespace

bool is_worker_client_key(const std::string& key) {
  // statistics.interval.ms: librdkafka's statistics feed /metrics, so one worker
  // key sets their interval for every client (0 turns them off).
  return key == "bootstrap.servers" || key == "security.protocol" || key == "statistics.interval.ms" ||
         starts_with(key, "sasl.") || starts_with(key, "ssl.");
}

std::string override_prefix(ClientRole r) {
  return r == ClientRole::Producer ? "producer.override." : r == ClientRole::Consumer ? "consumer.override." : "admin.override.";
}

std::string worker_prefix(ClientRole r) {
  return r == ClientRole::Producer ? "producer." : r == ClientRole::Consumer ? "consumer." : "admin.";
}

bool is_secret_client_key(const std::string& key) {
  std::string k = lower(key);
  return k.find("password") != std::string::npos || k.find("secret") != std::string::npos ||
         ends_with(k, "sasl.jaas.config") || ends_with(k, "ssl.key.pem") || ends_with(k, "ssl.keystore.key");
}

std::optional<std::string> java_only_key_problem(const std::string& key, const std::string& value) {
  if (starts_with(key, "ssl.truststore."))
    return "Java truststores are not read by librdkafka; give the CA certificate(s) as a PEM file with "
           "ssl.ca.location (convert a JKS truststore with keytool -exportcert -rfc)";
  if (key == "ssl.keystore.type" && lower(value) != "pkcs12")
    return fmt::format("librdkafka cannot read a {} keystore; use ssl.certificate.location and ssl.key.location (PEM), "
                       "or a PKCS#12 file with ssl.keystore.location", value);
  if (key == "ssl.keystore.type")
    return "librdkafka has no ssl.keystore.type: ssl.keystore.location is always read as PKCS#12; remove the key";
  if (key == "ssl.keystore.location" && (ends_with(lower(value), ".jks")))
    return "librdkafka cannot read a JKS keystore; use ssl.certificate.location and ssl.key.location (PEM), or "
           "convert it to PKCS#12 for ssl.keystore.location";
  if (key == "sasl.jaas.config")
    return "librdkafka has no JAAS; use sasl.username and sasl.password (PLAIN, SCRAM) or the "
           "sasl.oauthbearer.* keys (OAUTHBEARER)";
  if (key == "key.serializer" || key == "value.serializer" || key == "key.deserializer" || key == "value.deserializer")
    return "serialisation is done by the connector's converters (key.converter, value.converter); remove the key";
  if (ends_with(key, ".class") || ends_with(key, ".classes"))
    return "names a Java class, which librdkafka cannot load; remove the key";
  if (key == "enable.auto.commit" || key == "enable.auto.offset.store")
    return "connectrun commits a sink's offsets itself, only after the sink flushed them; the key cannot be set";
  return std::nullopt;
}

void validate_client_keys(const config::RawConfig& keys, const std::string& shown_prefix, ClientRole role,
                          const std::string& connector, config::Problems& problems) {
  for (auto& [k, e] : keys) {
    std::string shown = shown_prefix + k;
    if (auto p = java_only_key_problem(k, e.value)) {
      problems.add(e.loc, connector, shown, *p);
      continue;
    }
    // librdkafka's own check: the Kafka client (a module in the connectrun binary) is loaded here.
    std::optional<std::string> refused;
    try {
      refused = kafka_api().conf_problem(k, e.value);
    } catch (const std::exception& ex) {
      refused = ex.what();
    }
    if (refused) {
      problems.add(e.loc, connector, shown, *refused);
      continue;
    }
    // A key of the other client kind is accepted by conf_set but ignored by the
    // client: say so rather than let it pass silently.
    if (role == ClientRole::Producer && (k == "group.id" || k == "auto.offset.reset" || k == "fetch.min.bytes" ||
                                         k == "max.poll.interval.ms" || k == "session.timeout.ms"))
      problems.add(e.loc, connector, shown, "a consumer key, which the producer ignores; use the consumer prefix");
    if (role == ClientRole::Consumer && (k == "acks" || k == "linger.ms" || k == "enable.idempotence" ||
                                         k == "compression.type" || k == "batch.size"))
      problems.add(e.loc, connector, shown, "a producer key, which the consumer ignores; use the producer prefix");
  }
}

std::vector<std::pair<std::string, std::string>> client_settings(const ClientKeys& worker, const ClientKeys& overrides,
                                                                 ClientRole role) {
  std::map<std::string, std::string> merged;
  for (auto* layer : {&worker.common, &worker.of(role), &overrides.of(role)})
    for (auto& [k, e] : *layer) merged[k] = e.value;
  return {merged.begin(), merged.end()};
}

}  // namespace connectrun
