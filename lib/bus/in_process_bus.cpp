#include "bus/in_process_bus.h"

#include <algorithm>
#include <atomic>

#include <fmt/format.h>

#include "bus/in_process_queue.h"
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

namespace {
// About the memory a queued record holds: the record and its strings (those
// short enough for the small-string buffer are counted twice, which is harmless).
size_t footprint(const BusRecord& r) {
  size_t n = sizeof(BusRecord) + r.topic.size();
  if (r.key) n += r.key->size();
  if (r.value) n += r.value->size();
  for (auto& [name, value] : r.headers) n += sizeof(r.headers[0]) + name.size() + (value ? value->size() : 0);
  return n;
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
  StringPool* spare_strings() override { return bus_.string_pool(); }  // filled by the sinks
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

// A queue has room for `bytes` when it is empty or they fit in its share; a
// failed or gone queue takes anything (its records count as it must).
bool has_room(const InProcessBus::SinkQueue& q, size_t bytes, size_t share) {
  return q.failed || q.gone || q.queued == 0 || q.queued + bytes <= share;
}
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
  strings_.set_enabled(!memory_tight());
  invalidate_routes();  // recomputed with the new subscriber
  return make_in_process_consumer(mu_, space_, *this, q);
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
    strings_.set_enabled(!memory_tight());
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
  int64_t* next = nullptr;  // the offset counter of the run's topic partition
  int32_t run_partition = -1;
  for (size_t i = 0; i < batch.size(); ++i) {
    auto& rec = batch[i];
    bool new_run = false;
    if (!last_topic || !same_name(*last_topic, rec.topic)) {
      topic = &topic_state(rec.topic, create_partitions);  // map nodes are stable
      last_topic = &rec.topic;
      new_run = true;
    }
    // Kafka's default partitioner: a keyed record by its key's hash; the others round robin.
    if (!rec.partition) {
      if (topic->partitions == 1) rec.partition = 0;
      else if (rec.key) rec.partition = partition_for_key(*rec.key, topic->partitions);
      else rec.partition = static_cast<int32_t>(topic->round_robin++ % static_cast<uint32_t>(topic->partitions));
    }
    // A run of one topic partition takes its offsets from one counter and has one set of subscribers.
    if (new_run || *rec.partition != run_partition) {
      run_partition = *rec.partition;
      next = numbering.counter(rec.topic, run_partition);  // bus/topic_offsets.h
      const std::vector<SinkQueue*>& now = subscribers_of(*topic, run_partition);
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
    }
    rec.offset = (*next)++;
    if (!uniform)
      for (SinkQueue* s : *subs) add_index(s, i);
  }
  std::vector<NextOffset> ends = numbering.numbered();  // where the batch left each topic partition
  PartitionEnds batch_ends;
  if (uniform) {
    batch_ends.reserve(ends.size());
    for (auto& e : ends) batch_ends.emplace_back(TopicPartition{e.topic, e.partition}, e.offset);
  }
  if (numbered) *numbered = std::move(ends);  // before a sink can see (and acknowledge) the batch
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
      if (uniform) chunk.ends = last ? std::move(batch_ends) : batch_ends;
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
