#include "kafka/kafka_offset_store.h"

#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "kafka/client_keys.h"
#include "kafka/kafka_clients.h"
#include "kafka/rdkafka_handles.h"
#include "kafka/topic_setup.h"
#include "offsets/offset_store.h"
#include "ops/log.h"
#include "plan/job_config.h"

namespace connectrun {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

class KafkaOffsetStore : public OffsetBackingStore {
 public:
  KafkaOffsetStore(const JobPlan& plan, bool create_missing)
      : create_(create_missing),
        topic_(plan.worker.get_string("offset.storage.topic")),
        partitions_(static_cast<int>(plan.worker.get_long("offset.storage.partitions"))),
        replication_(static_cast<int>(plan.worker.get_long("offset.storage.replication.factor"))),
        bootstrap_(plan.worker.get_string("bootstrap.servers")),
        flush_timeout_(plan.worker.get_long("offset.flush.timeout.ms")) {
    static const ClientKeys none;
    auto admin = client_settings(plan.client, none, ClientRole::Admin);
    consumer_settings_ = client_settings(plan.client, none, ClientRole::Consumer);
    // Exactly-once sources: offsets of aborted transactions, or of a transaction still open, are not offsets.
    if (exactly_once_sources(plan.worker)) consumer_settings_.emplace_back("isolation.level", "read_committed");
    bound_ = start_bound(admin);
    log_.log = make_logger("offsets");
    log_.owner = this;
    {
      ClientLog admin_log;
      admin_log.log = log_.log;
      RdKafka rk = client(RD_KAFKA_PRODUCER, admin, admin_log);
      ensure_topic(rk.get());
    }
    // Java's default partitioner, so a key lands where a JVM worker puts it
    // (compaction keeps one record per key only within a partition).
    auto producer = client_settings(plan.client, none, ClientRole::Producer);
    producer.emplace_back("partitioner", "murmur2_random");
    producer.emplace_back("acks", "all");
    RdConf conf = make_conf(producer, "offsets");
    rd_kafka_conf_set_dr_msg_cb(conf.get(), [](rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
      static_cast<KafkaOffsetStore*>(static_cast<ClientLog*>(opaque)->owner)->delivered(m);
    });
    producer_ = create(RD_KAFKA_PRODUCER, std::move(conf), log_);
  }

  ~KafkaOffsetStore() override {
    // Whatever a failed flush left queued is written again by no one: the
    // caller saw the error. Bounded, so a broker that is down cannot hold the exit.
    rd_kafka_purge(producer_.get(), RD_KAFKA_PURGE_F_QUEUE);
    rd_kafka_flush(producer_.get(), 1000);
  }

  std::string name() const override {
    return fmt::format("offsets topic '{}' (bootstrap.servers {})", topic_, bootstrap_);
  }

  std::vector<OffsetRecord> read_to_end() override {
    if (missing_) return {};
    auto settings = consumer_settings_;
    settings.emplace_back("enable.auto.commit", "false");
    settings.emplace_back("enable.partition.eof", "true");
    // librdkafka's assign() needs a group.id; this consumer never joins the
    // group nor commits (its partitions are assigned, from the beginning).
    settings.emplace_back("group.id", "connectrun-offsets-" + topic_);
    ClientLog log;
    log.log = log_.log;
    RdKafka rk = client(RD_KAFKA_CONSUMER, settings, log);
    rd_kafka_poll_set_consumer(rk.get());
    auto deadline = Clock::now() + bound_;
    std::vector<int32_t> ids = partition_ids(rk.get(), deadline);
    // Kafka's readToEnd: every partition from its beginning up to the end
    // offsets seen now; a compacted partition has gaps, so "reached" is an
    // offset at or past the end, or librdkafka's end-of-partition event.
    std::map<int32_t, int64_t> end;
    for (int32_t p : ids) {
      int64_t low = 0, high = 0;
      rd_kafka_resp_err_t err;
      while ((err = rd_kafka_query_watermark_offsets(rk.get(), topic_.c_str(), p, &low, &high, request_ms(deadline))) &&
             Clock::now() < deadline)
        std::this_thread::sleep_for(200ms);
      if (err) throw unreachable(fmt::format("cannot read the end offset of partition {}: {}", p, rd_kafka_err2str(err)));
      if (high > low) end[p] = high;
    }
    std::vector<OffsetRecord> out;
    if (end.empty()) return out;
    RdPartitions list(rd_kafka_topic_partition_list_new(static_cast<int>(end.size())));
    for (auto& [p, high] : end) rd_kafka_topic_partition_list_add(list.get(), topic_.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    if (auto err = rd_kafka_assign(rk.get(), list.get()))
      throw OffsetStoreError(fmt::format("{}: cannot assign its partitions: {}", name(), rd_kafka_err2str(err)));
    while (!end.empty()) {
      if (Clock::now() >= deadline)
        throw unreachable(fmt::format("reading it to its end took longer than {} s ({} partition(s) not read to the end)",
                                      bound_.count() / 1000.0, end.size()));
      RdMessage m(rd_kafka_consumer_poll(rk.get(), 100));
      if (!m) continue;
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        end.erase(m->partition);
        continue;
      }
      if (m->err) {
        if (log_.should_log(m->err, 30s)) log_.log->warn("{}: {}", name(), rd_kafka_message_errstr(m.get()));
        continue;
      }
      OffsetRecord rec{std::string(static_cast<const char*>(m->key), m->key_len), std::nullopt};
      if (m->payload) rec.value.emplace(static_cast<const char*>(m->payload), m->len);
      out.push_back(std::move(rec));
      if (auto it = end.find(m->partition); it != end.end() && m->offset + 1 >= it->second) end.erase(it);
    }
    rd_kafka_assign(rk.get(), nullptr);
    return out;
  }

