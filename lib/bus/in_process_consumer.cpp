// The in-process bus's consumer: polls its sink's queue and acknowledges what
// the sink commits.
#include <algorithm>
#include <iterator>

#include "bus/in_process_queue.h"
#include "bus/partition_ends.h"
#include "bus/topic_name.h"

namespace connectrun {

namespace {
using Chunk = InProcessBus::Chunk;

class Consumer : public BusConsumer {
  static constexpr size_t kJoinRecords = 500;

 public:
  Consumer(std::mutex& mu, std::condition_variable& space, InProcessBus& bus,
           std::shared_ptr<InProcessBus::SinkQueue> q)
      : mu_(mu), space_(space), bus_(bus), q_(std::move(q)) {}
  ~Consumer() override { bus_.unsubscribe(*q_); }

  ConsumeStatus poll(std::vector<BusRecord>& out, std::chrono::milliseconds wait) override {
    polled_ends_.clear();
    std::unique_lock lock(mu_);
    auto none_open = [&] { return bus_.awaited_producers(q_->connector) == 0; };
    q_->ready.wait_for(lock, wait, [&] { return !q_->chunks.empty() || none_open(); });
    if (q_->chunks.empty()) return none_open() ? ConsumeStatus::End : ConsumeStatus::Ok;
    if (held_ && held_()) return ConsumeStatus::Ok;  // paused while waiting: the records stay queued (its lag)
    // With many sinks sharing the bus (more than 8 by default), a batch over 500 records (Kafka's
    // max.poll.records default) is handed over 500 at a time, so that what each sink holds converted
    // stays small. With few, it comes whole: sinks that write in batches (JdbcSink's COPY) are faster
    // with larger ones. A batch begun in parts goes on in parts.
    if (Chunk& front = q_->chunks.front();
        front.records.size() - front.taken > kJoinRecords && (front.taken > 0 || bus_.memory_tight())) {
      std::vector<BusRecord> part = q_->take_front(kJoinRecords);
      auto ends = partition_ends(part);
      merge_ends(front.taken_ends, ends);
      polled_ends_ = ends;
      q_->polled.push_back({nullptr, std::move(ends)});  // the chunk's ack goes with its last part
      if (out.empty()) out = std::move(part);
      else std::move(part.begin(), part.end(), std::back_inserter(out));
      // No producer to wake: the chunk's bytes stay counted until its last part is taken.
      return ConsumeStatus::Ok;
    }
    const size_t share = bus_.sink_share();
    size_t take = 0, records = 0;
    // Otherwise at most the sink's share (at least one chunk), so that what a sink holds while it
    // converts and writes is bounded like its queue, and small chunks joined up to the same 500
    // records. One that fills a poll alone (or the last part of a larger one) is handed over as its
    // vector, its records not moved into another.
    for (size_t bytes = 0; take < q_->chunks.size(); ++take) {
      const Chunk& c = q_->chunks[take];
      const size_t left = c.records.size() - c.taken;
      if (take > 0 && (bytes + c.bytes > share || records + left > kJoinRecords)) break;
      bytes += c.bytes;
      records += left;
    }
    for (; take > 0; --take) {
      Chunk c = q_->pop_front();
      if (c.taken > 0) c.records.erase(c.records.begin(), c.records.begin() + static_cast<std::ptrdiff_t>(c.taken));
      PartitionEnds ends = c.taken == 0 && !c.ends.empty() ? std::move(c.ends) : partition_ends(c.records);
      merge_ends(polled_ends_, ends);
      if (c.taken > 0) {
        // The last part of a batch handed over in parts: its ack is released only once the
        // sink committed past every part, not just the partitions this part holds.
        merge_ends(c.taken_ends, ends);
        ends = std::move(c.taken_ends);
      }
      if (out.empty()) {
        // Room for the rest at once: appending chunk after chunk would move
        // every record again each time the vector grows.
        out = std::move(c.records);
        out.reserve(records);
      } else {
        std::move(c.records.begin(), c.records.end(), std::back_inserter(out));
      }
      q_->polled.push_back({std::move(c.ack), std::move(ends)});
    }
    lock.unlock();
    space_.notify_all();
    return ConsumeStatus::Ok;
  }

  void hold_while(std::function<bool()> held) override { held_ = std::move(held); }
  bool hands_over_batches() const override { return true; }

  const PartitionEnds* polled_ends() const override { return &polled_ends_; }

