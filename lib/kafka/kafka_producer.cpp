// The source side of the Kafka bus. One idempotent librdkafka producer per
// source connector; a thread polls it so delivery reports arrive while the
// connector is idle. A batch is acknowledged once every record of it has its
// delivery report.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <map>
#include <set>
#include <thread>

#include "bus/string_pool.h"
#include "plugin/connector.h"
#include "kafka/broker_watch.h"
#include "kafka/kafka_clients.h"
#include "ops/log.h"

namespace connectrun {

using namespace std::chrono_literals;

namespace {

// Shared by the records of one batch; freed by the last delivery report.
struct BatchAck {
  std::atomic<size_t> remaining;
  std::mutex mu;
  std::optional<std::string> error;
  DeliveryCallback done;
  const std::atomic<bool>* detached;  // the producer is being destroyed: no callbacks
  void record(std::optional<std::string> err) {
    if (err) {
      std::lock_guard lock(mu);
      if (!error) error = std::move(err);
    }
    if (remaining.fetch_sub(1) == 1) {
      if (!detached->load()) done(std::move(error));
      delete this;
    }
  }
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* ack = static_cast<BatchAck*>(m->_private);
  auto* log = static_cast<ClientLog*>(opaque);
  // Purged because --once gave up on an unreachable cluster: not a failed
  // record (errors.tolerance must not skip it) but one never delivered, whose
  // offset is not stored (read again next run).
  if ((m->err == RD_KAFKA_RESP_ERR__PURGE_QUEUE || m->err == RD_KAFKA_RESP_ERR__PURGE_INFLIGHT) && log &&
      log->gave_up.load(std::memory_order_acquire))
    ack->record(std::string(kNotCommitted) + log->gave_up_reason);
  else if (m->err)
    ack->record(fmt::format("topic '{}' partition {}: {}", rd_kafka_topic_name(m->rkt), m->partition,
                            rd_kafka_err2str(m->err)));
  else
    ack->record(std::nullopt);
}

class KafkaProducer : public BusProducer {
 public:
  using BusProducer::send;
  explicit KafkaProducer(KafkaProducerOptions opts) : opts_(std::move(opts)) {
    log_.log = make_logger(opts_.connector);
    RdConf conf(rd_kafka_conf_new());
    // Never lose or reorder: idempotence implies acks=all and at most 5 in
    // flight, which librdkafka keeps in order across retries. User keys come
    // after these defaults so producer.override.* can still change them.
    conf_set(conf.get(), "enable.idempotence", "true", opts_.connector);
    conf_set(conf.get(), "acks", "all", opts_.connector);
    conf_set(conf.get(), "client.id", "connectrun-" + opts_.connector, opts_.connector);
    log_.metrics = opts_.metrics;
    if (opts_.metrics) conf_set(conf.get(), "statistics.interval.ms", "5000", opts_.connector);  // for /metrics
    // Java's default partitioner for keyed records (murmur2), so a key lands
    // where a Java producer, and the in-process bus, put it. A user's
    // producer.override.partitioner still wins.
    conf_set(conf.get(), "partitioner", "murmur2_random", opts_.connector);
    for (auto& [k, v] : opts_.settings) conf_set(conf.get(), k, v, opts_.connector);
    rd_kafka_conf_set_dr_msg_cb(conf.get(), on_delivery);
    install_log_callbacks(conf.get(), &log_);
    char err[512];
    rk_.reset(rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), err, sizeof err));
    if (!rk_) throw ConnectError(fmt::format("connector '{}': cannot create the Kafka producer: {}", opts_.connector, err));
    conf.release();  // rd_kafka_new took it
    // A topic handle created now goes into the first metadata request; one
    // created at the first record waits for the next refresh (about 1 s).
    for (auto& t : opts_.known_topics) topic_handle(t);
    poller_ = std::thread([this] {
      // Short waits: rd_kafka_yield does not wake a waiting rd_kafka_poll, and
      // the destructor joins this thread (a cron run should not wait 100 ms).
      // It sleeps rather than waits in rd_kafka_poll, so that while the source is sending, the
      // reports are mostly served by send() on the source's thread; it serves what is left.
      while (!stop_poller_.load()) {
        rd_kafka_poll(rk_.get(), 0);
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
        if (watch_.check(rk_.get(), *log_.log) && !log_.gave_up.load()) {
          log_.gave_up_reason = watch_.reason();
          log_.gave_up.store(true, std::memory_order_release);
        }
        // Given up: what waits in the queue, and whatever is sent after, is
        // reported undelivered at once (on_delivery).
        if (log_.gave_up.load()) rd_kafka_purge(rk_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
      }
    });
  }

