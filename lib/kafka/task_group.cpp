#include "kafka/task_group.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "kafka/client_keys.h"
#include "kafka/kafka_clients.h"
#include "kafka/rdkafka_handles.h"
#include "kafka/topic_setup.h"
#include "ops/log.h"
#include "plan/job_config.h"
#include "plugin/connect_error.h"

namespace connectrun {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::string task_topic_name(const JobPlan& plan) {
  if (!plan.worker.is_null("task.assignment.topic")) return plan.worker.get_string("task.assignment.topic");
  return plan.worker.get_string("group.id") + "-tasks";
}

namespace {

class KafkaTaskGroup : public TaskGroup {
 public:
  KafkaTaskGroup(const JobPlan& plan, int partitions, const std::string& worker_id)
      : group_(plan.worker.get_string("group.id")),
        topic_(task_topic_name(plan)),
        bootstrap_(plan.worker.get_string("bootstrap.servers")) {
    static const ClientKeys none;
    log_.log = make_logger("cluster");
    log_.owner = this;
    bound_ = start_bound(client_settings(plan.client, none, ClientRole::Admin));
    auto settings = client_settings(plan.client, none, ClientRole::Consumer);
    // Kafka Connect's worker keys, as its distributed herder hands them to its group member.
    settings.emplace_back("group.id", group_);
    settings.emplace_back("client.id", worker_id);
    settings.emplace_back("session.timeout.ms", std::to_string(plan.worker.get_long("session.timeout.ms")));
    settings.emplace_back("heartbeat.interval.ms", std::to_string(plan.worker.get_long("heartbeat.interval.ms")));
    settings.emplace_back("max.poll.interval.ms", std::to_string(plan.worker.get_long("rebalance.timeout.ms")));
    // Incremental, as Kafka Connect's own protocol since 2.3: a process
    // joining or leaving moves only the tasks that must move; the others run on.
    settings.emplace_back("partition.assignment.strategy", "cooperative-sticky");
    settings.emplace_back("enable.auto.commit", "false");
    settings.emplace_back("enable.auto.offset.store", "false");
    RdConf conf = make_conf(settings, "cluster");
    install_log_callbacks(conf.get(), &log_);
    rd_kafka_conf_set_rebalance_cb(conf.get(), [](rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                                  rd_kafka_topic_partition_list_t* parts, void* opaque) {
      static_cast<KafkaTaskGroup*>(static_cast<ClientLog*>(opaque)->owner)->rebalance(rk, err, parts);
    });
    char errstr[512];
    rk_.reset(rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), errstr, sizeof errstr));
    if (!rk_) throw ConnectError(fmt::format("cluster (group.id '{}'): cannot create the Kafka consumer: {}", group_, errstr));
    conf.release();  // rd_kafka_new took it
    rd_kafka_poll_set_consumer(rk_.get());
    ensure_topic(partitions, static_cast<int>(plan.worker.get_long("offset.storage.replication.factor")));
  }

  ~KafkaTaskGroup() override { leave(); }

  void join(Handlers handlers) override {
    handlers_ = std::move(handlers);
    RdPartitions topics(rd_kafka_topic_partition_list_new(1));
    rd_kafka_topic_partition_list_add(topics.get(), topic_.c_str(), RD_KAFKA_PARTITION_UA);
    if (auto err = rd_kafka_subscribe(rk_.get(), topics.get()))
      throw ConnectError(fmt::format("cluster (group.id '{}'): cannot subscribe to the task topic '{}': {}", group_,
                                     topic_, rd_kafka_err2str(err)));
    log_.log->info("joining the cluster: group.id '{}' on the Kafka cluster at {}, task topic '{}'", group_, bootstrap_,
                   topic_);
    thread_ = std::thread([this] { run(); });
  }

  void leave() override {
    leaving_.store(true);
    if (thread_.joinable()) thread_.join();
  }

  const std::string& topic() const override { return topic_; }

 private:
  void run() {
    while (!leaving_.load()) {
      // The topic has no records: polling serves the group (rebalances, heartbeats' errors).
      RdMessage m(rd_kafka_consumer_poll(rk_.get(), 100));
      if (m && m->err && m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF && log_.should_log(m->err, 30s))
        log_.log->warn("cluster: {}", rd_kafka_message_errstr(m.get()));
    }
    // Revokes what this process holds (the handler stops its tasks and
    // stores their offsets), then leaves: the others take them over at once.
    rd_kafka_consumer_close(rk_.get());
  }

