// What the REST interface reports about a connector's traffic on the bus:
// the topics it used (Kafka's "active topics": those a source produced to, a
// sink consumed from) and the bytes of its records. The Herder hands its
// workers a TrafficBus wrapping the real bus, which counts as records pass.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "bus/bus.h"
#include "bus/topic_name.h"

namespace connectrun {

struct ConnectorTraffic {
  std::atomic<uint64_t> bytes{0};  // key, value and header bytes of the records sent (source) / consumed (sink)
  void add_topic(const std::string& topic);
  // `topic` unless it is `last`'s (then `last` points at it): batches are mostly runs of one
  // topic, so the lock is taken once a run.
  void add_topic(const std::string*& last, const std::string& topic) {
    if (last && same_name(*last, topic)) return;
    last = &topic;
    add_topic(topic);
  }
  void add_topics(const std::vector<BusRecord>& records, size_t from = 0);
  void add_topics(const PartitionEnds& ends);  // the topics of a batch's ends: the same, without its records
  std::vector<std::string> topics() const;  // sorted
  void reset_topics();

 private:
  mutable std::mutex mu_;
  std::set<std::string> topics_;
};

// Every TopicBus call goes to `inner`; producers and consumers made for a
// connector count its traffic.
class TrafficBus : public TopicBus {
 public:
  explicit TrafficBus(TopicBus& inner) : inner_(inner) {}
  // The connector's figures (created on first use; kept until forget()).
  std::shared_ptr<ConnectorTraffic> traffic(const std::string& connector);
  void forget(const std::string& connector);

  std::unique_ptr<BusProducer> producer(const std::string& connector) override;
  std::unique_ptr<BusConsumer> consumer(const std::string& connector, const Subscription& sub,
                                        ConsumerTask task = {}) override;
  std::unique_ptr<BusProducer> dlq_producer(const std::string& connector) override {
    return inner_.dlq_producer(connector);  // dead letters are not an active topic of the sink (as in Kafka)
  }
  bool exactly_once() const override { return inner_.exactly_once(); }
  std::unique_ptr<TransactionalProducer> transactional_producer(const std::string& connector, int task) override;
  void stop_consumers() override { inner_.stop_consumers(); }
  void sources_finished() override { inner_.sources_finished(); }
  std::vector<std::pair<std::string, double>> client_metrics() const override { return inner_.client_metrics(); }
  std::optional<int64_t> sink_lag(const std::string& connector) override { return inner_.sink_lag(connector); }
  bool consumers_end_with_producers() const override { return inner_.consumers_end_with_producers(); }
  std::vector<SinkOffset> sink_positions(const std::string& connector) override {
    return inner_.sink_positions(connector);
  }
  std::vector<NextOffset> next_offsets(const std::vector<std::string>& topics) override {
    return inner_.next_offsets(topics);
  }
  void plan_changed(const JobPlan& plan) override { inner_.plan_changed(plan); }
  StringPool* string_pool() override { return inner_.string_pool(); }

 private:
  TopicBus& inner_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<ConnectorTraffic>> traffic_;
};

}  // namespace connectrun
