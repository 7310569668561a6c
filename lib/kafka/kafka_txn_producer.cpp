// Exactly-once sources (KIP-618, Kafka's ExactlyOnceWorkerSourceTask): one
// transactional librdkafka producer per source task. Its records and the
// offset records covering them go to Kafka in one transaction, so a
// read_committed consumer sees both or neither; init_transactions with the
// task's transactional.id fences any older producer of the task (a zombie).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <map>
#include <mutex>

#include "plugin/connector.h"
#include "kafka/kafka_clients.h"
#include "ops/log.h"

namespace connectrun {

namespace {

// The errors that mean another producer took the transactional id over.
bool fenced_code(rd_kafka_resp_err_t code) {
  return code == RD_KAFKA_RESP_ERR__FENCED || code == RD_KAFKA_RESP_ERR_PRODUCER_FENCED ||
         code == RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH;
}

using RdError = std::unique_ptr<rd_kafka_error_t, void (*)(rd_kafka_error_t*)>;
RdError wrap(rd_kafka_error_t* e) { return RdError(e, rd_kafka_error_destroy); }

class KafkaTxnProducer : public TransactionalProducer {
 public:
  explicit KafkaTxnProducer(KafkaTxnOptions opts) : opts_(std::move(opts)) {
    log_.log = make_logger(opts_.connector);
    log_.owner = this;
    log_.metrics = opts_.metrics;
    RdConf conf(rd_kafka_conf_new());
    conf_set(conf.get(), "client.id", fmt::format("connectrun-{}-{}", opts_.connector, opts_.task), opts_.connector);
    if (opts_.metrics) conf_set(conf.get(), "statistics.interval.ms", "5000", opts_.connector);
    // Java's default partitioner: records land where a Java producer puts
    // them, and offset keys where a JVM worker writes them (compaction).
    conf_set(conf.get(), "partitioner", "murmur2_random", opts_.connector);
    for (auto& [k, v] : opts_.settings) conf_set(conf.get(), k, v, opts_.connector);
    // After the user's keys: a transaction needs these whatever producer.* says.
    conf_set(conf.get(), "transactional.id", opts_.transactional_id, opts_.connector);
    conf_set(conf.get(), "enable.idempotence", "true", opts_.connector);
    conf_set(conf.get(), "acks", "all", opts_.connector);
    rd_kafka_conf_set_dr_msg_cb(conf.get(), [](rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
      if (m->err) static_cast<KafkaTxnProducer*>(static_cast<ClientLog*>(opaque)->owner)->failed(m);
    });
    install_log_callbacks(conf.get(), &log_);
    char err[512];
    rk_.reset(rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), err, sizeof err));
    if (!rk_)
      throw ConnectError(fmt::format("connector '{}' task {}: cannot create the transactional producer: {}",
                                     opts_.connector, opts_.task, err));
    conf.release();
    // Fences every older producer of this transactional.id and aborts what it left open.
    if (auto e = wrap(rd_kafka_init_transactions(rk_.get(), timeout_ms())))
      throw ConnectError(fmt::format("connector '{}' task {}: cannot initialise transactions with transactional.id "
                                     "'{}' on the Kafka cluster: {}",
                                     opts_.connector, opts_.task, opts_.transactional_id, rd_kafka_error_string(e.get())));
    offsets_ = RdTopic(rd_kafka_topic_new(rk_.get(), opts_.offsets_topic.c_str(), nullptr));
    log_.log->info("task {}: exactly-once: transactional producer with transactional.id '{}' initialised (any older "
                   "producer of this task is fenced)",
                   opts_.task, opts_.transactional_id);
  }

  ~KafkaTxnProducer() override {
    if (open_) abort();
    rd_kafka_flush(rk_.get(), 1000);
  }

  const std::string& transactional_id() const override { return opts_.transactional_id; }

  void send(std::vector<BusRecord>&& records) override {
    if (!begin()) return;
    for (auto& r : records) produce(topic_handle(r.topic), r);
    rd_kafka_poll(rk_.get(), 0);  // error and log callbacks
  }