  void commit() override {
    std::vector<std::shared_ptr<InProcessBus::Ack>> acks;
    {
      std::lock_guard lock(mu_);
      for (auto& p : q_->polled)
        for (auto& [tp, end] : p.ends) advance(tp, end);
      q_->take_polled(acks);
    }
    for (auto& a : acks) a->release(std::nullopt);  // outside the lock: callbacks take other locks
  }

  void commit(const TopicPartitionOffsets& positions) override {
    std::vector<std::shared_ptr<InProcessBus::Ack>> acks;
    {
      std::lock_guard lock(mu_);
      // Only up to what was polled: a position past it would acknowledge records the sink never saw.
      TopicPartitionOffsets polled_ends;
      for (auto& p : q_->polled)
        for (auto& [tp, end] : p.ends) polled_ends[tp] = std::max(polled_ends[tp], end);
      for (auto& [tp, position] : positions) {
        auto it = polled_ends.find(tp);
        if (it != polled_ends.end()) advance(tp, std::min(position, it->second));
      }
      // Chunks are acknowledged whole, in any order: a chunk of one partition
      // may be committed while an earlier one of another waits.
      auto covered = [&](const InProcessBus::SinkQueue::Polled& p) {
        return std::all_of(p.ends.begin(), p.ends.end(), [&](auto& e) {
          auto c = q_->committed.find(e.first);
          return c != q_->committed.end() && c->second >= e.second;
        });
      };
      auto keep = std::stable_partition(q_->polled.begin(), q_->polled.end(), [&](auto& p) { return !covered(p); });
      for (auto it = keep; it != q_->polled.end(); ++it)
        if (it->ack) acks.push_back(std::move(it->ack));
      q_->polled.erase(keep, q_->polled.end());
    }
    for (auto& a : acks) a->release(std::nullopt);
  }

  void abandon_uncommitted() override {
    std::vector<std::shared_ptr<InProcessBus::Ack>> acks;
    {
      std::lock_guard lock(mu_);
      q_->take_polled(acks);
      // A batch of which parts were handed over and now will not be committed fails; its
      // remaining parts, if this queue is polled again, come without one.
      if (!q_->chunks.empty() && q_->chunks.front().taken > 0 && q_->chunks.front().ack)
        acks.push_back(std::move(q_->chunks.front().ack));
    }
    const std::string reason =
        std::string(kNotCommitted) + "sink connector '" + q_->connector + "' stopped before its task committed them";
    for (auto& a : acks) a->release(reason);
  }

  void fail(const std::string& reason) override {
    std::vector<std::shared_ptr<InProcessBus::Ack>> acks;
    {
      std::lock_guard lock(mu_);
      q_->failed = true;
      q_->fail_reason = reason;
      q_->take_polled(acks);
      q_->drop_all(acks);
    }
    space_.notify_all();
    for (auto& a : acks) a->release(reason);
  }

  std::vector<PartitionChange> take_partition_changes() override {
    std::lock_guard lock(mu_);
    return std::exchange(q_->changes, {});
  }

  void replay_assignment() override {
    std::lock_guard lock(mu_);
    q_->changes.clear();
    auto parts = bus_.assignment_of(*q_);
    if (!parts.empty()) q_->changes.push_back(PartitionChange{true, std::move(parts)});
  }

 private:
  // Raises `into`'s position of each partition in `ends` (adding those it lacks).
  static void merge_ends(PartitionEnds& into, const PartitionEnds& ends) {
    for (auto& part : ends) {  // not a structured binding: clang before 16 cannot capture one
      auto it = std::find_if(into.begin(), into.end(), [&](auto& e) { return e.first == part.first; });
      if (it == into.end()) into.push_back(part);
      else it->second = std::max(it->second, part.second);
    }
  }
  // Commits only move forward. mu_ held.
  void advance(const TopicPartition& tp, int64_t position) {
    auto [it, added] = q_->committed.try_emplace(tp, position);
    if (!added) it->second = std::max(it->second, position);
  }

  std::mutex& mu_;
  std::condition_variable& space_;
  InProcessBus& bus_;
  std::shared_ptr<InProcessBus::SinkQueue> q_;
  std::function<bool()> held_;  // hold_while: the sink is paused (its thread only)
  PartitionEnds polled_ends_;   // of the last poll (its thread only)
};
}  // namespace

std::unique_ptr<BusConsumer> make_in_process_consumer(std::mutex& mu, std::condition_variable& space, InProcessBus& bus,
                                                      std::shared_ptr<InProcessBus::SinkQueue> q) {
  return std::make_unique<Consumer>(mu, space, bus, std::move(q));
}

}  // namespace connectrun
