#include "bus/in_process_bus.h"

#include <algorithm>
#include <atomic>

#include <fmt/format.h>

#include "bus/partitioner.h"
#include "bus/topic_name.h"
#include "plan/job_config.h"

namespace connectrun {

struct InProcessBus::TopicState {
  std::string name;
  int32_t partitions = 1;
  uint32_t round_robin = 0;  // the next partition for a record with neither partition nor key
  bool routed = false;       // routes are up to date
  std::vector<std::vector<SinkQueue*>> routes;  // per partition: the queues its records go to
};

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

namespace {
struct Chunk {
  std::vector<BusRecord> records;
  size_t bytes = 0;  // footprint() of the records
  std::shared_ptr<InProcessBus::Ack> ack;
};

// About the memory a queued record holds: the record and its strings (those
// short enough for the small-string buffer are counted twice, which is harmless).
size_t footprint(const BusRecord& r) {
  size_t n = sizeof(BusRecord) + r.topic.size();
  if (r.key) n += r.key->size();
  if (r.value) n += r.value->size();
  for (auto& [name, value] : r.headers) n += sizeof(r.headers[0]) + name.size() + (value ? value->size() : 0);
  return n;
}
}  // namespace

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
    std::vector<std::pair<TopicPartition, int64_t>> ends;
  };
  std::vector<Polled> polled;
  TopicPartitionOffsets committed;  // the sink's committed positions

  // Hands the acks of every polled chunk to `acks`.
  void take_polled(std::vector<std::shared_ptr<Ack>>& acks) {
    for (auto& p : polled) acks.push_back(std::move(p.ack));
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
    queued_records -= c.records.size();
    return c;
  }
  // Empties the queue; what its chunks awaited goes to `acks`.
  void drop_all(std::vector<std::shared_ptr<InProcessBus::Ack>>& acks) {
    for (auto& c : chunks) acks.push_back(std::move(c.ack));
    chunks.clear();
    queued = 0;
    queued_records = 0;
  }

  bool wants(const std::string& topic) const {
    if (std::find(sub.topics.begin(), sub.topics.end(), topic) != sub.topics.end()) return true;
    return re && re->full_match(topic);
  }
};

namespace {
// A queue has room for `bytes` when it is empty or they fit in its share; a
// failed or gone queue takes anything (its records count as it must).
bool has_room(const InProcessBus::SinkQueue& q, size_t bytes, size_t share) {
  return q.failed || q.gone || q.queued == 0 || q.queued + bytes <= share;
}

class Producer : public BusProducer {
 public:
  explicit Producer(InProcessBus& bus, std::string dlq_of = "", int32_t partitions = 1)
      : bus_(bus), dlq_of_(std::move(dlq_of)), partitions_(partitions) {}
  ~Producer() override { close(); }
  using BusProducer::send;
  void send(std::vector<BusRecord>&& batch, DeliveryCallback done, std::vector<NextOffset>* numbered) override {
    bus_.send(std::move(batch), std::move(done), partitions_, numbered, &sent_);
  }
  bool await_room(std::chrono::milliseconds wait) override { return bus_.await_room(sent_, wait); }
  void close() override {
    if (!closed_) {
      closed_ = true;
      bus_.close_producer(dlq_of_);
    }
  }

 private:
  InProcessBus& bus_;
  InProcessBus::Sent sent_;  // where the last batch went (await_room)
  std::string dlq_of_;
  int32_t partitions_;  // for the topics it creates
  bool closed_ = false;
};

class Consumer : public BusConsumer {
  static constexpr size_t kJoinRecords = 500;

 public:
  Consumer(std::mutex& mu, std::condition_variable& space, InProcessBus& bus,
           std::shared_ptr<InProcessBus::SinkQueue> q)
      : mu_(mu), space_(space), bus_(bus), q_(std::move(q)) {}
  ~Consumer() override { bus_.unsubscribe(*q_); }

