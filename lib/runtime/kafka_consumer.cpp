// The sink side of the Kafka bus: a consumer in the group connect-<name> that
// never auto-commits. commit() commits the positions of what was polled, which
// the sink worker calls only after the sink flushed them.
//
// Rebalances: the rebalance callback runs inside poll(), on the worker's
// thread, and by then every batch returned earlier was flushed and committed
// (the worker commits after each flush). So on revoke, what is committed is
// exactly what the sink flushed; records of revoked partitions polled in the
// current call are dropped from the batch and their uncommitted positions
// forgotten, to be redelivered to the partitions' next owner (at-least-once).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <set>

#include "plugin/connector.h"
#include "runtime/kafka_bus.h"
#include "runtime/log.h"

namespace connectrun {

using namespace std::chrono_literals;

namespace {

using TopicPartition = std::pair<std::string, int32_t>;

class KafkaConsumer : public BusConsumer {
 public:
  explicit KafkaConsumer(KafkaConsumerOptions opts) : opts_(std::move(opts)) {
    log_.log = make_logger(opts_.connector);
    log_.owner = this;
    const std::string& cn = opts_.connector;
    RdConf conf(rd_kafka_conf_new());
    conf_set(conf.get(), "group.id", "connect-" + cn, cn);
    conf_set(conf.get(), "client.id", "connectrun-" + cn, cn);
    conf_set(conf.get(), "auto.offset.reset", "earliest", cn);  // Kafka Connect's sink default
    for (auto& [k, v] : opts_.settings) conf_set(conf.get(), k, v, cn);
    // Set last: offsets are committed only after the sink flushed them.
    conf_set(conf.get(), "enable.auto.commit", "false", cn);
    conf_set(conf.get(), "enable.auto.offset.store", "false", cn);
    // --once needs to know when a partition's end was reached.
    if (opts_.once) conf_set(conf.get(), "enable.partition.eof", "true", cn);
    install_log_callbacks(conf.get(), &log_);
    rd_kafka_conf_set_rebalance_cb(conf.get(), [](rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                                  rd_kafka_topic_partition_list_t* parts, void* opaque) {
      static_cast<KafkaConsumer*>(static_cast<ClientLog*>(opaque)->owner)->rebalance(rk, err, parts);
    });
    char errstr[512];
    rk_.reset(rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), errstr, sizeof errstr));
    if (!rk_) throw ConnectError(fmt::format("connector '{}': cannot create the Kafka consumer: {}", cn, errstr));
    conf.release();  // rd_kafka_new took it
    rd_kafka_poll_set_consumer(rk_.get());

    auto& sub = opts_.subscription;
    RdPartitions topics(rd_kafka_topic_partition_list_new(static_cast<int>(std::max<size_t>(1, sub.topics.size()))));
    for (auto& t : sub.topics) rd_kafka_topic_partition_list_add(topics.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
    // Kafka's topics.regex must match the whole name; librdkafka treats a
    // leading ^ as "this is a regex" and matches anywhere, so anchor both ends.
    if (!sub.topics_regex.empty())
      rd_kafka_topic_partition_list_add(topics.get(), ("^(?:" + sub.topics_regex + ")$").c_str(), RD_KAFKA_PARTITION_UA);
    if (auto e = rd_kafka_subscribe(rk_.get(), topics.get()))
      throw ConnectError(fmt::format("connector '{}': cannot subscribe: {}", cn, rd_kafka_err2str(e)));
  }

  ~KafkaConsumer() override {
    // Leaves the group cleanly (no offsets are committed here) before destroy.
    rd_kafka_consumer_close(rk_.get());
  }

  ConsumeStatus poll(std::vector<BusRecord>& out, std::chrono::milliseconds wait) override {
    if (opts_.stopping && opts_.stopping->load()) return ConsumeStatus::End;
    if (opts_.once && once_done()) return ConsumeStatus::End;
    out_ = &out;
    auto deadline = std::chrono::steady_clock::now() + wait;
    const size_t max_batch = 10000;
    while (out.size() < max_batch) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      // Wait only while nothing is collected; then take what is ready.
      int timeout = out.empty() ? static_cast<int>(std::max<int64_t>(0, left.count())) : 0;
      RdMessage m(rd_kafka_consumer_poll(rk_.get(), timeout));
      if (pending_targets_) record_targets();
      if (!m) {
        if (!out.empty() || left.count() <= 0) break;
        if (opts_.once && once_done()) break;
        continue;
      }
      if (m->err) {
        on_error(*m);
        if (opts_.once && once_done()) break;
        continue;
      }
      take(*m, out);
    }
    out_ = nullptr;
    if (opts_.once && out.empty() && once_done()) return ConsumeStatus::End;
    return ConsumeStatus::Ok;
  }

