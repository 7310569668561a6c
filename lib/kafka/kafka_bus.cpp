#include "kafka/kafka_clients.h"
#include "kafka/kafka_bus.h"

#include <algorithm>

#include <fmt/format.h>

#include "plugin/connector.h"
#include "kafka/sink_offsets.h"
#include "transforms/regex.h"

namespace connectrun {

std::unique_ptr<TopicBus> make_kafka_bus(const JobPlan& plan, bool once) { return std::make_unique<KafkaBus>(plan, once); }

const ConnectorPlan* KafkaBus::find(const std::string& connector) const {
  for (auto& c : plan()->connectors)
    if (c.name == connector) return &c;
  return nullptr;
}

KafkaProducerOptions KafkaBus::producer_options(const std::string& connector, const std::string& role) {
  const ConnectorPlan* c = find(connector);
  static const ClientKeys none;
  KafkaProducerOptions o;
  o.connector = connector;
  o.settings = client_settings(plan()->client, c ? c->client : none, ClientRole::Producer);
  o.close_timeout = std::chrono::milliseconds(plan()->worker.get_long("offset.flush.timeout.ms"));
  o.metrics = metrics_for(connector + "/" + role);
  o.once = once_;
  return o;
}

std::unique_ptr<BusProducer> KafkaBus::producer(const std::string& connector) {
  KafkaProducerOptions o = producer_options(connector, "producer");
  const ConnectorPlan* c = find(connector);
  if (c && c->is_source && plan()->worker.get_bool("topic.creation.enable")) {
    o.create_partitions = c->topic_partitions;
    o.create_replication = c->topic_replication;
  }
  if (c && c->plugin_cfg.has("topic")) o.known_topics.push_back(c->plugin_cfg.get_string("topic"));
  o.keep_spare_strings = true;  // producer() serves source tasks only (dead letters: dlq_producer)
  return make_kafka_producer(std::move(o));
}

bool KafkaBus::exactly_once() const { return exactly_once_sources(plan()->worker); }

// Kafka Connect's transactional id for a source task: ${groupId}-${connector}-${taskId}.
std::unique_ptr<TransactionalProducer> KafkaBus::transactional_producer(const std::string& connector, int task) {
  const ConnectorPlan* c = find(connector);
  static const ClientKeys none;
  KafkaTxnOptions o;
  o.connector = connector;
  o.task = task;
  o.transactional_id = fmt::format("{}-{}-{}", plan()->worker.get_string("group.id"), connector, task);
  o.offsets_topic = plan()->worker.get_string("offset.storage.topic");
  o.settings = client_settings(plan()->client, c ? c->client : none, ClientRole::Producer);
  o.timeout = std::max(o.timeout, std::chrono::milliseconds(plan()->worker.get_long("offset.flush.timeout.ms")));
  o.metrics = metrics_for(fmt::format("{}/producer-{}", connector, task));
  return make_kafka_txn_producer(std::move(o));
}

// Kafka Connect creates a missing dead letter topic with one partition and
// errors.deadletterqueue.topic.replication.factor replicas.
std::unique_ptr<BusProducer> KafkaBus::dlq_producer(const std::string& connector) {
  KafkaProducerOptions o = producer_options(connector, "dlq-producer");
  o.create_partitions = 1;
  if (const ConnectorPlan* c = find(connector))
    o.create_replication = static_cast<int>(c->common.get_long("errors.deadletterqueue.topic.replication.factor"));
  return make_kafka_producer(std::move(o));
}

std::unique_ptr<BusConsumer> KafkaBus::consumer(const std::string& connector, const Subscription& sub,
                                                ConsumerTask task) {
  const ConnectorPlan* c = find(connector);
  static const ClientKeys none;
  KafkaConsumerOptions o;
  o.connector = connector;
  o.settings = client_settings(plan()->client, c ? c->client : none, ClientRole::Consumer);
  o.subscription = sub;
  o.task = task;
  o.once = once_;
  o.stopping = &stopping_;
  if (once_ && std::any_of(plan()->connectors.begin(), plan()->connectors.end(), [](auto& p) { return p.is_source; }))
    o.sources_done = &sources_done_;
  o.metrics = metrics_for(connector + (task.id == 0 ? "/consumer" : fmt::format("/consumer-{}", task.id)));
  // Headers are decoded unless nothing would read them: a sink that ignores them (PluginInfo::reads_headers),
  // no transform or predicate, no dead letter queue (it copies them) and no record logged in full.
  if (c && c->plugin && !c->plugin->reads_headers && c->common.get_list("transforms").empty() && c->dlq_topic.empty() &&
      !c->common.get_bool("errors.log.include.messages"))
    o.headers = false;
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

std::optional<int64_t> KafkaBus::sink_lag(const std::string& connector) {
  std::lock_guard lock(metrics_mu_);
  // Summed over the connector's tasks: "NAME/consumer", "NAME/consumer-1", …
  const std::string prefix = connector + "/consumer";
  std::optional<int64_t> lag;
  for (auto it = metrics_.lower_bound(prefix); it != metrics_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
    std::string_view rest = std::string_view(it->first).substr(prefix.size());
    if (!rest.empty() && rest[0] != '-') continue;
    if (auto l = it->second->consumer_lag()) lag = lag.value_or(0) + *l;
  }
  return lag;
}

rd_kafka_resp_err_t subscribed_partitions(rd_kafka_t* rk, const Subscription& sub, int timeout_ms, TopicPartitions& out) {
  out.clear();
  const rd_kafka_metadata_t* md = nullptr;
  // All topics: asking for the subscribed names would let the broker auto-create them.
  if (auto e = rd_kafka_metadata(rk, 1, nullptr, &md, timeout_ms)) return e;
  std::unique_ptr<const rd_kafka_metadata_t, void (*)(const rd_kafka_metadata_t*)> owner(md, rd_kafka_metadata_destroy);
  std::optional<transforms::JavaRegex> re;
  if (!sub.topics_regex.empty()) re.emplace(sub.topics_regex, "topics.regex");  // validated before: compiles
  for (int i = 0; i < md->topic_cnt; ++i) {
    const auto& t = md->topics[i];
    std::string name = t.topic;
    bool wanted = std::find(sub.topics.begin(), sub.topics.end(), name) != sub.topics.end() || (re && re->full_match(name));
    if (!wanted || t.err != RD_KAFKA_RESP_ERR_NO_ERROR) continue;
    auto& ids = out[name];
    for (int p = 0; p < t.partition_cnt; ++p) ids.push_back(t.partitions[p].id);
  }
  return RD_KAFKA_RESP_ERR_NO_ERROR;
}

RdPartitions partition_list(const TopicPartitions& tps) {
  RdPartitions list(rd_kafka_topic_partition_list_new(16));
  for (auto& [topic, ids] : tps)
    for (int32_t id : ids) rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), id);
  return list;
}

std::vector<SinkOffset> KafkaBus::sink_positions(const std::string& connector) {
  const ConnectorPlan* sink = find(connector);
  return sink ? list_sink_offsets(*plan(), *sink) : std::vector<SinkOffset>{};
}

}  // namespace connectrun
