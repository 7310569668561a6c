#include "engine/traffic_bus.h"

namespace connectrun {

namespace {
uint64_t record_bytes(const BusRecord& r) {
  uint64_t n = (r.key ? r.key->size() : 0) + (r.value ? r.value->size() : 0);
  for (auto& [k, v] : r.headers) n += k.size() + (v ? v->size() : 0);
  return n;
}

// A source's records handed to the bus: their bytes and topics, in one pass.
void count_sent(ConnectorTraffic& traffic, const std::vector<BusRecord>& batch) {
  uint64_t bytes = 0;
  const std::string* last = nullptr;
  for (auto& r : batch) {
    bytes += record_bytes(r);
    traffic.add_topic(last, r.topic);
  }
  traffic.bytes.fetch_add(bytes, std::memory_order_relaxed);
}

class CountingProducer : public BusProducer {
 public:
  CountingProducer(std::unique_ptr<BusProducer> inner, std::shared_ptr<ConnectorTraffic> t)
      : inner_(std::move(inner)), traffic_(std::move(t)) {}
  void send(std::vector<BusRecord>&& batch, DeliveryCallback done, std::vector<NextOffset>* numbered) override {
    count_sent(*traffic_, batch);
    inner_->send(std::move(batch), std::move(done), numbered);
  }
  bool await_room(std::chrono::milliseconds wait) override { return inner_->await_room(wait); }
  StringPool* spare_strings() override { return inner_->spare_strings(); }
  void close() override { inner_->close(); }

 private:
  std::unique_ptr<BusProducer> inner_;
  std::shared_ptr<ConnectorTraffic> traffic_;
};

class CountingTxnProducer : public TransactionalProducer {
 public:
  CountingTxnProducer(std::unique_ptr<TransactionalProducer> inner, std::shared_ptr<ConnectorTraffic> t)
      : inner_(std::move(inner)), traffic_(std::move(t)) {}
  void send(std::vector<BusRecord>&& records) override {
    count_sent(*traffic_, records);
    inner_->send(std::move(records));
  }
  TransactionOutcome commit(const std::vector<OffsetRecord>& offsets) override { return inner_->commit(offsets); }
  void abort() override { inner_->abort(); }
  const std::string& transactional_id() const override { return inner_->transactional_id(); }

 private:
  std::unique_ptr<TransactionalProducer> inner_;
  std::shared_ptr<ConnectorTraffic> traffic_;
};

class CountingConsumer : public BusConsumer {
 public:
  CountingConsumer(std::unique_ptr<BusConsumer> inner, std::shared_ptr<ConnectorTraffic> t)
      : inner_(std::move(inner)), traffic_(std::move(t)) {}
  ConsumeStatus poll(std::vector<BusRecord>& out, std::chrono::milliseconds wait) override {
    size_t before = out.size();
    ConsumeStatus s = inner_->poll(out, wait);
    if (out.size() > before) {
      uint64_t bytes = 0;
      for (size_t i = before; i < out.size(); ++i) bytes += record_bytes(out[i]);
      traffic_->bytes.fetch_add(bytes, std::memory_order_relaxed);
      // The topics are those of the batch's ends, when the consumer knew them.
      if (const PartitionEnds* ends = inner_->polled_ends()) traffic_->add_topics(*ends);
      else traffic_->add_topics(out, before);
    }
    return s;
  }
  const PartitionEnds* polled_ends() const override { return inner_->polled_ends(); }
  void commit() override { inner_->commit(); }
  void commit(const TopicPartitionOffsets& positions) override { inner_->commit(positions); }
  void abandon_uncommitted() override { inner_->abandon_uncommitted(); }
  void fail(const std::string& reason) override { inner_->fail(reason); }
  void hold_while(std::function<bool()> held) override { inner_->hold_while(std::move(held)); }
  bool pause_fetching(bool paused) override { return inner_->pause_fetching(paused); }
  std::vector<PartitionChange> take_partition_changes() override { return inner_->take_partition_changes(); }
  void replay_assignment() override { inner_->replay_assignment(); }
  bool hands_over_batches() const override { return inner_->hands_over_batches(); }

 private:
  std::unique_ptr<BusConsumer> inner_;
  std::shared_ptr<ConnectorTraffic> traffic_;
};
}  // namespace

void ConnectorTraffic::add_topic(const std::string& topic) {
  std::lock_guard lock(mu_);
  topics_.insert(topic);
}

void ConnectorTraffic::add_topics(const std::vector<BusRecord>& records, size_t from) {
  const std::string* last = nullptr;
  for (size_t i = from; i < records.size(); ++i) add_topic(last, records[i].topic);
}

void ConnectorTraffic::add_topics(const PartitionEnds& ends) {
  const std::string* last = nullptr;
  for (auto& [tp, end] : ends) add_topic(last, tp.topic);
}

std::vector<std::string> ConnectorTraffic::topics() const {
  std::lock_guard lock(mu_);
  return {topics_.begin(), topics_.end()};
}

void ConnectorTraffic::reset_topics() {
  std::lock_guard lock(mu_);
  topics_.clear();
}

std::shared_ptr<ConnectorTraffic> TrafficBus::traffic(const std::string& connector) {
  std::lock_guard lock(mu_);
  auto& t = traffic_[connector];
  if (!t) t = std::make_shared<ConnectorTraffic>();
  return t;
}

void TrafficBus::forget(const std::string& connector) {
  std::lock_guard lock(mu_);
  traffic_.erase(connector);
}

std::unique_ptr<BusProducer> TrafficBus::producer(const std::string& connector) {
  return std::make_unique<CountingProducer>(inner_.producer(connector), traffic(connector));
}

std::unique_ptr<TransactionalProducer> TrafficBus::transactional_producer(const std::string& connector, int task) {
  return std::make_unique<CountingTxnProducer>(inner_.transactional_producer(connector, task), traffic(connector));
}

std::unique_ptr<BusConsumer> TrafficBus::consumer(const std::string& connector, const Subscription& sub,
                                                  ConsumerTask task) {
  return std::make_unique<CountingConsumer>(inner_.consumer(connector, sub, task), traffic(connector));
}

}  // namespace connectrun