  void commit() override {
    if (uncommitted_.empty()) return;
    RdPartitions list(rd_kafka_topic_partition_list_new(static_cast<int>(uncommitted_.size())));
    for (auto& [tp, next] : uncommitted_)
      rd_kafka_topic_partition_list_add(list.get(), tp.first.c_str(), tp.second)->offset = next;
    if (auto e = rd_kafka_commit(rk_.get(), list.get(), 0)) {
      // Kept: the next commit includes these positions again.
      if (log_.should_log(-10000 - e, 30s))
        log_.log->warn("cannot commit offsets: {}; retried with the next commit", rd_kafka_err2str(e));
      return;
    }
    uncommitted_.clear();
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
    // Nothing polled and not committed is acknowledged; a restart reads it again.
    uncommitted_.clear();
  }

 private:
  void take(const rd_kafka_message_t& m, std::vector<BusRecord>& out) {
    BusRecord r;
    r.topic = rd_kafka_topic_name(m.rkt);
    r.partition = m.partition;
    r.offset = m.offset;
    if (m.key) r.key.emplace(static_cast<const char*>(m.key), m.key_len);
    if (m.payload) r.value.emplace(static_cast<const char*>(m.payload), m.len);
    rd_kafka_timestamp_type_t tstype;
    int64_t ts = rd_kafka_message_timestamp(&m, &tstype);
    if (tstype != RD_KAFKA_TIMESTAMP_NOT_AVAILABLE && ts >= 0) r.timestamp = ts;
    rd_kafka_headers_t* hdrs = nullptr;
    if (rd_kafka_message_headers(&m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR && hdrs) {
      const char* name;
      const void* value;
      size_t size;
      for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i)
        r.headers.emplace_back(name, value ? std::optional<std::string>(std::string(static_cast<const char*>(value), size))
                                           : std::nullopt);
    }
    TopicPartition tp{r.topic, m.partition};
    uncommitted_[tp] = m.offset + 1;
    if (opts_.once) {
      auto it = targets_.find(tp);
      if (it != targets_.end() && m.offset + 1 >= it->second) done_.insert(tp);
    }
    out.push_back(std::move(r));
  }

  void on_error(const rd_kafka_message_t& m) {
    if (m.err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      if (m.rkt) done_.insert({rd_kafka_topic_name(m.rkt), m.partition});
      return;
    }
    if (log_.should_log(m.err, 30s))
      log_.log->warn("Kafka consumer: {} (repeats are logged at most every 30 s)", rd_kafka_message_errstr(&m));
  }

  // --once: every assigned partition reached the end it had at assignment.
  bool once_done() const {
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
      return;
    }
    // Revoked: drop what this poll collected from those partitions and forget
    // their uncommitted positions; the next owner reads them again.
    for (int i = 0; i < parts->cnt; ++i) {
      TopicPartition tp{parts->elems[i].topic, parts->elems[i].partition};
      uncommitted_.erase(tp);
      targets_.erase(tp);
      done_.erase(tp);
      if (out_)
        out_->erase(std::remove_if(out_->begin(), out_->end(),
                                   [&](const BusRecord& r) { return r.topic == tp.first && r.partition == tp.second; }),
                    out_->end());
    }
    if (cooperative) rd_kafka_error_destroy(rd_kafka_incremental_unassign(rk, parts));
    else rd_kafka_assign(rk, nullptr);
  }

  // Records each newly assigned partition's high watermark. A partition whose
  // position is already at its end is marked done by the PARTITION_EOF event
  // (enable.partition.eof), which librdkafka sends whenever a fetch reaches the end.
  void record_targets() {
    RdPartitions parts = std::move(pending_targets_);
    for (int i = 0; i < parts->cnt; ++i) {
      TopicPartition tp{parts->elems[i].topic, parts->elems[i].partition};
      int64_t low = 0, high = 0;
      if (auto e = rd_kafka_query_watermark_offsets(rk_.get(), tp.first.c_str(), tp.second, &low, &high, 10000)) {
        log_.log->warn("--once: cannot read the end offset of {}-{}: {}; reading it until its end", tp.first, tp.second,
                       rd_kafka_err2str(e));
        high = 0;  // done at its first end of partition
      }
      targets_[tp] = high;
    }
  }

  KafkaConsumerOptions opts_;
  ClientLog log_;
  RdKafka rk_;
  std::map<TopicPartition, int64_t> uncommitted_;  // next offset to commit
  std::vector<BusRecord>* out_ = nullptr;          // the batch being collected by poll()
  bool assigned_once_ = false;
  bool paused_ = false;  // pause_fetching(true): partitions assigned meanwhile are paused too
  RdPartitions pending_targets_;                   // --once: assigned, end offsets not yet read
  std::map<TopicPartition, int64_t> targets_;      // --once: high watermark at assignment
  std::set<TopicPartition> done_;
};

}  // namespace

std::unique_ptr<BusConsumer> make_kafka_consumer(KafkaConsumerOptions opts) {
  return std::make_unique<KafkaConsumer>(std::move(opts));
}

}  // namespace connectrun