  ~KafkaProducer() override {
    if (!closed_) close();
    // What is still in flight after close's flush is abandoned: its batches are
    // not acknowledged, so their source offsets are not stored.
    detached_.store(true);
    rd_kafka_purge(rk_.get(), RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
    stop_poller_.store(true);
    poller_.join();
    rd_kafka_flush(rk_.get(), 1000);  // serves the purged messages' reports (freeing their BatchAcks)
  }

  // Kafka numbers records on the broker: `numbered` stays empty.
  void send(std::vector<BusRecord>&& batch, DeliveryCallback done, std::vector<NextOffset>*) override {
    if (batch.empty()) {
      done(std::nullopt);
      return;
    }
    auto* ack = new BatchAck{{batch.size()}, {}, {}, std::move(done), &detached_};
    for (auto& r : batch) produce(r, ack);
    // Copied into librdkafka's messages: the strings' memory goes back to the source.
    if (opts_.keep_spare_strings) strings_.give_back(batch, spent_);
    // Reports that are ready are served here, on the thread that produced their messages:
    // librdkafka frees a message where its report is served, and a free on another thread
    // than the allocation's meets it on glibc's arena lock (system time, context switches).
    rd_kafka_poll(rk_.get(), 0);
  }

  StringPool* spare_strings() override { return opts_.keep_spare_strings ? &strings_ : nullptr; }

  void close() override {
    closed_ = true;
    // The worker waits for its deliveries itself; this bounds only the wait of
    // a producer that is destroyed without that.
    rd_kafka_flush(rk_.get(), static_cast<int>(opts_.close_timeout.count()));
  }

 private:
  void ensure_topic(const std::string& topic) {
    if (!opts_.create_partitions || created_.count(topic)) return;
    created_.insert(topic);
    create_topic(topic);
  }

  void create_topic(const std::string& topic);

  // The topic's handle, created once. Producing by name instead makes
  // librdkafka look the topic up under its lock for every message.
  rd_kafka_topic_t* topic_handle(const std::string& topic) {
    if (last_topic_ && *last_topic_name_ == topic) return last_topic_;
    auto it = topics_.find(topic);
    if (it == topics_.end()) it = topics_.emplace(topic, RdTopic(rd_kafka_topic_new(rk_.get(), topic.c_str(), nullptr))).first;
    last_topic_name_ = &it->first;
    last_topic_ = it->second.get();
    return last_topic_;
  }

  void produce(BusRecord& r, BatchAck* ack) {
    ensure_topic(r.topic);
    for (;;) {
      rd_kafka_resp_err_t err = produce_record(rk_.get(), topic_handle(r.topic), r, ack);
      if (!err) return;
      if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        // Backpressure: wait for delivery reports to make room.
        rd_kafka_poll(rk_.get(), 50);
        continue;
      }
      // Refused at once (a record over message.max.bytes, an unknown partition):
      // reported like a failed delivery, never dropped silently.
      ack->record(fmt::format("topic '{}': {}", r.topic, rd_kafka_err2str(err)));
      return;
    }
  }

  KafkaProducerOptions opts_;
  ClientLog log_;
  BrokerWatch watch_{opts_.settings, opts_.once};  // used by the poller thread only
  RdKafka rk_;
  std::atomic<bool> detached_{false};
  StringPool strings_;  // the values' strings, for the source (keep_spare_strings)
  StringPool::Spent spent_;  // strings gathered for strings_, room kept between batches
  std::atomic<bool> stop_poller_{false};
  std::thread poller_;
  bool closed_ = false;
  std::set<std::string> created_;
  std::map<std::string, RdTopic> topics_;  // every topic produced to, kept for the producer's lifetime
  const std::string* last_topic_name_ = nullptr;
  rd_kafka_topic_t* last_topic_ = nullptr;
};

void KafkaProducer::create_topic(const std::string& topic) {
  // An existing topic is left as it is (Kafka Connect's TopicAdmin describes first too).
  TopicPartitions found;
  if (!subscribed_partitions(rk_.get(), Subscription{{topic}, ""}, 5000, found) && found.count(topic)) return;
  char err[512];
  std::unique_ptr<rd_kafka_NewTopic_t, RdKafkaDeleter> nt(
      rd_kafka_NewTopic_new(topic.c_str(), *opts_.create_partitions, opts_.create_replication.value_or(-1), err, sizeof err));
  if (!nt) {
    log_.log->warn("cannot create topic '{}': {}", topic, err);
    return;
  }
  std::unique_ptr<rd_kafka_queue_t, RdKafkaDeleter> q(rd_kafka_queue_new(rk_.get()));
  std::unique_ptr<rd_kafka_AdminOptions_t, RdKafkaDeleter> ao(rd_kafka_AdminOptions_new(rk_.get(), RD_KAFKA_ADMIN_OP_CREATETOPICS));
  // Bounded: a cluster without a controller (librdkafka's mock cluster) never
  // answers, and the broker's auto-creation is the fallback.
  rd_kafka_AdminOptions_set_request_timeout(ao.get(), 10000, err, sizeof err);
  rd_kafka_NewTopic_t* nts[] = {nt.get()};
  rd_kafka_CreateTopics(rk_.get(), nts, 1, ao.get(), q.get());
  std::unique_ptr<rd_kafka_event_t, RdKafkaDeleter> ev(rd_kafka_queue_poll(q.get(), 15000));
  if (!ev) {
    log_.log->warn("creating topic '{}' timed out; relying on the broker's auto-creation", topic);
    return;
  }
  const rd_kafka_CreateTopics_result_t* res = rd_kafka_event_CreateTopics_result(ev.get());
  size_t n = 0;
  const rd_kafka_topic_result_t** results = res ? rd_kafka_CreateTopics_result_topics(res, &n) : nullptr;
  if (rd_kafka_event_error(ev.get())) {
    log_.log->warn("cannot create topic '{}': {}; relying on the broker's auto-creation", topic,
                   rd_kafka_event_error_string(ev.get()));
  } else if (n == 1 && rd_kafka_topic_result_error(results[0]) &&
             rd_kafka_topic_result_error(results[0]) != RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) {
    log_.log->warn("cannot create topic '{}': {}", topic, rd_kafka_topic_result_error_string(results[0]));
  } else if (n == 1 && !rd_kafka_topic_result_error(results[0])) {
    log_.log->info("created topic '{}' with {} partition(s)", topic, *opts_.create_partitions);
  }
}

}  // namespace

