// The in-process topic bus: bounded per-sink queues with backpressure. A batch
// counts as delivered only when every sink subscribed to its topics has
// flushed it; a topic no sink subscribes to delivers at once (nothing reads it,
// as with a Kafka topic nobody consumes) — validation warns about that.
//
// Topics have partitions as on Kafka: a topic gets its producing source
// connector's topic.creation.default.partitions (else 1) when its first record
// is sent. A record keeps an explicit partition (out of range: the batch
// fails), a keyed one goes where Kafka's default partitioner puts it
// (murmur2), others round robin. Offsets count per topic partition. The tasks
// of one sink connector (one consumer each) split every topic's partitions as
// Kafka's RangeAssignor does, so each record goes to one task per connector.
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include "transforms/regex.h"

#include "bus/bus.h"
#include "bus/string_pool.h"
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
  explicit InProcessBus(size_t budget = 16u << 20, size_t per_sink = 2u << 20);
  ~InProcessBus() override;
  std::unique_ptr<BusProducer> producer(const std::string& connector) override;
  std::unique_ptr<BusConsumer> consumer(const std::string& connector, const Subscription& sub,
                                        ConsumerTask task = {}) override;
  std::unique_ptr<BusProducer> dlq_producer(const std::string& connector) override;
  std::optional<int64_t> sink_lag(const std::string& connector) override;
  bool consumers_end_with_producers() const override { return true; }
  std::vector<NextOffset> next_offsets(const std::vector<std::string>& topics) override;
  // Numbering continues from these (the offsets file's), before any send.
  void restore_offsets(const std::vector<NextOffset>& stored);
  // Takes each source connector's topic.creation.default.partitions, for the
  // topics its producers create from now on.
  void plan_changed(const JobPlan& plan) override;
  // Partitions of `topic`, once it exists (its first record was sent).
  std::optional<int32_t> partitions_of(const std::string& topic);
  StringPool* string_pool() override { return &strings_; }

  // Internal pieces, public for the producer/consumer implementations.
  struct Ack;
  struct SinkQueue;
  struct Chunk;  // a sent batch in one sink's queue
  struct TopicState;
  // The queues a producer's last batch went to, and its bytes in each (queues
  // stay in sinks_, marked gone, for the bus's life: the pointers stay valid).
  using Sent = std::vector<std::pair<const SinkQueue*, size_t>>;
  void send(std::vector<BusRecord>&& batch, DeliveryCallback done, int32_t create_partitions = 1,
            std::vector<NextOffset>* numbered = nullptr, Sent* sent = nullptr);
  // Waits, at most `wait`, until each queue of `sent` could take its bytes again.
  bool await_room(const Sent& sent, std::chrono::milliseconds wait);
  int32_t create_partitions(const std::string& connector);
  // The partitions of every existing topic `q` reads that its task owns. mu_ held.
  std::vector<TopicPartition> assignment_of(const SinkQueue& q) const;
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
  // More sinks than the budget gives a full share each (more than 8 by default): a poll then
  // hands a large batch over in parts. mu_ held.
  bool memory_tight() const { return sink_share() < per_sink_; }

 private:
  // The queues a record of `topic` partition `p` goes to: one per subscribed
  // sink connector, its task owning p. mu_ held.
  const std::vector<SinkQueue*>& subscribers_of(TopicState& topic, int32_t p);
  TopicState& topic_state(const std::string& topic, int32_t create_partitions);  // mu_ held; creates it
  void invalidate_routes();  // mu_ held: a consumer came or went

  std::mutex mu_;
  std::condition_variable space_;  // producers wait here for queue space
  size_t budget_;
  size_t per_sink_;
  size_t open_producers_ = 0;
  std::map<std::string, size_t> dlq_open_;  // sink connector → its open dead-letter producers
  std::vector<std::shared_ptr<SinkQueue>> sinks_;
  size_t live_sinks_ = 0;  // sinks_ not gone
  TopicOffsets offsets_;                                   // the records' offsets, per topic partition
  std::map<std::string, std::unique_ptr<TopicState>> topics_;
  std::map<std::string, int32_t> create_partitions_;  // source connector → topic.creation.default.partitions
  StringPool strings_;  // values' memory, handed back by sinks to sources
};

}  // namespace connectrun
