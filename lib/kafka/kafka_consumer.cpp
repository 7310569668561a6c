// The sink side of the Kafka bus: a consumer in the group connect-<name> that
// never auto-commits. The sink worker calls commit() after the sink flushed
// what was polled; the positions are then committed asynchronously, one commit
// in flight at a time (so the worker never waits for the coordinator, and
// little is read twice after a crash or a rebalance), and synchronously when
// partitions are revoked, and on close.
//
// Rebalances: the rebalance callback runs inside poll(), on the worker's
// thread, and by then every batch returned earlier was flushed (the worker
// flushes after each batch). So on revoke, the flushed positions of the
// revoked partitions are committed before they are given up; records of
// revoked partitions polled in the current call are dropped from the batch,
// to be redelivered to the partitions' next owner (at-least-once).
//
// --once: the consumer assigns itself every partition of its topics instead of
// joining the group (a join costs group.initial.rebalance.delay.ms, 3 s by
// default, on every cron run); it starts from the group's committed offsets
// and commits to the group as a simple consumer, which a Kafka broker refuses
// while the group has active members (a long-running job of the same name).
// In a job with source connectors, the ends are taken again once those
// sources finished and their records were delivered (sources_done), and the
// partitions assigned again then (a topic they created is new): the sink
// writes this run's records in this run, not one run behind.
//
// topics.regex: Kafka Connect matches with Java's regex syntax, librdkafka's
// own pattern subscription with POSIX syntax. So the pattern is matched here,
// with PCRE2, against the cluster's topic list (refreshed every few seconds),
// and the consumer subscribes to the matching names.
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <map>
#include <set>

#include "bus/partitioner.h"
#include "plugin/connector.h"
#include "kafka/broker_watch.h"
#include "kafka/fetch_wake.h"
#include "kafka/kafka_clients.h"
#include "ops/log.h"

namespace connectrun {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {


RdPartitions partition_list_of(const std::vector<TopicPartition>& tps) {
  RdPartitions list(rd_kafka_topic_partition_list_new(static_cast<int>(std::max<size_t>(1, tps.size()))));
  for (auto& tp : tps) rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition);
  return list;
}

class KafkaConsumer : public BusConsumer {
 public:
  explicit KafkaConsumer(KafkaConsumerOptions opts) : opts_(std::move(opts)) {
    log_.log = make_logger(opts_.connector);
    log_.owner = this;
    log_.metrics = opts_.metrics;
    const std::string& cn = opts_.connector;
    RdConf conf(rd_kafka_conf_new());
    conf_set(conf.get(), "group.id", "connect-" + cn, cn);
    // One client per sink task: tasks after the first get their id as a suffix.
    conf_set(conf.get(), "client.id", "connectrun-" + cn + (opts_.task.id ? fmt::format("-{}", opts_.task.id) : ""), cn);
    conf_set(conf.get(), "auto.offset.reset", "earliest", cn);  // Kafka Connect's sink default
    if (opts_.metrics) conf_set(conf.get(), "statistics.interval.ms", "5000", cn);  // for /metrics
    for (auto& [k, v] : opts_.settings) conf_set(conf.get(), k, v, cn);
    // Set last: offsets are committed only after the sink flushed them.
    conf_set(conf.get(), "enable.auto.commit", "false", cn);
    conf_set(conf.get(), "enable.auto.offset.store", "false", cn);
    // --once needs to know when a partition's end was reached.
    if (opts_.once) conf_set(conf.get(), "enable.partition.eof", "true", cn);
    fetch_wake_.read_thresholds(conf.get());
    install_log_callbacks(conf.get(), &log_);
    rd_kafka_conf_set_rebalance_cb(conf.get(), [](rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                                  rd_kafka_topic_partition_list_t* parts, void* opaque) {
      static_cast<KafkaConsumer*>(static_cast<ClientLog*>(opaque)->owner)->rebalance(rk, err, parts);
    });
    rd_kafka_conf_set_offset_commit_cb(conf.get(), [](rd_kafka_t*, rd_kafka_resp_err_t err,
                                                      rd_kafka_topic_partition_list_t* offsets, void* opaque) {
      static_cast<KafkaConsumer*>(static_cast<ClientLog*>(opaque)->owner)->committed(err, offsets);
    });
    char errstr[512];
    rk_.reset(rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), errstr, sizeof errstr));
    if (!rk_) throw ConnectError(fmt::format("connector '{}': cannot create the Kafka consumer: {}", cn, errstr));
    conf.release();  // rd_kafka_new took it
    rd_kafka_poll_set_consumer(rk_.get());
    fetch_wake_.attach(rk_.get());