  std::optional<std::string> write(const std::vector<OffsetRecord>& records) override {
    uint64_t gen;
    {
      std::lock_guard lock(dr_mu_);
      gen = ++generation_;
      pending_ = records.size();
      error_.clear();
    }
    for (auto& r : records) {
      // (The RD_KAFKA_V_* macros cast their arguments: plain variables only.)
      const void* key = r.key.data();
      const size_t key_len = r.key.size();
      void* value = r.value ? const_cast<char*>(r.value->data()) : nullptr;
      const size_t value_len = r.value ? r.value->size() : 0;
      void* opaque = reinterpret_cast<void*>(gen);
      rd_kafka_resp_err_t err;
// The RD_KAFKA_V_* macros check their argument types with GNU statement expressions.
#ifdef __clang__
#pragma clang diagnostic push
#pragma clang diagnostic ignored "-Wgnu-statement-expression"
#endif
      while ((err = rd_kafka_producev(producer_.get(), RD_KAFKA_V_TOPIC(topic_.c_str()),
                                      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_KEY(key, key_len),
                                      RD_KAFKA_V_VALUE(value, value_len), RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END)) ==
             RD_KAFKA_RESP_ERR__QUEUE_FULL)
        rd_kafka_poll(producer_.get(), 50);
#ifdef __clang__
#pragma clang diagnostic pop
#endif
      if (err) {
        std::lock_guard lock(dr_mu_);
        --pending_;
        if (error_.empty()) error_ = rd_kafka_err2str(err);
      }
    }
    rd_kafka_flush(producer_.get(), static_cast<int>(flush_timeout_));
    std::optional<std::string> result;
    {
      std::lock_guard lock(dr_mu_);
      if (pending_ > 0) {
        result = fmt::format("{} of {} offset record(s) not delivered to topic '{}' within offset.flush.timeout.ms ({} ms){}",
                             pending_, records.size(), topic_, flush_timeout_, error_.empty() ? "" : ": " + error_);
        ++generation_;  // their reports, and late ones, count for no flush
      } else if (!error_.empty()) {
        return fmt::format("topic '{}': {}", topic_, error_);
      } else {
        return std::nullopt;
      }
    }
    // Not sent yet: dropped, as every record of this flush is written again at the next.
    rd_kafka_purge(producer_.get(), RD_KAFKA_PURGE_F_QUEUE);
    return result;
  }

 private:
  void delivered(const rd_kafka_message_t* m) {
    std::lock_guard lock(dr_mu_);
    if (reinterpret_cast<uint64_t>(m->_private) != generation_) return;
    --pending_;
    if (m->err && error_.empty()) error_ = rd_kafka_err2str(m->err);
  }

  RdKafka client(rd_kafka_type_t type, const std::vector<std::pair<std::string, std::string>>& settings, ClientLog& log) {
    return create(type, make_conf(settings, "offsets"), log);
  }