  ConsumeStatus poll(std::vector<BusRecord>& out, std::chrono::milliseconds wait) override {
    std::unique_lock lock(mu_);
    auto none_open = [&] { return bus_.awaited_producers(q_->connector) == 0; };
    q_->ready.wait_for(lock, wait, [&] { return !q_->chunks.empty() || none_open(); });
    if (q_->chunks.empty()) return none_open() ? ConsumeStatus::End : ConsumeStatus::Ok;
    if (held_ && held_()) return ConsumeStatus::Ok;  // paused while waiting: the records stay queued (its lag)
    // At most the sink's share (at least one chunk): what a sink holds while it
    // converts and writes is bounded like its queue; the rest waits for the next poll.
    const size_t share = bus_.sink_share();
    size_t take = 0, records = 0;
    // Chunks are joined only up to 500 records (Kafka's max.poll.records default): a larger one
    // comes alone, its vector handed over without moving its records into another.
    for (size_t bytes = 0; take < q_->chunks.size(); ++take) {
      const Chunk& c = q_->chunks[take];
      if (take > 0 && (bytes + c.bytes > share || records + c.records.size() > kJoinRecords)) break;
      bytes += c.bytes;
      records += c.records.size();
    }
    for (; take > 0; --take) {
      Chunk c = q_->pop_front();
      auto ends = partition_ends(c.records);
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
      for (auto it = keep; it != q_->polled.end(); ++it) acks.push_back(std::move(it->ack));
      q_->polled.erase(keep, q_->polled.end());
    }
    for (auto& a : acks) a->release(std::nullopt);
  }

