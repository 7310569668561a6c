// The topic bus joins source and sink connectors. Two implementations sit
// behind this interface: the in-process bus (default) and Kafka (kafka_bus.h).
// Records cross it serialised, exactly as they would cross Kafka, so the same
// job gives byte-identical sink output on either bus.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "offsets/offset_backing_store.h"
#include "plugin/topic_partition.h"

namespace connectrun {

struct JobPlan;
class StringPool;

struct BusRecord {
  // User-provided: `BusRecord()` (emplace_back(), per record) is then not
  // cleared whole before its members are built, as an aggregate would be.
  BusRecord() noexcept {}
  std::string topic;
  // A source's explicit partition (else the bus picks one: the key's hash, or
  // round robin); for consumed records, the partition they were read from.
  std::optional<int32_t> partition;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<std::pair<std::string, std::optional<std::string>>> headers;
  std::optional<int64_t> timestamp;
  int64_t offset = -1;  // set by the bus (with partition, for consumed records): per topic partition
};

// Partitions a consumer was given or lost (Kafka's rebalance listener).
struct PartitionChange {
  bool assigned = true;  // false: revoked
  std::vector<TopicPartition> partitions;
};

// Which task of its sink connector a consumer serves: the connector's tasks
// share each topic's partitions (one consumer group).
struct ConsumerTask {
  int id = 0;
  int count = 1;
};

// A sink connector's committed position in one topic partition: the offset of
// the next record it will read there.
struct SinkOffset {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
};

// The offset a bus that numbers records itself (in-process) gives the next
// record of one topic partition.
struct NextOffset {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  bool operator==(const NextOffset&) const = default;
};

// Called once per sent batch: nullopt when every record of it was delivered,
// else the reason it was not.
using DeliveryCallback = std::function<void(std::optional<std::string> error)>;

// The reason given for a batch a sink task never committed although nothing
// failed (its pre_commit held the records back until it stopped): the source
// stores no offset from it on and counts it as undelivered (read again).
inline constexpr std::string_view kNotCommitted = "not committed: ";
inline bool is_not_committed(const std::string& error) { return error.starts_with(kNotCommitted); }

class BusProducer {
 public:
  virtual ~BusProducer() = default;
  // Hands a batch to the bus; blocks while the bus is full (backpressure).
  // `done` may run on any thread, the caller's included, possibly before send returns. A bus that
  // numbers records itself (in-process) sets `*numbered`, when given, to the
  // next offset of each topic partition the batch's records were numbered in,
  // before any of them can be delivered (so before `done` runs): a source
  // stores it with the batch's source offsets, so that records read again
  // after a crash get the offsets they had. Kafka numbers on the broker and
  // leaves it empty.
  virtual void send(std::vector<BusRecord>&& batch, DeliveryCallback done, std::vector<NextOffset>* numbered) = 0;
  void send(std::vector<BusRecord>&& batch, DeliveryCallback done) { send(std::move(batch), std::move(done), nullptr); }
  // Waits, at most `wait`, until the bus would take another batch like the
  // last one without blocking; false when it would still block. A source
  // calls it before reading its next batch, so that while a sink is behind it
  // holds nothing rather than a batch it cannot hand over (memory, with many
  // connectors in one job). A bus whose sends do not block returns true.
  virtual bool await_room(std::chrono::milliseconds /*wait*/) { return true; }
  // Where the strings of the values this producer sends come back once they
  // are done with, for its source to fill again (bus/string_pool.h): the
  // in-process bus's pool, which its sinks fill; a Kafka source producer's
  // own, as librdkafka copies each value. None by default (dead letters).
  virtual StringPool* spare_strings() { return nullptr; }
  // No more sends from this producer.
  virtual void close() = 0;
};

// Exactly-once sources (KIP-618): one source task's producer, whose records
// and the offset records that cover them are written in one transaction.
struct TransactionOutcome {
  std::optional<std::string> error;  // the transaction was not committed (aborted when it could be)
  bool fenced = false;  // another producer with the same transactional id took over: write nothing more
};

class TransactionalProducer {
 public:
  virtual ~TransactionalProducer() = default;
  // Produces the records in the open transaction (begun at the first send
  // after a commit). Blocks while the producer's queue is full.
  virtual void send(std::vector<BusRecord>&& records) = 0;
  // Produces the offset records to the offsets topic in the open transaction
  // (beginning one when none is open) and commits it.
  virtual TransactionOutcome commit(const std::vector<OffsetRecord>& offsets) = 0;
  // Aborts the open transaction, if any (the task failed: nothing of it is kept).
  virtual void abort() = 0;
  virtual const std::string& transactional_id() const = 0;
};

enum class ConsumeStatus { Ok, End };

// The position after each topic partition's last record in a batch (bus/partition_ends.h).
using PartitionEnds = std::vector<std::pair<TopicPartition, int64_t>>;

class BusConsumer {
 public:
  virtual ~BusConsumer() = default;
  // Appends what is available, waiting up to `wait` for something. End means
  // nothing more will come (every producer closed and everything consumed).
  virtual ConsumeStatus poll(std::vector<BusRecord>& out, std::chrono::milliseconds wait) = 0;
  // The ends of what the last poll() appended, when the consumer keeps them
  // (the in-process one does, mostly from the bus's numbering); else nullptr,
  // and the caller finds them in the records (partition_ends()).
  virtual const PartitionEnds* polled_ends() const { return nullptr; }
  // Everything polled so far has been flushed by the sink: acknowledge it.
  virtual void commit() = 0;
  // Acknowledges, per partition, the records before `positions` (the sink's
  // pre_commit). A position past what was polled, or of a partition this
  // consumer does not hold, is ignored; one below an earlier commit changes nothing.
  virtual void commit(const TopicPartitionOffsets& positions) = 0;
  // The sink task stopped: what it polled and did not commit never will be.
  // In-process its batches are reported kNotCommitted to their sources; on
  // Kafka their positions are simply not committed.
  virtual void abandon_uncommitted() {}
  // poll() hands over vectors the bus built (rather than filling the caller's):
  // the caller's vector has no room worth keeping between polls.
  virtual bool hands_over_batches() const { return false; }
  // The sink failed: what it polled and did not commit, and all that is still
  // routed to it, will never be delivered.
  virtual void fail(const std::string& reason) = 0;
  // The sink is paused (or resumed): stop (restart) fetching while the sink
  // keeps polling, so the consumer keeps its group membership. False when the
  // bus cannot: the sink then stops polling instead (in-process backpressure).
  // The sink is paused while `held()` is true: a poll that is already waiting
  // when the pause comes takes nothing (in-process; Kafka pauses fetching
  // instead). Set and cleared by the sink's own thread; nullptr clears.
  virtual void hold_while(std::function<bool()> held) { (void)held; }
  virtual bool pause_fetching(bool paused) {
    (void)paused;
    return false;
  }
  // Partitions assigned and revoked since the last call, in order, for the
  // sink task's open/close. Called on the polling thread, between polls: a
  // record returned by poll() belongs to a partition announced by then.
  virtual std::vector<PartitionChange> take_partition_changes() { return {}; }
  // Drops the changes not yet taken and announces the whole current
  // assignment as assigned: a new sink task taking over this consumer (a
  // restart) opens what it holds.
  virtual void replay_assignment() {}
};

struct Subscription {
  std::vector<std::string> topics;
  std::string topics_regex;  // must match the whole topic name
};

class TopicBus {
 public:
  virtual ~TopicBus() = default;
  virtual std::unique_ptr<BusProducer> producer(const std::string& connector) = 0;
  // exactly.once.source.support=enabled: source tasks use transactional_producer(), not producer().
  virtual bool exactly_once() const { return false; }
  // Source task `task` of `connector`'s own transactional producer, its
  // transactions initialised (which fences an older producer of the task).
  // Throws ConnectError when it cannot be made.
  virtual std::unique_ptr<TransactionalProducer> transactional_producer(const std::string& connector, int task) {
    (void)connector, (void)task;
    throw std::logic_error("exactly-once sources need the Kafka bus");  // validate refuses it before
  }
  virtual std::unique_ptr<BusConsumer> consumer(const std::string& connector, const Subscription& sub,
                                                ConsumerTask task = {}) = 0;
  // The producer of a sink connector's dead letter topic. A consumer does not
  // wait for its own connector's dead-letter producer to close before End.
  virtual std::unique_ptr<BusProducer> dlq_producer(const std::string& connector) { return producer(connector); }
  // Shutdown, after every source finished: consumers whose end is not set by
  // the bus's producers (Kafka's) return End at their next poll.
  virtual void stop_consumers() {}
  // --once: every source connector of the job finished, and what it read was
  // delivered. Kafka consumers then read up to their topics' ends as they are
  // now, not only as they were at start: a sink of a topic the job's own
  // sources produce writes this run's records in this run.
  virtual void sources_finished() {}
  // The bus clients' statistics for /metrics: Prometheus sample names with
  // their labels (e.g. connectrun_kafka_tx_msgs_total{client="connectrun-src"}) → value.
  virtual std::vector<std::pair<std::string, double>> client_metrics() const { return {}; }
  // Records waiting for a sink connector: queued for it and not yet taken
  // (in-process), or its consumer's lag summed over its partitions from the
  // last client statistics (Kafka). nullopt when not known.
  virtual std::optional<int64_t> sink_lag(const std::string& connector) {
    (void)connector;
    return std::nullopt;
  }
  // True when consumers see End once every producer has closed (in-process);
  // false when they end only when told to (Kafka: stop_consumers).
  virtual bool consumers_end_with_producers() const { return false; }
  // A sink connector's committed positions as Kafka Connect shows them
  // (kafka_topic, kafka_partition → kafka_offset): its consumer group's on
  // Kafka (a round trip; throws ConnectError when the cluster cannot be
  // asked), none on the in-process bus.
  virtual std::vector<SinkOffset> sink_positions(const std::string& connector) {
    (void)connector;
    return {};
  }
  // The next offset of every partition of `topics`, on a bus that numbers
  // records itself (in-process); none on Kafka.
  virtual std::vector<NextOffset> next_offsets(const std::vector<std::string>& topics) {
    (void)topics;
    return {};
  }
  // SIGHUP loaded a new plan (kept alive by the Herder): clients created from
  // now on take their connector's settings from it.
  virtual void plan_changed(const JobPlan&) {}
  // Where sinks give the strings of their values back once done with them:
  // only on a bus whose values were made by its sources (in-process), which
  // take them again through their producers' spare_strings(). None by default:
  // a Kafka consumer's values were allocated on the sink's own thread, and a
  // job may have no source to take them.
  virtual StringPool* string_pool() { return nullptr; }
};

}  // namespace connectrun