  RdKafka create(rd_kafka_type_t type, RdConf conf, ClientLog& log) {
    install_log_callbacks(conf.get(), &log);
    char err[512];
    RdKafka rk(rd_kafka_new(type, conf.get(), err, sizeof err));
    if (!rk) throw OffsetStoreError(fmt::format("{}: cannot create a Kafka client: {}", name(), err));
    conf.release();
    return rk;
  }

  OffsetStoreError unreachable(const std::string& why) const {
    return OffsetStoreError(fmt::format(
        "cannot use the offsets topic '{}' on the Kafka cluster at bootstrap.servers {}: {}. Nothing was read or "
        "changed (the offsets are kept in the topic); start again once the cluster answers",
        topic_, bootstrap_, why));
  }

  Metadata metadata(rd_kafka_t* rk, Clock::time_point deadline) {
    std::string error;
    Metadata md = wait_for_metadata(rk, deadline, [&](const std::string& why) {
      log_.log->warn("waiting up to {} s for the Kafka cluster at {} to read {}: {}", bound_.count() / 1000.0,
                     bootstrap_, name(), why);
    }, error);
    if (!md)
      throw unreachable(fmt::format("no broker answered within {} s ({}; the bound is the admin client's "
                                    "socket.timeout.ms)", bound_.count() / 1000.0, error));
    return md;
  }

  const rd_kafka_metadata_topic_t* find_topic(const rd_kafka_metadata_t* md) const {
    return connectrun::find_topic(md, topic_);
  }

  std::vector<int32_t> partition_ids(rd_kafka_t* rk, Clock::time_point deadline) {
    for (;;) {
      Metadata md = metadata(rk, deadline);
      if (auto* t = find_topic(md.get()); t && t->partition_cnt > 0) {
        std::vector<int32_t> ids;
        for (int p = 0; p < t->partition_cnt; ++p) ids.push_back(t->partitions[p].id);
        return ids;
      }
      // Just created: its metadata reaches every broker shortly.
      if (Clock::now() >= deadline) throw unreachable("the topic does not exist");
      std::this_thread::sleep_for(200ms);
    }
  }

  void ensure_topic(rd_kafka_t* rk);
  void create_topic(rd_kafka_t* rk, int brokers);
  void check_compacted(rd_kafka_t* rk);