  void abandon_uncommitted() override {
    std::vector<std::shared_ptr<InProcessBus::Ack>> acks;
    {
      std::lock_guard lock(mu_);
      q_->take_polled(acks);
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
  // The position after each partition's last record in `records`, in order of first appearance.
  static std::vector<std::pair<TopicPartition, int64_t>> partition_ends(const std::vector<BusRecord>& records) {
    std::vector<std::pair<TopicPartition, int64_t>> ends;
    const BusRecord* prev = nullptr;
    size_t cur = 0;  // the entry of prev's partition
    for (auto& r : records) {
      if (!prev || prev->partition != r.partition || !same_name(prev->topic, r.topic)) {  // else a run of one partition
        TopicPartition tp{r.topic, r.partition.value_or(0)};
        auto it = std::find_if(ends.begin(), ends.end(), [&](auto& e) { return e.first == tp; });
        if (it == ends.end()) it = ends.emplace(ends.end(), std::move(tp), 0);
        cur = static_cast<size_t>(it - ends.begin());
      }
      ends[cur].second = r.offset + 1;
      prev = &r;
    }
    return ends;
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
};
}  // namespace

InProcessBus::InProcessBus(size_t budget, size_t per_sink) : budget_(budget), per_sink_(per_sink) {}
InProcessBus::~InProcessBus() = default;

std::unique_ptr<BusProducer> InProcessBus::producer(const std::string& connector) {
  std::lock_guard lock(mu_);
  ++open_producers_;
  return std::make_unique<Producer>(*this, "", create_partitions(connector));
}

int32_t InProcessBus::create_partitions(const std::string& connector) {
  auto it = create_partitions_.find(connector);
  return it == create_partitions_.end() ? 1 : it->second;
}

void InProcessBus::plan_changed(const JobPlan& plan) {
  std::lock_guard lock(mu_);
  create_partitions_.clear();
  if (!plan.worker.has("topic.creation.enable") || plan.worker.get_bool("topic.creation.enable"))
    for (auto& c : plan.connectors)
      if (c.is_source && c.topic_partitions) create_partitions_[c.name] = *c.topic_partitions;
}

std::optional<int32_t> InProcessBus::partitions_of(const std::string& topic) {
  std::lock_guard lock(mu_);
  auto it = topics_.find(topic);
  if (it == topics_.end()) return std::nullopt;
  return it->second->partitions;
}

std::vector<TopicPartition> InProcessBus::assignment_of(const SinkQueue& q) const {
  std::vector<TopicPartition> out;
  for (auto& [name, t] : topics_) {
    if (!q.wants(name)) continue;
    PartitionRange r = range_assignment(t->partitions, q.task.id, q.task.count);
    for (int32_t p = r.first; p < r.first + r.count; ++p) out.push_back({name, p});
  }
  return out;
}

std::unique_ptr<BusConsumer> InProcessBus::consumer(const std::string& connector, const Subscription& sub,
                                                    ConsumerTask task) {
  auto q = std::make_shared<SinkQueue>();
  q->connector = connector;
  q->sub = sub;
  q->task = task;
  if (!sub.topics_regex.empty()) q->re.emplace(sub.topics_regex, "topics.regex");
  std::lock_guard lock(mu_);
  // Topics that exist already: its share of them is its first assignment.
  if (auto parts = assignment_of(*q); !parts.empty()) q->changes.push_back(PartitionChange{true, std::move(parts)});
  sinks_.push_back(q);
  ++live_sinks_;
  invalidate_routes();  // recomputed with the new subscriber
  return std::make_unique<Consumer>(mu_, space_, *this, q);
}

std::unique_ptr<BusProducer> InProcessBus::dlq_producer(const std::string& connector) {
  std::lock_guard lock(mu_);
  ++open_producers_;
  ++dlq_open_[connector];
  return std::make_unique<Producer>(*this, connector);
}

std::optional<int64_t> InProcessBus::sink_lag(const std::string& connector) {
  std::lock_guard lock(mu_);
  std::optional<int64_t> lag;  // summed over the connector's tasks
  for (auto& s : sinks_)
    if (!s->gone && s->connector == connector) lag = lag.value_or(0) + static_cast<int64_t>(s->queued_records);
  return lag;
}

void InProcessBus::close_producer(const std::string& dlq_of) {
  {
    std::lock_guard lock(mu_);
    --open_producers_;
    if (!dlq_of.empty()) --dlq_open_[dlq_of];
  }
  std::lock_guard lock(mu_);
  for (auto& s : sinks_) s->ready.notify_all();
}

void InProcessBus::unsubscribe(SinkQueue& q) {
  std::vector<std::shared_ptr<Ack>> acks;
  {
    std::lock_guard lock(mu_);
    q.gone = true;
    --live_sinks_;
    invalidate_routes();
    q.take_polled(acks);
    q.drop_all(acks);
  }
  space_.notify_all();
  for (auto& a : acks) a->release(std::nullopt);
}

std::vector<NextOffset> InProcessBus::next_offsets(const std::vector<std::string>& topics) {
  std::lock_guard lock(mu_);
  return offsets_.next_offsets(topics);
}

void InProcessBus::restore_offsets(const std::vector<NextOffset>& stored) {
  std::lock_guard lock(mu_);
  offsets_.restore(stored);
}

size_t InProcessBus::sink_share() const { return std::min(per_sink_, budget_ / std::max<size_t>(live_sinks_, 1)); }

void InProcessBus::invalidate_routes() {
  for (auto& [name, t] : topics_) t->routed = false;
}

InProcessBus::TopicState& InProcessBus::topic_state(const std::string& topic, int32_t create_partitions) {
  auto it = topics_.find(topic);
  if (it != topics_.end()) return *it->second;
  // A new topic: created with the producing connector's partition count, as
  // Kafka Connect creates a missing topic; every subscribed task opens its share.
  auto t = std::make_unique<TopicState>();
  t->name = topic;
  t->partitions = std::max<int32_t>(1, create_partitions);
  for (auto& s : sinks_) {
    if (s->gone || !s->wants(topic)) continue;
    PartitionRange r = range_assignment(t->partitions, s->task.id, s->task.count);
    if (r.count == 0) continue;
    PartitionChange c;
    for (int32_t p = r.first; p < r.first + r.count; ++p) c.partitions.push_back({topic, p});
    s->changes.push_back(std::move(c));
  }
  return *topics_.emplace(topic, std::move(t)).first->second;
}

const std::vector<InProcessBus::SinkQueue*>& InProcessBus::subscribers_of(TopicState& topic, int32_t p) {
  if (!topic.routed) {
    const std::string& name = topic.name;
    topic.routes.assign(static_cast<size_t>(topic.partitions), {});
    for (auto& s : sinks_) {
      if (s->gone || !s->wants(name)) continue;
      PartitionRange r = range_assignment(topic.partitions, s->task.id, s->task.count);
      for (int32_t q = r.first; q < r.first + r.count; ++q) topic.routes[static_cast<size_t>(q)].push_back(s.get());
    }
    topic.routed = true;
  }
  return topic.routes[static_cast<size_t>(p)];
}

bool InProcessBus::await_room(const Sent& sent, std::chrono::milliseconds wait) {
  if (sent.empty()) return true;
  std::unique_lock lock(mu_);
  return space_.wait_for(lock, wait, [&] {
    const size_t share = sink_share();
    return std::all_of(sent.begin(), sent.end(), [&](auto& s) { return has_room(*s.first, s.second, share); });
  });
}

void InProcessBus::send(std::vector<BusRecord>&& batch, DeliveryCallback done, int32_t create_partitions,
                        std::vector<NextOffset>* numbered, Sent* sent) {
  std::unique_lock lock(mu_);
  // An explicit partition must exist (Kafka's producer fails such a record);
  // checked first, so a refused batch takes no offsets.
  for (auto& rec : batch) {
    if (!rec.partition) continue;
    const int32_t n = topic_state(rec.topic, create_partitions).partitions;
    if (*rec.partition < 0 || *rec.partition >= n) {
      std::string error = fmt::format("topic '{}' has {} partition(s): partition {} does not exist", rec.topic, n,
                                      *rec.partition);
      lock.unlock();
      done(std::move(error));
      return;
    }
  }
  // Which records go to which sink, in order. A run of one topic looks its
  // state up once; while every record has the same subscribers (the usual
  // case: one task per sink connector) no per-record index list is built at all.
  std::vector<std::pair<SinkQueue*, std::vector<size_t>>> targets;
  const std::string* last_topic = nullptr;
  TopicOffsets::Numbering numbering(offsets_);
  TopicState* topic = nullptr;
  const std::vector<SinkQueue*>* subs = nullptr;
  std::vector<SinkQueue*> first_subs;
  bool uniform = true;  // every record so far went to first_subs
  auto add_index = [&](SinkQueue* s, size_t i) {
    auto t = std::find_if(targets.begin(), targets.end(), [&](auto& p) { return p.first == s; });
    if (t == targets.end()) targets.emplace_back(s, std::vector<size_t>{i});
    else t->second.push_back(i);
  };
  for (size_t i = 0; i < batch.size(); ++i) {
    auto& rec = batch[i];
    if (!last_topic || !same_name(*last_topic, rec.topic)) {
      topic = &topic_state(rec.topic, create_partitions);  // map nodes are stable
      last_topic = &rec.topic;
    }
    // Kafka's default partitioner: a keyed record by its key's hash; the others round robin.
    if (!rec.partition) {
      if (topic->partitions == 1) rec.partition = 0;
      else if (rec.key) rec.partition = partition_for_key(*rec.key, topic->partitions);
      else rec.partition = static_cast<int32_t>(topic->round_robin++ % static_cast<uint32_t>(topic->partitions));
    }
    rec.offset = numbering.next(rec.topic, *rec.partition);  // bus/topic_offsets.h
    const std::vector<SinkQueue*>& now = subscribers_of(*topic, *rec.partition);
    if (&now != subs) {
      subs = &now;
      if (i == 0) {
        first_subs = now;
      } else if (uniform && now != first_subs) {
        uniform = false;  // spell out the records so far
        for (size_t j = 0; j < i; ++j)
          for (SinkQueue* s : first_subs) add_index(s, j);
      }
    }
    if (!uniform)
      for (SinkQueue* s : *subs) add_index(s, i);
  }
  if (numbered) *numbered = numbering.numbered();  // before a sink can see (and acknowledge) the batch
  if (uniform)
    for (SinkQueue* s : first_subs) targets.emplace_back(s, std::vector<size_t>{});  // empty: the whole batch
  std::vector<size_t> bytes(targets.size());
  size_t batch_bytes = 0;
  for (auto& r : batch) batch_bytes += footprint(r);
  for (size_t n = 0; n < targets.size(); ++n) {
    auto& idx = targets[n].second;
    if (uniform || idx.size() == batch.size()) bytes[n] = batch_bytes;
    else
      for (size_t i : idx) bytes[n] += footprint(batch[i]);
  }
  // Backpressure: wait until every target sink has room (or has failed).
  space_.wait(lock, [&] {
    const size_t share = sink_share();
    for (size_t n = 0; n < targets.size(); ++n)
      if (!has_room(*targets[n].first, bytes[n], share)) return false;
    return true;
  });
  if (sent) {
    sent->clear();
    for (size_t n = 0; n < targets.size(); ++n) sent->emplace_back(targets[n].first, bytes[n]);
  }
  auto ack = std::make_shared<Ack>(static_cast<int>(targets.size()) + 1, std::move(done));
  std::vector<std::string> failures;
  size_t gone = 0;
  for (size_t n = 0; n < targets.size(); ++n) {
    auto& [sink, idx] = targets[n];
    if (sink->gone) {
      ++gone;
      continue;
    }
    if (sink->failed) {
      failures.push_back("sink connector '" + sink->connector + "' failed: " + sink->fail_reason);
      continue;
    }
    Chunk chunk;
    chunk.ack = ack;
    chunk.bytes = bytes[n];
    bool last = n + 1 == targets.size();
    if (uniform || idx.size() == batch.size()) {
      // The whole batch: the last sink takes it (the common case: one sink), others copy it.
      if (last) chunk.records = std::move(batch);
      else chunk.records = batch;
    } else {
      chunk.records.reserve(idx.size());
      for (size_t i : idx) chunk.records.push_back(last ? std::move(batch[i]) : batch[i]);
    }
    sink->push(std::move(chunk));
    sink->ready.notify_one();
  }
  lock.unlock();
  for (auto& f : failures) ack->release(f);
  for (size_t i = 0; i < gone; ++i) ack->release(std::nullopt);
  ack->release(std::nullopt);
}

}  // namespace connectrun