  TransactionOutcome commit(const std::vector<OffsetRecord>& offsets) override {
    TransactionOutcome out;
    if (!begin()) {
      out.error = begin_error_;
      out.fenced = fenced_;
      return out;
    }
    for (auto& o : offsets) {
      BusRecord r;
      r.topic = opts_.offsets_topic;
      r.key = o.key;
      r.value = o.value;  // none: a tombstone
      produce(offsets_.get(), r);
    }
    std::string refused;
    {
      std::lock_guard lock(mu_);
      refused = refused_;
    }
    if (!refused.empty()) {
      // A record refused before it was sent: the transaction must not commit without it.
      abort();
      out.error = refused;
      return out;
    }
    auto e = wrap(rd_kafka_commit_transaction(rk_.get(), timeout_ms()));
    if (!e) {
      open_ = false;
      return out;
    }
    out.fenced = fenced_code(rd_kafka_error_code(e.get()));
    std::string why = rd_kafka_error_string(e.get());
    {
      std::lock_guard lock(mu_);
      if (!delivery_error_.empty()) why += " (first failed record: " + delivery_error_ + ")";
    }
    out.error = fmt::format("the transaction was not committed: {}", why);
    if (rd_kafka_error_is_fatal(e.get())) {
      // Nothing can be written with this producer any more (a fenced one above all).
      char text[512];
      if (fenced_code(rd_kafka_fatal_error(rk_.get(), text, sizeof text))) out.fenced = true;
      open_ = false;
      fenced_ = out.fenced;
      return out;
    }
    abort();
    return out;
  }

  void abort() override {
    if (!open_) return;
    open_ = false;
    if (auto e = wrap(rd_kafka_abort_transaction(rk_.get(), timeout_ms())))
      log_.log->warn("task {}: cannot abort the open transaction ({}); the Kafka cluster aborts it after "
                     "transaction.timeout.ms, or when the task starts again",
                     opts_.task, rd_kafka_error_string(e.get()));
  }

 private:
  int timeout_ms() const { return static_cast<int>(opts_.timeout.count()); }

  // Opens a transaction unless one is open; false (begin_error_ set) when it cannot.
  bool begin() {
    if (open_) return true;
    if (fenced_) return false;
    {
      std::lock_guard lock(mu_);
      refused_.clear();
      delivery_error_.clear();
    }
    if (auto e = wrap(rd_kafka_begin_transaction(rk_.get()))) {
      begin_error_ = fmt::format("cannot begin a transaction: {}", rd_kafka_error_string(e.get()));
      fenced_ = fenced_code(rd_kafka_error_code(e.get()));
      return false;
    }
    begin_error_.clear();
    open_ = true;
    return true;
  }

  void produce(rd_kafka_topic_t* topic, const BusRecord& r) {
    for (;;) {
      rd_kafka_resp_err_t err = produce_record(rk_.get(), topic, r, nullptr);
      if (!err) return;
      if (err == RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        rd_kafka_poll(rk_.get(), 50);  // backpressure: wait for deliveries to make room
        continue;
      }
      std::lock_guard lock(mu_);
      if (refused_.empty()) refused_ = fmt::format("topic '{}': {}", r.topic, rd_kafka_err2str(err));
      return;
    }
  }

  void failed(const rd_kafka_message_t* m) {
    std::lock_guard lock(mu_);
    if (delivery_error_.empty())
      delivery_error_ = fmt::format("topic '{}' partition {}: {}", rd_kafka_topic_name(m->rkt), m->partition,
                                    rd_kafka_err2str(m->err));
  }

  rd_kafka_topic_t* topic_handle(const std::string& topic) {
    auto it = topics_.find(topic);
    if (it == topics_.end()) it = topics_.emplace(topic, RdTopic(rd_kafka_topic_new(rk_.get(), topic.c_str(), nullptr))).first;
    return it->second.get();
  }

  KafkaTxnOptions opts_;
  ClientLog log_;
  RdKafka rk_;
  RdTopic offsets_;
  std::map<std::string, RdTopic> topics_;
  bool open_ = false;
  bool fenced_ = false;
  std::string begin_error_;
  std::mutex mu_;  // refused_, delivery_error_: delivery reports come from librdkafka's poll
  std::string refused_;
  std::string delivery_error_;
};

}  // namespace

std::unique_ptr<TransactionalProducer> make_kafka_txn_producer(KafkaTxnOptions opts) {
  return std::make_unique<KafkaTxnProducer>(std::move(opts));
}

}  // namespace connectrun
