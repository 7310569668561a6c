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
  return make_kafka_consumer(std::move(o));
}

}  // namespace connectrun
