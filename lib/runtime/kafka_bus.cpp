#include "runtime/kafka_bus.h"

#include <fmt/format.h>

#include "plugin/connector.h"

namespace connectrun {

const ConnectorPlan* KafkaBus::find(const std::string& connector) const {
  for (auto& c : plan_->connectors)
    if (c.name == connector) return &c;
  return nullptr;
}

std::unique_ptr<BusProducer> KafkaBus::producer(const std::string& connector) {
  const ConnectorPlan* c = find(connector);
  static const ClientKeys none;
  KafkaProducerOptions o;
  o.connector = connector;
  o.settings = client_settings(plan_->client, c ? c->client : none, ClientRole::Producer);
  if (c && c->is_source && plan_->worker.get_bool("topic.creation.enable")) {
    o.create_partitions = c->topic_partitions;
    o.create_replication = c->topic_replication;
  }
  o.close_timeout = std::chrono::milliseconds(plan_->worker.get_long("offset.flush.timeout.ms"));
  o.metrics = metrics_for(connector + "/producer");
  if (c && c->plugin_cfg.has("topic")) o.known_topics.push_back(c->plugin_cfg.get_string("topic"));
  return make_kafka_producer(std::move(o));
}

// Kafka Connect creates a missing dead letter topic with one partition and
// errors.deadletterqueue.topic.replication.factor replicas.
std::unique_ptr<BusProducer> KafkaBus::dlq_producer(const std::string& connector) {
  const ConnectorPlan* c = find(connector);
  static const ClientKeys none;
  KafkaProducerOptions o;
  o.connector = connector;
  o.settings = client_settings(plan_->client, c ? c->client : none, ClientRole::Producer);
  o.create_partitions = 1;
  if (c) o.create_replication = static_cast<int>(c->common.get_long("errors.deadletterqueue.topic.replication.factor"));
  o.close_timeout = std::chrono::milliseconds(plan_->worker.get_long("offset.flush.timeout.ms"));
  o.metrics = metrics_for(connector + "/dlq-producer");
  return make_kafka_producer(std::move(o));
}

std::unique_ptr<BusConsumer> KafkaBus::consumer(const std::string& connector, const Subscription& sub) {
  const ConnectorPlan* c = find(connector);
  static const ClientKeys none;
  KafkaConsumerOptions o;
  o.connector = connector;
  o.settings = client_settings(plan_->client, c ? c->client : none, ClientRole::Consumer);
  o.subscription = sub;
  o.once = once_;
  o.stopping = &stopping_;
  o.metrics = metrics_for(connector + "/consumer");
  return make_kafka_consumer(std::move(o));
}

// A restarted connector's new client replaces its predecessor's figures.
std::shared_ptr<KafkaClientMetrics> KafkaBus::metrics_for(const std::string& client) {
  auto m = std::make_shared<KafkaClientMetrics>();
  std::lock_guard lock(metrics_mu_);
  metrics_[client] = m;
  return m;
}

std::vector<MetricSample> KafkaBus::client_metrics() const {
  std::vector<MetricSample> out;
  std::lock_guard lock(metrics_mu_);
  for (auto& [client, m] : metrics_) {
    auto s = m->snapshot();
    out.insert(out.end(), std::make_move_iterator(s.begin()), std::make_move_iterator(s.end()));
  }
  return out;
}

}  // namespace connectrun