// librdkafka's RD_KAFKA_V_* macros check their argument types with GNU statement expressions.
#ifdef __clang__
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wgnu-statement-expression"
#endif
rd_kafka_resp_err_t produce_record(rd_kafka_t* rk, rd_kafka_topic_t* topic, const BusRecord& r, void* opaque) {
  rd_kafka_headers_t* hdrs = nullptr;
  if (!r.headers.empty()) {
    hdrs = rd_kafka_headers_new(r.headers.size());
    for (auto& [name, value] : r.headers)
      rd_kafka_header_add(hdrs, name.data(), static_cast<ssize_t>(name.size()), value ? value->data() : nullptr,
                          value ? static_cast<ssize_t>(value->size()) : 0);
  }
  // (The RD_KAFKA_V_* macros cast their arguments: plain variables only.)
  const int32_t partition = r.partition.value_or(RD_KAFKA_PARTITION_UA);
  const void* key = r.key ? r.key->data() : nullptr;
  const size_t key_len = r.key ? r.key->size() : 0;
  void* value = r.value ? const_cast<char*>(r.value->data()) : nullptr;  // copied (F_COPY), never written
  const size_t value_len = r.value ? r.value->size() : 0;
  const int64_t timestamp = r.timestamp.value_or(0);  // 0: now
  rd_kafka_resp_err_t err = rd_kafka_producev(
      rk, RD_KAFKA_V_RKT(topic), RD_KAFKA_V_PARTITION(partition), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
      RD_KAFKA_V_KEY(key, key_len), RD_KAFKA_V_VALUE(value, value_len), RD_KAFKA_V_HEADERS(hdrs),
      RD_KAFKA_V_TIMESTAMP(timestamp), RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
  if (err && hdrs) rd_kafka_headers_destroy(hdrs);  // on success the headers belong to the message
  return err;
}
#ifdef __clang__
#pragma clang diagnostic pop
#endif

std::unique_ptr<BusProducer> make_kafka_producer(KafkaProducerOptions opts) {
  return std::make_unique<KafkaProducer>(std::move(opts));
}

bool ClientLog::should_log(int code, std::chrono::seconds interval) {
  std::lock_guard lock(mu);
  auto now = std::chrono::steady_clock::now();
  auto it = last.find(code);
  if (it != last.end() && now - it->second < interval) return false;
  last[code] = now;
  return true;
}

void install_log_callbacks(rd_kafka_conf_t* conf, ClientLog* log) {
  rd_kafka_conf_set_opaque(conf, log);
  if (log->metrics)
    rd_kafka_conf_set_stats_cb(conf, [](rd_kafka_t*, char* json, size_t len, void* opaque) {
      auto* l = static_cast<ClientLog*>(opaque);
      if (!l->metrics->update(std::string_view(json, len)) && l->should_log(-20000, 300s))
        l->log->warn("cannot read librdkafka's statistics; metrics keep their previous values");
      return 0;  // librdkafka frees the text
    });
  rd_kafka_conf_set_error_cb(conf, [](rd_kafka_t*, int err, const char* reason, void* opaque) {
    auto* l = static_cast<ClientLog*>(opaque);
    // A broker that is down produces this every reconnect: once per 30 s is enough.
    if (l->should_log(err, 30s)) l->log->warn("Kafka: {} (repeats of this error are logged at most every 30 s)", reason);
  });
  rd_kafka_conf_set_log_cb(conf, [](const rd_kafka_t* rk, int level, const char* fac, const char* buf) {
    auto* l = static_cast<ClientLog*>(rd_kafka_opaque(rk));
    if (!l) return;
    // A failed connection is reported by the error callback too (the same
    // text): logged there only, so one event is one line.
    if (level <= 4 && std::string_view(fac) == "FAIL") return;
    // Connection failures repeat on every reconnect: once per 30 s per facility.
    if (level <= 4 && !l->should_log(static_cast<int>(std::hash<std::string_view>{}(fac) | 0x40000000), 30s)) return;
    if (level <= 3) l->log->error("librdkafka {}: {}", fac, buf);
    else if (level <= 4) l->log->warn("librdkafka {}: {}", fac, buf);
    else l->log->debug("librdkafka {}: {}", fac, buf);
  });
}

}  // namespace connectrun