  void rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts) {
    const bool cooperative = std::string(rd_kafka_rebalance_protocol(rk)) == "COOPERATIVE";
    std::vector<int> ids;
    for (int i = 0; i < parts->cnt; ++i)
      if (topic_ == parts->elems[i].topic) ids.push_back(parts->elems[i].partition);
    try {
      if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        if (cooperative) rd_kafka_error_destroy(rd_kafka_incremental_assign(rk, parts));
        else rd_kafka_assign(rk, parts);
        if (handlers_.assigned) handlers_.assigned(ids);
        return;
      }
      if (rd_kafka_assignment_lost(rk))
        log_.log->warn("cluster: this process lost its place in the group (no heartbeat reached the coordinator "
                       "within session.timeout.ms); other processes may already run its {} task(s): they stop now",
                       ids.size());
      // Before the partitions are given up: the next owner reads the offsets stored here.
      if (handlers_.revoked) handlers_.revoked(ids);
    } catch (const std::exception& e) {
      log_.log->error("cluster: {}", e.what());
    }
    if (err != RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      if (cooperative) rd_kafka_error_destroy(rd_kafka_incremental_unassign(rk, parts));
      else rd_kafka_assign(rk, nullptr);
    }
  }

  ConnectError unreachable(const std::string& why) const {
    return ConnectError(fmt::format("cluster (group.id '{}'): cannot use the task topic '{}' on the Kafka cluster at "
                                    "bootstrap.servers {}: {}",
                                    group_, topic_, bootstrap_, why));
  }

  Metadata metadata(Clock::time_point deadline) {
    std::string error;
    Metadata md = wait_for_metadata(rk_.get(), deadline, [&](const std::string& why) {
      log_.log->warn("waiting up to {} s for the Kafka cluster at {}: {}", bound_.count() / 1000.0, bootstrap_, why);
    }, error);
    if (!md)
      throw unreachable(fmt::format("no broker answered within {} s ({}; the bound is the admin client's "
                                    "socket.timeout.ms)", bound_.count() / 1000.0, error));
    return md;
  }

  void ensure_topic(int partitions, int replication) {
    const auto deadline = Clock::now() + bound_;
    Metadata md = metadata(deadline);
    const rd_kafka_metadata_topic_t* t = find_topic(md.get(), topic_);
    if (!t) {
      create(partitions, replication, md->broker_cnt);
      // Just created: its metadata reaches every broker shortly.
      for (;;) {
        md = metadata(deadline);
        if ((t = find_topic(md.get(), topic_)) && t->partition_cnt > 0) break;
        if (Clock::now() >= deadline) throw unreachable("it was created but does not show in the cluster's metadata");
        std::this_thread::sleep_for(200ms);
      }
    }
    if (t->partition_cnt != partitions)
      throw ConnectError(fmt::format(
          "cluster (group.id '{}'): the task topic '{}' has {} partition(s), but the job has {} source task(s): it "
          "needs one partition per source task (the job's source connectors in order, then task number), and every "
          "process of the cluster must run the same job. Re-create the topic with {} partition(s) once every process "
          "is stopped, or name a new one with task.assignment.topic",
          group_, topic_, t->partition_cnt, partitions, partitions));
  }

  void create(int partitions, int replication, int brokers) {
    std::string why;
    auto outcome = replication > brokers ? CreateOutcome::TooFewBrokers
                                         : create_topic(rk_.get(), {topic_, partitions, replication, {}},
                                                        std::min<std::chrono::milliseconds>(bound_, 30s), why);
    if (outcome == CreateOutcome::TooFewBrokers)
      why = fmt::format("offset.storage.replication.factor, its replication factor, is {} but the cluster has {} "
                        "broker(s) (set it to 1, or -1 for the brokers' default)", replication, brokers);
    if (outcome == CreateOutcome::Created)
      log_.log->info("created the task topic '{}': {} partition(s), one per source task", topic_, partitions);
    if (outcome == CreateOutcome::Created || outcome == CreateOutcome::Exists) return;
    throw ConnectError(fmt::format(
        "cluster (group.id '{}'): the task topic '{}' does not exist and cannot be created on the Kafka cluster at {} "
        "({}). Create it yourself with {} partition(s), one per source task of the job (kafka-topics --create "
        "--topic {} --partitions {}), or name an existing one with task.assignment.topic",
        group_, topic_, bootstrap_, why, partitions, topic_, partitions));
  }

  std::string group_, topic_, bootstrap_;
  std::chrono::milliseconds bound_{60s};
  ClientLog log_;
  RdKafka rk_;
  Handlers handlers_;
  std::atomic<bool> leaving_{false};
  std::thread thread_;
};

}  // namespace

std::unique_ptr<TaskGroup> make_task_group(const JobPlan& plan, int partitions, const std::string& worker_id) {
  return std::make_unique<KafkaTaskGroup>(plan, partitions, worker_id);
}

}  // namespace connectrun
