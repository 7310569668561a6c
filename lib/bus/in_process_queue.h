// The in-process bus's queues, shared by the bus (which fills them) and its
// consumers (which poll and commit them). Internal to lib/bus.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "bus/in_process_bus.h"
#include "bus/partition_ends.h"

namespace connectrun {

struct InProcessBus::Ack {
  explicit Ack(int n, DeliveryCallback cb) : pending(n), done(std::move(cb)) {}
  std::atomic<int> pending;
  DeliveryCallback done;
  std::mutex mu;
  std::optional<std::string> error;

  void release(const std::optional<std::string>& err) {
    if (err) {
      std::lock_guard lock(mu);
      if (!error) error = err;
    }
    if (pending.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      std::optional<std::string> e;
      {
        std::lock_guard lock(mu);
        e = error;
      }
      done(std::move(e));
    }
  }
};

struct InProcessBus::Chunk {
  std::vector<BusRecord> records;
  size_t taken = 0;  // records[0, taken) were handed over already (a batch larger than a poll takes)
  // The positions after the parts handed over so far, per partition: the last part's commit entry
  // carries them all, so the chunk's ack waits until every part is committed.
  PartitionEnds taken_ends;
  // The position after each partition's last record, when the sender knew them (the whole batch
  // went to this queue); else empty, and the consumer finds them in the records.
  PartitionEnds ends;
  size_t bytes = 0;  // footprint() of the records (counted until the last of them is taken)
  std::shared_ptr<InProcessBus::Ack> ack;
};

struct InProcessBus::SinkQueue {
  std::string connector;
  Subscription sub;
  ConsumerTask task;
  std::vector<PartitionChange> changes;  // not yet taken by the sink task
  std::optional<transforms::JavaRegex> re;  // Java syntax, whole name
  std::deque<Chunk> chunks;
  size_t queued = 0;          // bytes in chunks
  size_t queued_records = 0;  // records in chunks: the sink's lag
  std::condition_variable ready;
  bool failed = false;
  bool gone = false;  // unsubscribed; kept so a sender waiting for space never holds a dangling pointer
  std::string fail_reason;
  // Consumed chunks awaiting the sink's commit, each with the position after
  // its last record per partition: it is acknowledged once every one of them is committed.
  struct Polled {
    std::shared_ptr<Ack> ack;
    PartitionEnds ends;
  };
  std::vector<Polled> polled;
  TopicPartitionOffsets committed;  // the sink's committed positions

  // Hands the acks of every polled chunk to `acks`.
  void take_polled(std::vector<std::shared_ptr<Ack>>& acks) {
    for (auto& p : polled)
      if (p.ack) acks.push_back(std::move(p.ack));
    polled.clear();
  }

  void push(Chunk&& c) {
    queued += c.bytes;
    queued_records += c.records.size();
    chunks.push_back(std::move(c));
  }
  Chunk pop_front() {
    Chunk c = std::move(chunks.front());
    chunks.pop_front();
    queued -= c.bytes;
    queued_records -= c.records.size() - c.taken;
    return c;
  }
  // The next `n` records of the front chunk, which keeps the rest (and its ack).
  std::vector<BusRecord> take_front(size_t n) {
    Chunk& c = chunks.front();
    auto first = c.records.begin() + static_cast<std::ptrdiff_t>(c.taken);
    std::vector<BusRecord> part(std::make_move_iterator(first), std::make_move_iterator(first + static_cast<std::ptrdiff_t>(n)));
    // Its bytes stay counted until its last part is taken: a producer refills the queue only once
    // the sink holds the chunk's last part, so at most about two batches are in flight per sink.
    c.taken += n;
    queued_records -= n;
    return part;
  }
  // Empties the queue; what its chunks awaited goes to `acks`.
  void drop_all(std::vector<std::shared_ptr<InProcessBus::Ack>>& acks) {
    for (auto& c : chunks)
      if (c.ack) acks.push_back(std::move(c.ack));  // none: its batch failed already (abandon_uncommitted)
    chunks.clear();
    queued = 0;
    queued_records = 0;
  }

  bool wants(const std::string& topic) const {
    if (std::find(sub.topics.begin(), sub.topics.end(), topic) != sub.topics.end()) return true;
    return re && re->full_match(topic);
  }
};

// A consumer of queue `q`; `mu` and `space` are the bus's lock and its producers' wait.
std::unique_ptr<BusConsumer> make_in_process_consumer(std::mutex& mu, std::condition_variable& space, InProcessBus& bus,
                                                      std::shared_ptr<InProcessBus::SinkQueue> q);

}  // namespace connectrun