  bool create_;
  bool missing_ = false;  // not created (create_ false): reads as empty
  std::string topic_;
  int partitions_;
  int replication_;
  std::string bootstrap_;
  int64_t flush_timeout_;
  std::chrono::milliseconds bound_{60s};
  std::vector<std::pair<std::string, std::string>> consumer_settings_;
  ClientLog log_;  // the producer's
  RdKafka producer_;
  std::mutex dr_mu_;
  uint64_t generation_ = 0;  // of the current write(); a delivery report of another is ignored
  size_t pending_ = 0;
  std::string error_;  // the first delivery error of the current write()
};


void KafkaOffsetStore::ensure_topic(rd_kafka_t* rk) {
  Metadata md = metadata(rk, Clock::now() + bound_);
  if (find_topic(md.get())) {
    if (create_) check_compacted(rk);  // inspection (`offsets list`) leaves that to the job
    return;
  }
  if (!create_) {
    missing_ = true;
    return;
  }
  create_topic(rk, md->broker_cnt);
}

void KafkaOffsetStore::create_topic(rd_kafka_t* rk, int brokers) {
  auto too_few = [&](int have) {
    return OffsetStoreError(fmt::format(
        "cannot create the offsets topic '{}': offset.storage.replication.factor is {} but the Kafka cluster at {} has "
        "{} broker(s). Set offset.storage.replication.factor: 1 (or -1 for the brokers' default.replication.factor) "
        "in the worker section, or create the topic yourself with cleanup.policy=compact",
        topic_, replication_, bootstrap_, have < 0 ? std::string("fewer") : std::to_string(have)));
  };
  if (replication_ > brokers) throw too_few(brokers);
  std::string why;
  const auto timeout = std::min<std::chrono::milliseconds>(bound_, 30s);
  // Compacted: the last offset of each key is kept for ever, older ones dropped.
  switch (connectrun::create_topic(rk, {topic_, partitions_, replication_, {{"cleanup.policy", "compact"}}}, timeout, why)) {
    case CreateOutcome::Exists: return;  // another worker created it meanwhile
    case CreateOutcome::TooFewBrokers: throw too_few(-1);
    case CreateOutcome::Failed:
      throw OffsetStoreError(fmt::format(
          "cannot create the offsets topic '{}' on the Kafka cluster at {}: {}. Create it yourself ({} partition(s), "
          "cleanup.policy=compact), or let this client create topics",
          topic_, bootstrap_, why, partitions_));
    case CreateOutcome::Created: break;
  }
  log_.log->info("created the offsets topic '{}': {} partition(s), replication factor {}, cleanup.policy=compact",
                 topic_, partitions_, replication_ < 0 ? std::string("the brokers' default") : std::to_string(replication_));
}

// Kafka Connect refuses an offsets topic that is not compacted; connectrun
// warns and goes on: it reads the topic in full either way, and the risk (old
// offsets deleted by retention, so a source starts over) is the user's to fix.
void KafkaOffsetStore::check_compacted(rd_kafka_t* rk) {
  char err[512];
  std::unique_ptr<rd_kafka_ConfigResource_t, void (*)(rd_kafka_ConfigResource_t*)> res(
      rd_kafka_ConfigResource_new(RD_KAFKA_RESOURCE_TOPIC, topic_.c_str()), rd_kafka_ConfigResource_destroy);
  std::unique_ptr<rd_kafka_queue_t, RdKafkaDeleter> q(rd_kafka_queue_new(rk));
  std::unique_ptr<rd_kafka_AdminOptions_t, RdKafkaDeleter> ao(rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_DESCRIBECONFIGS));
  // Short: a cluster without a controller (librdkafka's mock cluster) never answers.
  const int timeout = static_cast<int>(std::min<int64_t>(bound_.count(), 5000));
  rd_kafka_AdminOptions_set_request_timeout(ao.get(), timeout, err, sizeof err);
  rd_kafka_ConfigResource_t* resources[] = {res.get()};
  rd_kafka_DescribeConfigs(rk, resources, 1, ao.get(), q.get());
  std::unique_ptr<rd_kafka_event_t, RdKafkaDeleter> ev(rd_kafka_queue_poll(q.get(), timeout + 2000));
  std::string policy, problem;
  if (!ev) problem = "no answer";
  else if (rd_kafka_event_error(ev.get())) problem = rd_kafka_event_error_string(ev.get());
  else {
    size_t n = 0;
    const rd_kafka_DescribeConfigs_result_t* result = rd_kafka_event_DescribeConfigs_result(ev.get());
    const rd_kafka_ConfigResource_t** described = result ? rd_kafka_DescribeConfigs_result_resources(result, &n) : nullptr;
    if (n != 1 || rd_kafka_ConfigResource_error(described[0])) {
      problem = n == 1 ? rd_kafka_ConfigResource_error_string(described[0]) : "no result";
    } else {
      size_t cnt = 0;
      const rd_kafka_ConfigEntry_t** entries = rd_kafka_ConfigResource_configs(described[0], &cnt);
      for (size_t i = 0; i < cnt; ++i)
        if (std::string_view(rd_kafka_ConfigEntry_name(entries[i])) == "cleanup.policy" && rd_kafka_ConfigEntry_value(entries[i]))
          policy = rd_kafka_ConfigEntry_value(entries[i]);
    }
  }
  if (!problem.empty()) {
    log_.log->warn("cannot check that the offsets topic '{}' is compacted ({}); it must have cleanup.policy=compact, "
                   "or its offsets are deleted after retention.ms and sources start over",
                   topic_, problem);
  } else if (policy.find("compact") == std::string::npos) {
    log_.log->warn("the offsets topic '{}' has cleanup.policy={}, not compact: Kafka Connect refuses such a topic. "
                   "connectrun goes on (it reads the whole topic at start), but offsets older than the topic's "
                   "retention are deleted and their sources start over. Set cleanup.policy=compact on the topic "
                   "(kafka-configs --alter --entity-type topics --entity-name {} --add-config cleanup.policy=compact)",
                   topic_, policy.empty() ? "(unset)" : policy, topic_);
  }
}

}  // namespace

std::unique_ptr<OffsetBackingStore> make_kafka_offset_store(const JobPlan& plan, bool create) {
  return std::make_unique<KafkaOffsetStore>(plan, create);
}

}  // namespace connectrun
