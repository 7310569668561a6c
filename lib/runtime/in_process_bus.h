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

#include "runtime/bus.h"

namespace connectrun {

class InProcessBus : public TopicBus {
 public:
  // `capacity` bounds the records queued for one sink before producers wait.
  explicit InProcessBus(size_t capacity = 16384) : capacity_(capacity) {}
  std::unique_ptr<BusProducer> producer(const std::string& connector) override;
  std::unique_ptr<BusConsumer> consumer(const std::string& connector, const Subscription& sub) override;
  std::unique_ptr<BusProducer> dlq_producer(const std::string& connector) override;
  std::optional<int64_t> sink_lag(const std::string& connector) override;

  // Internal pieces, public for the producer/consumer implementations.
  struct Ack;
  struct SinkQueue;
  void send(std::vector<BusRecord>&& batch, DeliveryCallback done);
  void close_producer(const std::string& dlq_of = "");
  // A consumer is gone (its sink connector was removed or restarted afresh):
  // records queued for it and routed to it from now on count as delivered.
  void unsubscribe(SinkQueue& q);
  // Producers a consumer of `connector` waits for: all but its own dead-letter one. mu_ held.
  size_t awaited_producers(const std::string& connector) const {
    auto it = dlq_open_.find(connector);
    return open_producers_ - (it == dlq_open_.end() ? 0 : it->second);
  }

 private:
  std::vector<SinkQueue*> subscribers_of(const std::string& topic);  // mu_ held

  std::mutex mu_;
  std::condition_variable space_;  // producers wait here for queue space
  size_t capacity_;
  size_t open_producers_ = 0;
  std::map<std::string, size_t> dlq_open_;  // sink connector → its open dead-letter producers
  std::vector<std::shared_ptr<SinkQueue>> sinks_;
  std::map<std::string, std::vector<SinkQueue*>> routes_;  // topic → subscribers
  std::map<std::string, int64_t> next_offset_;             // per topic (one partition)
};

}  // namespace connectrun
