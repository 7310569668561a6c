// The Kafka topic bus: source connectors produce to a Kafka cluster with
// librdkafka's idempotent producer, sink connectors consume from it in the
// group connect-<name>, committing only what the sink flushed.
#pragma once

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <vector>
#include <map>
#include <memory>
#include <string>

#include "bus/bus.h"
#include "plan/job_config.h"
#include "kafka/client_keys.h"
#include "kafka/rdkafka_handles.h"
#include "kafka/kafka_stats.h"

namespace spdlog { class logger; }

namespace connectrun {

class KafkaBus : public TopicBus {
 public:
  KafkaBus(const JobPlan& plan, bool once) : latest_(&plan), once_(once) {}
  std::unique_ptr<BusProducer> producer(const std::string& connector) override;
  std::unique_ptr<BusConsumer> consumer(const std::string& connector, const Subscription& sub,
                                        ConsumerTask task = {}) override;
  std::unique_ptr<BusProducer> dlq_producer(const std::string& connector) override;
  bool exactly_once() const override;
  std::unique_ptr<TransactionalProducer> transactional_producer(const std::string& connector, int task) override;
  void stop_consumers() override { stopping_.store(true); }
  void sources_finished() override { sources_done_.store(true); }
  std::vector<MetricSample> client_metrics() const override;
  std::optional<int64_t> sink_lag(const std::string& connector) override;
  std::vector<SinkOffset> sink_positions(const std::string& connector) override;
  void plan_changed(const JobPlan& plan) override { latest_.store(&plan); }  // called by the Herder, under its lock

 private:
  std::shared_ptr<KafkaClientMetrics> metrics_for(const std::string& connector);
  // What every producer of `connector` shares: its client keys, close timeout, metrics.
  struct KafkaProducerOptions producer_options(const std::string& connector, const std::string& role);
  const ConnectorPlan* find(const std::string& connector) const;
  // The latest plan (SIGHUP); every generation stays alive, and worker keys
  // never change. Atomic: REST threads read it while a reload replaces it.
  std::atomic<const JobPlan*> latest_;
  const JobPlan* plan() const { return latest_.load(); }
  bool once_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> sources_done_{false};
  mutable std::mutex metrics_mu_;
  std::map<std::string, std::shared_ptr<KafkaClientMetrics>> metrics_;  // by client ("connector/role")
};

// Per-client options beyond the user's keys.
struct KafkaProducerOptions {
  std::string connector;
  std::vector<std::pair<std::string, std::string>> settings;  // user keys, already layered
  // KIP-158 topic creation for topics this producer has not seen (empty = rely
  // on the broker's auto-creation, as Kafka Connect does).
  std::optional<int> create_partitions;
  std::optional<int> create_replication;
  std::chrono::milliseconds close_timeout{5000};
  std::shared_ptr<KafkaClientMetrics> metrics;  // filled by the statistics callback when set
  std::vector<std::string> known_topics;  // looked up at once (the connector's `topic`), not at the first record
  bool once = false;  // --once: give up when no broker answers (broker_watch.h)
  // A source task's producer: it copies each value into librdkafka's message
  // (RD_KAFKA_MSG_F_COPY), so the value's string is done with on the source's
  // own thread, and kept in the producer's pool (spare_strings) for the source
  // to fill again rather than freed (glibc's per-thread cache holds 7 chunks a size).
  bool keep_spare_strings = false;
};

std::unique_ptr<BusProducer> make_kafka_producer(KafkaProducerOptions opts);

// Produces one record (its headers copied) with `opaque` for its delivery
// report; librdkafka's error when refused at once (the caller polls and tries
// again on __QUEUE_FULL).
rd_kafka_resp_err_t produce_record(rd_kafka_t* rk, rd_kafka_topic_t* topic, const BusRecord& r, void* opaque);

// exactly.once.source.support=enabled: task `task` of the source connector's
// transactional producer (transactional.id <group.id>-<connector>-<task>),
// with init_transactions done. Throws ConnectError when that fails.
struct KafkaTxnOptions {
  std::string connector;
  int task = 0;
  std::string transactional_id;
  std::string offsets_topic;
  std::vector<std::pair<std::string, std::string>> settings;  // user keys, already layered
  std::chrono::milliseconds timeout{30000};  // init and commit (offset.flush.timeout.ms at least)
  std::shared_ptr<KafkaClientMetrics> metrics;
};
std::unique_ptr<TransactionalProducer> make_kafka_txn_producer(KafkaTxnOptions opts);

struct KafkaConsumerOptions {
  std::string connector;
  std::vector<std::pair<std::string, std::string>> settings;
  Subscription subscription;
  ConsumerTask task;  // one consumer per sink task, all in the connector's group
  bool once = false;
  const std::atomic<bool>* stopping = nullptr;  // the bus's: End at the next poll once set
  // --once in a job with source connectors: set once they finished
  // (TopicBus::sources_finished); the consumer ends only after that, at the
  // ends its topics have then. nullptr: nothing to wait for.
  const std::atomic<bool>* sources_done = nullptr;
  std::shared_ptr<KafkaClientMetrics> metrics;
  bool headers = true;  // decode each message's headers into its record (false: nothing downstream reads them)
};

std::unique_ptr<BusConsumer> make_kafka_consumer(KafkaConsumerOptions opts);

// The subscription's topics that exist in the cluster (topics.regex in Java
// syntax, whole names) with their partition ids, from one metadata request;
// an error code when the cluster cannot be asked.
using TopicPartitions = std::map<std::string, std::vector<int32_t>>;
rd_kafka_resp_err_t subscribed_partitions(rd_kafka_t* rk, const Subscription& sub, int timeout_ms, TopicPartitions& out);
// Every partition of `tps` in a librdkafka list (offsets unset), to assign or query.
RdPartitions partition_list(const TopicPartitions& tps);

// Logs librdkafka's errors and log lines through spdlog, at most once per
// interval for the same error, so an unreachable broker is not a flood.
// The conf's opaque must be a ClientLog that outlives the client.
struct ClientLog {
  std::shared_ptr<spdlog::logger> log;
  void* owner = nullptr;  // the producer or consumer, for its own callbacks
  std::shared_ptr<KafkaClientMetrics> metrics;  // statistics callback target, when set
  std::mutex mu;
  std::map<int, std::chrono::steady_clock::time_point> last;  // error code → last logged
  bool should_log(int code, std::chrono::seconds interval);
  // --once and no broker answered (broker_watch.h): the reason, then the flag
  // (release), so a delivery report that sees the flag reads the reason.
  std::string gave_up_reason;
  std::atomic<bool> gave_up{false};
};
void install_log_callbacks(rd_kafka_conf_t* conf, ClientLog* log);

}  // namespace connectrun
