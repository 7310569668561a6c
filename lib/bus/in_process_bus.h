// The in-process topic bus: bounded per-sink queues with backpressure. A batch
// counts as delivered only when every sink subscribed to its topics has
// flushed it; a topic no sink subscribes to delivers at once (nothing reads it,
// as with a Kafka topic nobody consumes) — validation warns about that.
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include "transforms/regex.h"

#include "bus/bus.h"
#include "bus/topic_offsets.h"

namespace connectrun {

class InProcessBus : public TopicBus {
 public:
  // Queued records are bounded in bytes (about what they hold in memory), not
  // in records, so that memory does not grow with the record size or the
  // number of connectors: all sinks share `budget` bytes, each at most
  // `per_sink` bytes. A producer waits while a target sink's queue is at its
  // share (a batch larger than the share still goes to an empty queue), and a
  // sink takes at most its share per poll.
  explicit InProcessBus(size_t budget = 16u << 20, size_t per_sink = 2u << 20) : budget_(budget), per_sink_(per_sink) {}
  std::unique_ptr<BusProducer> producer(const std::string& connector) override;
  std::unique_ptr<BusConsumer> consumer(const std::string& connector, const Subscription& sub) override;
  std::unique_ptr<BusProducer> dlq_producer(const std::string& connector) override;
  std::optional<int64_t> sink_lag(const std::string& connector) override;
  bool consumers_end_with_producers() const override { return true; }
  std::vector<NextOffset> next_offsets(const std::vector<std::string>& topics) override;
  // Numbering continues from these (the offsets file's), before any send.
  void restore_offsets(const std::vector<NextOffset>& stored);

  // Internal pieces, public for the producer/consumer implementations.
  struct Ack;
  struct SinkQueue;
  void send(std::vector<BusRecord>&& batch, DeliveryCallback done, std::vector<NextOffset>* numbered);
  void close_producer(const std::string& dlq_of = "");
  // A consumer is gone (its sink connector was removed or restarted afresh):
  // records queued for it and routed to it from now on count as delivered.
  void unsubscribe(SinkQueue& q);
  // Producers a consumer of `connector` waits for: all but its own dead-letter one. mu_ held.
  size_t awaited_producers(const std::string& connector) const {
    auto it = dlq_open_.find(connector);
    return open_producers_ - (it == dlq_open_.end() ? 0 : it->second);
  }

  // The bytes one sink may have queued, and take per poll. mu_ held.
  size_t sink_share() const;

 private:
  std::vector<SinkQueue*> subscribers_of(const std::string& topic);  // mu_ held

  std::mutex mu_;
  std::condition_variable space_;  // producers wait here for queue space
  size_t budget_;
  size_t per_sink_;
  size_t open_producers_ = 0;
  std::map<std::string, size_t> dlq_open_;  // sink connector → its open dead-letter producers
  std::vector<std::shared_ptr<SinkQueue>> sinks_;
  size_t live_sinks_ = 0;  // sinks_ not gone
  std::map<std::string, std::vector<SinkQueue*>> routes_;  // topic → subscribers
  TopicOffsets offsets_;                                   // the records' offsets, per topic partition
};

}  // namespace connectrun