    auto& sub = opts_.subscription;
    if (opts_.once) assign_all();
    else if (regex_) refresh_regex_subscription();
    else subscribe(sub.topics);
  }

  ~KafkaConsumer() override {
    // The last flushed positions, then leave the group cleanly.
    commit_now(false);
    rd_kafka_consumer_close(rk_.get());
  }

  ConsumeStatus poll(std::vector<BusRecord>& out, std::chrono::milliseconds wait) override {
    // This poll's ends start empty, and so does the run: its entry in ends_ is found again.
    ends_.clear();
    run_ = {};
    if (opts_.stopping && opts_.stopping->load()) return ConsumeStatus::End;
    // --once with no broker answering: the sink fails (exit 1) instead of waiting for ever.
    if (watch_.check(rk_.get(), *log_.log)) throw ConnectError(watch_.reason());
    if (Clock::now() >= next_refresh_) {
      if (opts_.once && !assigned_once_) assign_all();
      else if (regex_ && !opts_.once) refresh_regex_subscription();
    }
    if (opts_.once && opts_.sources_done && !retargeted_ && assigned_once_ && !pending_targets_ &&
        opts_.sources_done->load() && (!assign_failed_ || Clock::now() >= next_refresh_))
      assign_all();
    if (opts_.once && once_done()) return ConsumeStatus::End;
    // A refused async commit (a rebalance in progress, a coordinator moving)
    // is tried again, so an idle sink does not keep its positions uncommitted.
    // Also what was flushed while the previous commit was in flight.
    if (uncommitted_ && !commit_in_flight_ && Clock::now() >= retry_commit_at_) commit_now(true);
    if (fetch_wake_.check()) log_.log->debug("the fetch queue has room again: woke the fetchers (fetch_wake.h)");
    out_ = &out;
    auto deadline = Clock::now() + wait;
    const size_t max_batch = 10000;
    // Wait for one message while nothing is collected.
    while (out.empty()) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
      RdMessage m(rd_kafka_consumer_poll(rk_.get(), static_cast<int>(std::max<int64_t>(0, left.count()))));
      if (pending_targets_) record_targets();
      if (!m) {
        if (left.count() <= 0 || (opts_.once && once_done())) break;
        continue;
      }
      if (m->err) {
        on_error(*m);
        if (opts_.once && once_done()) break;
        continue;
      }
      take(*m, out);
    }
    // Then take what is ready, many messages a call: librdkafka's per-call
    // work (its queue's forwarding, the poll bookkeeping) is paid once per call.
    while (fetch_wake_.queue() && !out.empty() && out.size() < max_batch && !(opts_.once && once_done())) {
      const size_t room = std::min(ready_.size(), max_batch - out.size());
      revoked_now_.clear();
      const ssize_t n = rd_kafka_consume_batch_queue(fetch_wake_.queue(), 0, ready_.data(), room);
      if (n <= 0) break;
      if (pending_targets_) record_targets();
      for (ssize_t i = 0; i < n; ++i) {
        RdMessage m(ready_[static_cast<size_t>(i)]);
        if (m->err) on_error(*m);
        else if (revoked_now_.empty() || !revoked_before(*m)) take(*m, out);
      }
      if (static_cast<size_t>(n) < room) break;  // the queue is empty
    }
    out_ = nullptr;
    if (opts_.once && out.empty() && once_done()) return ConsumeStatus::End;
    return ConsumeStatus::Ok;
  }

  // Kept while taking the messages: the sink and the traffic counts need not look through the records.
  const PartitionEnds* polled_ends() const override { return &ends_; }

  void commit() override { commit(TopicPartitionOffsets(polled_)); }

  void commit(const TopicPartitionOffsets& positions) override {
    bool moved = false;
    for (auto& [tp, position] : positions) {
      // Only partitions held now, and only up to what was polled from them.
      auto p = polled_.find(tp);
      if (p == polled_.end()) continue;
      int64_t next = std::min(position, p->second);
      auto [f, added] = flushed_.try_emplace(tp, next);
      if (!added) {
        if (f->second >= next) continue;  // commits only move forward
        f->second = next;
      }
      moved = true;
    }
    if (!moved) return;
    uncommitted_ = true;
    if (!commit_in_flight_) commit_now(true);
  }

  bool pause_fetching(bool paused) override {
    paused_ = paused;
    rd_kafka_topic_partition_list_t* parts = nullptr;
    if (rd_kafka_assignment(rk_.get(), &parts) == RD_KAFKA_RESP_ERR_NO_ERROR && parts) {
      RdPartitions list(parts);
      // librdkafka resumes a partition at the position after the last message polled.
      if (paused) rd_kafka_pause_partitions(rk_.get(), list.get());
      else rd_kafka_resume_partitions(rk_.get(), list.get());
    }
    return true;
  }

  void fail(const std::string&) override {
    // Nothing polled and not flushed is acknowledged; a restart reads it again.
    // What was flushed before the failure is still committed on close.
    polled_.clear();
    run_ = {};
  }

  void abandon_uncommitted() override {
    // What the task never committed stays uncommitted: the group's next
    // consumer reads it again. (This consumer, handed to a restarted task,
    // goes on from its fetch position.)
  }
  // Queued by the rebalance callback (and --once's own assignments), which
  // runs inside poll() on the sink task's thread; the worker takes them after
  // poll returns, before it puts the batch: a C callback must not throw, and
  // a task's close() may.
  std::vector<PartitionChange> take_partition_changes() override { return std::exchange(changes_, {}); }

  void replay_assignment() override {
    changes_.clear();
    if (!assigned_.empty()) changes_.push_back(PartitionChange{true, {assigned_.begin(), assigned_.end()}});
  }

 private:

  void subscribe(const std::vector<std::string>& topics) {
    RdPartitions list(rd_kafka_topic_partition_list_new(static_cast<int>(std::max<size_t>(1, topics.size()))));
    for (auto& t : topics) rd_kafka_topic_partition_list_add(list.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
    if (auto e = rd_kafka_subscribe(rk_.get(), list.get()))
      throw ConnectError(fmt::format("connector '{}': cannot subscribe to {}: {}", opts_.connector,
                                     fmt::join(topics, ", "), rd_kafka_err2str(e)));
  }

  // --once: assigns every partition of the subscribed topics (topics.regex
  // matched now), at the group's committed offsets (RD_KAFKA_OFFSET_INVALID:
  // the committed one, else auto.offset.reset). Retried from poll() while the
  // cluster cannot be reached. Called again once the job's sources are done:
  // partitions read from already continue after what was read.
  void assign_all() {
    next_refresh_ = Clock::now() + 1s;
    const bool after_sources = opts_.sources_done && opts_.sources_done->load();
    TopicPartitions found;
    if (auto e = subscribed_partitions(rk_.get(), opts_.subscription, 5000, found)) {
      assign_failed_ = true;
      if (log_.should_log(-30000 - e, 30s))
        log_.log->warn("cannot list the cluster's topics: {} (retrying)", rd_kafka_err2str(e));
      return;
    }
    assign_failed_ = false;
    // Without a group, the connector's tasks split each topic's partitions
    // themselves, as the RangeAssignor would.
    if (opts_.task.count > 1)
      for (auto& [topic, ids] : found) {
        std::sort(ids.begin(), ids.end());
        PartitionRange r = range_assignment(static_cast<int32_t>(ids.size()), opts_.task.id, opts_.task.count);
        ids = std::vector<int32_t>(ids.begin() + r.first, ids.begin() + r.first + r.count);
      }
    RdPartitions parts = partition_list(found);
    // Before the job's sources are done, a missing topic may be one they are about to create.
    if (!opts_.sources_done || after_sources)
      for (auto& t : opts_.subscription.topics)
        if (!found.count(t)) log_.log->warn("--once: topic '{}' does not exist; nothing to read from it", t);
    if (regex_) {
      regex_listed_ = true;
      regex_topics_.clear();
      for (auto& [topic, ids] : found) regex_topics_.insert(topic);
    }
    for (int i = 0; i < parts->cnt; ++i) {
      auto c = consumed_.find({parts->elems[i].topic, parts->elems[i].partition});
      if (c != consumed_.end()) parts->elems[i].offset = c->second;
    }
    if (auto e = rd_kafka_assign(rk_.get(), parts.get()))
      throw ConnectError(fmt::format("connector '{}': cannot assign partitions: {}", opts_.connector, rd_kafka_err2str(e)));
    {
      std::set<TopicPartition> now;
      for (int i = 0; i < parts->cnt; ++i) now.insert({parts->elems[i].topic, parts->elems[i].partition});
      PartitionChange lost{false, {}};
      for (auto& tp : assigned_)
        if (!now.count(tp)) lost.partitions.push_back(tp);
      if (!lost.partitions.empty()) note_change(false, partition_list_of(lost.partitions).get());
      note_change(true, parts.get());
    }
    pending_targets_ = std::move(parts);
    assigned_once_ = true;
    if (after_sources) retargeted_ = true;
    log_.log->info("--once: reading {} partition(s) of {} topic(s) up to their current end{}", pending_targets_->cnt,
                   found.size(), after_sources ? " (the job's sources are done)" : "");
  }

  // Matches topics.regex against the cluster's topics; resubscribes when the set changed.
  void refresh_regex_subscription() {
    next_refresh_ = Clock::now() + 5s;
    TopicPartitions found;
    if (auto e = subscribed_partitions(rk_.get(), opts_.subscription, 5000, found)) {
      if (log_.should_log(-30000 - e, 30s))
        log_.log->warn("cannot list topics for topics.regex: {} (retried every 5 s)", rd_kafka_err2str(e));
      return;
    }
    std::set<std::string> matched;
    for (auto& [topic, ids] : found) matched.insert(topic);
    regex_listed_ = true;
    if (matched == regex_topics_) return;
    regex_topics_ = matched;
    log_.log->info("topics.regex matches {} topic(s){}{}", matched.size(), matched.empty() ? "" : ": ",
                   fmt::join(matched, ", "));
    if (matched.empty()) {
      rd_kafka_unsubscribe(rk_.get());
      return;
    }
    subscribe({matched.begin(), matched.end()});
  }

  void take(const rd_kafka_message_t& m, std::vector<BusRecord>& out) {
    // Messages come in runs of one partition: its map entries are looked up once a run.
    if (!run_.polled || run_.rkt != m.rkt || run_.partition != m.partition) start_run(m);
    BusRecord& r = out.emplace_back();  // built in place: a BusRecord is large to move
    r.topic = run_.tp->topic;
    r.partition = m.partition;
    r.offset = m.offset;
    if (m.key) r.key.emplace(static_cast<const char*>(m.key), m.key_len);
    if (m.payload) r.value.emplace(static_cast<const char*>(m.payload), m.len);
    rd_kafka_timestamp_type_t tstype;
    int64_t ts = rd_kafka_message_timestamp(&m, &tstype);
    if (tstype != RD_KAFKA_TIMESTAMP_NOT_AVAILABLE && ts >= 0) r.timestamp = ts;
    rd_kafka_headers_t* hdrs = nullptr;
    if (opts_.headers && rd_kafka_message_headers(&m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR && hdrs) {
      const char* name;
      const void* value;
      size_t size;
      for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i)
        r.headers.emplace_back(name, value ? std::optional<std::string>(std::string(static_cast<const char*>(value), size))
                                           : std::nullopt);
    }
    *run_.polled = m.offset + 1;
    ends_[run_.end].second = m.offset + 1;
    fetch_wake_.taken(m.len + m.key_len);
    if (opts_.once) {
      *run_.consumed = m.offset + 1;
      if (run_.target && m.offset + 1 >= *run_.target) done_.insert(*run_.tp);
    }
  }

  // A message returned by a batch call during which its partition was revoked, and not assigned
  // again: dropped like the records of it polled before (rebalance()).
  bool revoked_before(const rd_kafka_message_t& m) const {
    TopicPartition tp{rd_kafka_topic_name(m.rkt), m.partition};
    return revoked_now_.count(tp) && !assigned_.count(tp);
  }

  // The entries of (topic, partition) in polled_, consumed_ and targets_ (map nodes stay put).
  void start_run(const rd_kafka_message_t& m) {
    TopicPartition tp{rd_kafka_topic_name(m.rkt), m.partition};
    auto p = polled_.try_emplace(tp, 0).first;
    auto e = std::find_if(ends_.begin(), ends_.end(), [&](auto& end) { return end.first == tp; });
    if (e == ends_.end()) e = ends_.emplace(ends_.end(), tp, 0);
    run_ = Run{m.rkt, m.partition, &p->first, &p->second, nullptr, nullptr, static_cast<size_t>(e - ends_.begin())};
    if (!opts_.once) return;
    run_.consumed = &consumed_[tp];
    auto t = targets_.find(tp);
    if (t != targets_.end()) run_.target = &t->second;
  }

  // Commits the flushed positions not yet committed. Async: the result
  // arrives in committed(); on failure they stay and go with the next commit.
  void commit_now(bool async, const std::set<TopicPartition>* only = nullptr) {
    RdPartitions list(rd_kafka_topic_partition_list_new(static_cast<int>(std::max<size_t>(1, flushed_.size()))));
    for (auto& [tp, next] : flushed_) {
      if (only && !only->count(tp)) continue;
      auto c = committed_.find(tp);
      if (c != committed_.end() && c->second >= next) continue;
      rd_kafka_topic_partition_list_add(list.get(), tp.topic.c_str(), tp.partition)->offset = next;
    }
    if (list->cnt == 0) {
      if (!only) uncommitted_ = false;
      return;
    }
    rd_kafka_resp_err_t e = rd_kafka_commit(rk_.get(), list.get(), async ? 1 : 0);
    if (async && !e) {
      commit_in_flight_ = true;
      uncommitted_ = false;
    } else if (e) {
      retry_commit_at_ = Clock::now() + 1s;
    }
    if (e && log_.should_log(-10000 - e, 30s))
      log_.log->warn("cannot commit offsets: {}; retried with the next commit", rd_kafka_err2str(e));
    if (!async && !e) mark_committed(list.get());
  }

  // The offset commit callback (served by poll), for async and sync commits.
  void committed(rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* offsets) {
    commit_in_flight_ = false;  // sync commits report here too: harmless
    if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET) {
      uncommitted_ = true;  // tried again from poll()
      retry_commit_at_ = Clock::now() + 1s;
    }
    if (err == RD_KAFKA_RESP_ERR__NO_OFFSET) return;  // nothing to commit
    if (err) {
      if (log_.should_log(-10000 - err, 30s))
        log_.log->warn("cannot commit offsets: {}; retried with the next commit", rd_kafka_err2str(err));
      return;
    }
    if (offsets) mark_committed(offsets);
  }

  void mark_committed(const rd_kafka_topic_partition_list_t* offsets) {
    for (int i = 0; i < offsets->cnt; ++i) {
      auto& p = offsets->elems[i];
      if (p.err || p.offset < 0) continue;
      int64_t& c = committed_[{p.topic, p.partition}];
      c = std::max(c, p.offset);
    }
  }

  void on_error(const rd_kafka_message_t& m) {
    if (m.err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      if (m.rkt) {
        TopicPartition tp{rd_kafka_topic_name(m.rkt), m.partition};
        done_.insert(tp);
        int64_t& c = consumed_[tp];  // the end it reached: its position
        c = std::max(c, m.offset);
      }
      return;
    }
    if (log_.should_log(m.err, 30s))
      log_.log->warn("Kafka consumer: {} (repeats are logged at most every 30 s)", rd_kafka_message_errstr(&m));
  }

  // --once: every assigned partition reached the end it had at assignment
  // (or topics.regex matched no topic at all).
  bool once_done() const {
    if (opts_.sources_done && !retargeted_) return false;
    if (regex_ && regex_listed_ && regex_topics_.empty()) return true;
    if (!assigned_once_ || pending_targets_) return false;
    for (auto& [tp, hw] : targets_)
      if (!done_.count(tp)) return false;
    return true;
  }

  void rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts) {
    bool cooperative = std::string(rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE";
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      // Targets are queried in poll(), not here: blocking calls in the callback
      // would stall the group protocol.
      if (opts_.once) pending_targets_.reset(rd_kafka_topic_partition_list_copy(parts));
      if (cooperative) rd_kafka_error_destroy(rd_kafka_incremental_assign(rk, parts));
      else rd_kafka_assign(rk, parts);
      assigned_once_ = true;
      if (paused_) rd_kafka_pause_partitions(rk, parts);  // the sink is paused: so are partitions it gains
      log_.log->info("assigned {} partition(s)", parts->cnt);
      note_change(true, parts);
      return;
    }
    // Revoked: commit what the sink flushed from those partitions while they
    // are still ours; drop what this poll collected from them and forget
    // their unflushed positions. The next owner reads from the commit.
    std::set<TopicPartition> revoked;
    for (int i = 0; i < parts->cnt; ++i) revoked.insert({parts->elems[i].topic, parts->elems[i].partition});
    revoked_now_.insert(revoked.begin(), revoked.end());
    commit_now(false, &revoked);
    run_ = {};  // its entries may be erased below
    for (auto& tp : revoked) {
      polled_.erase(tp);
      flushed_.erase(tp);
      committed_.erase(tp);
      targets_.erase(tp);
      done_.erase(tp);
      consumed_.erase(tp);
      std::erase_if(ends_, [&](auto& end) { return end.first == tp; });
      if (out_)
        out_->erase(std::remove_if(out_->begin(), out_->end(),
                                   [&](const BusRecord& r) { return r.topic == tp.topic && r.partition == tp.partition; }),
                    out_->end());
    }
    if (cooperative) rd_kafka_error_destroy(rd_kafka_incremental_unassign(rk, parts));
    else rd_kafka_assign(rk, nullptr);
    note_change(false, parts);
  }

  // Queues an assignment change for the sink task, and follows the assignment.
  void note_change(bool assigned, const rd_kafka_topic_partition_list_t* parts) {
    PartitionChange c{assigned, {}};
    for (int i = 0; i < parts->cnt; ++i) {
      TopicPartition tp{parts->elems[i].topic, parts->elems[i].partition};
      bool changed = assigned ? assigned_.insert(tp).second : assigned_.erase(tp) > 0;
      if (changed) c.partitions.push_back(std::move(tp));
    }
    if (!c.partitions.empty()) changes_.push_back(std::move(c));
  }

  // Records each newly assigned partition's high watermark. A partition whose
  // position is already at its end is marked done by the PARTITION_EOF event
  // (enable.partition.eof), which librdkafka sends whenever a fetch reaches the end.
  void record_targets() {
    RdPartitions parts = std::move(pending_targets_);
    // One ListOffsets request per leader for all partitions: "timestamp" -1
    // asks for the latest offset, i.e. the high watermark.
    RdPartitions ends(rd_kafka_topic_partition_list_copy(parts.get()));
    for (int i = 0; i < ends->cnt; ++i) ends->elems[i].offset = -1;
    rd_kafka_resp_err_t e = rd_kafka_offsets_for_times(rk_.get(), ends.get(), 10000);
    for (int i = 0; i < ends->cnt; ++i) {
      const auto& p = ends->elems[i];
      TopicPartition tp{p.topic, p.partition};
      int64_t high = p.offset;
      if (e || p.err || high < 0) {
        log_.log->warn("--once: cannot read the end offset of {}-{}: {}; reading it until its end", tp.topic, tp.partition,
                       rd_kafka_err2str(e ? e : p.err));
        high = 0;  // done at its first end of partition
      }
      // Taken again after the job's sources are done: a partition that was at
      // its old end has more to read when its end moved past its position.
      if (auto c = consumed_.find(tp); done_.count(tp) && c != consumed_.end() && c->second < high) done_.erase(tp);
      targets_[tp] = high;
    }
    run_ = {};  // a partition may have a target now
  }

  KafkaConsumerOptions opts_;
  ClientLog log_;
  RdKafka rk_;
  TopicPartitionOffsets polled_;   // after the last record poll returned, by partition held since assignment
  TopicPartitionOffsets flushed_;  // what the sink committed: committable
  std::map<TopicPartition, int64_t> committed_;  // confirmed by the group coordinator
  bool commit_in_flight_ = false;  // an async commit awaits its result
  bool uncommitted_ = false;       // flushed positions not yet sent in a commit
  Clock::time_point retry_commit_at_;  // after a refused commit
  std::vector<BusRecord>* out_ = nullptr;  // the batch being collected by poll()
  std::array<rd_kafka_message_t*, 1024> ready_{};  // one rd_kafka_consume_batch_queue call's messages
  std::set<TopicPartition> revoked_now_;           // revoked during the current batch call
  // The partition take() saw last and its map entries; reset wherever those maps (or ends_) lose
  // entries or gain targets.
  struct Run {
    rd_kafka_topic_t* rkt = nullptr;
    int32_t partition = -1;
    const TopicPartition* tp = nullptr;
    int64_t* polled = nullptr;
    int64_t* consumed = nullptr;
    const int64_t* target = nullptr;
    size_t end = 0;  // its entry in ends_
  } run_;
  PartitionEnds ends_;  // of what the current or last poll() appended
  BrokerWatch watch_{opts_.settings, opts_.once};
  FetchWake fetch_wake_;
  bool assigned_once_ = false;
  bool paused_ = false;  // pause_fetching(true): partitions assigned meanwhile are paused too
  RdPartitions pending_targets_;                   // --once: assigned, end offsets not yet read
  std::map<TopicPartition, int64_t> targets_;      // --once: high watermark at assignment
  std::set<TopicPartition> done_;
  std::map<TopicPartition, int64_t> consumed_;  // --once: position after what was taken or the end reached
  bool retargeted_ = false;     // --once: assigned again after the job's sources were done
  bool assign_failed_ = false;  // --once: the last assign_all could not list the topics
  std::set<TopicPartition> assigned_;     // what the sink task was told it holds
  std::vector<PartitionChange> changes_;  // not yet taken by the sink task
  const bool regex_ = !opts_.subscription.topics_regex.empty();  // topics.regex (matched by subscribed_partitions)
  std::set<std::string> regex_topics_;          // the topics it matched at the last refresh
  bool regex_listed_ = false;
  Clock::time_point next_refresh_;
};

}  // namespace

std::unique_ptr<BusConsumer> make_kafka_consumer(KafkaConsumerOptions opts) {
  return std::make_unique<KafkaConsumer>(std::move(opts));
}

}  // namespace connectrun
