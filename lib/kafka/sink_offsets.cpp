#include "kafka/sink_offsets.h"

#include <algorithm>
#include <optional>
#include <tuple>

#include <fmt/format.h>

#include "plugin/connector.h"
#include "kafka/kafka_clients.h"
#include "kafka/client_keys.h"
#include "kafka/rdkafka_handles.h"
#include "ops/log.h"

namespace connectrun {

namespace {

constexpr int kTimeoutMs = 15000;

std::string group_of(const ConnectorPlan& sink) { return "connect-" + sink.name; }

// A consumer handle in the sink's group that never subscribes (so never joins
// the group): it can read and commit the group's offsets and run admin requests.
RdKafka group_client(const JobPlan& plan, const ConnectorPlan& sink, ClientLog& log) {
  log.log = make_logger(sink.name);
  RdConf conf = make_conf(client_settings(plan.client, sink.client, ClientRole::Consumer), sink.name);
  conf_set(conf.get(), "group.id", group_of(sink), sink.name);
  conf_set(conf.get(), "enable.auto.commit", "false", sink.name);
  install_log_callbacks(conf.get(), &log);
  char errstr[512];
  RdKafka rk(rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), errstr, sizeof errstr));
  if (!rk) throw ConnectError(fmt::format("connector '{}': cannot create a Kafka client: {}", sink.name, errstr));
  conf.release();
  return rk;
}

}  // namespace

std::vector<SinkOffset> list_sink_offsets(const JobPlan& plan, const ConnectorPlan& sink) {
  ClientLog log;
  RdKafka rk = group_client(plan, sink, log);
  TopicPartitions found;
  if (auto err = subscribed_partitions(rk.get(), sink.subscription, kTimeoutMs, found))
    throw ConnectError(fmt::format("connector '{}': cannot read the cluster's topics: {}", sink.name, rd_kafka_err2str(err)));
  RdPartitions parts = partition_list(found);
  std::vector<SinkOffset> out;
  if (parts->cnt == 0) return out;
  if (auto err = rd_kafka_committed(rk.get(), parts.get(), kTimeoutMs))
    throw ConnectError(fmt::format("connector '{}': cannot read the committed offsets of group '{}': {}", sink.name,
                                   group_of(sink), rd_kafka_err2str(err)));
  for (int i = 0; i < parts->cnt; ++i) {
    const auto& e = parts->elems[i];
    if (e.err)
      throw ConnectError(fmt::format("connector '{}': cannot read the committed offset of {}-{}: {}", sink.name, e.topic,
                                     e.partition, rd_kafka_err2str(e.err)));
    if (e.offset >= 0) out.push_back(SinkOffset{e.topic, e.partition, e.offset});
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return std::tie(a.topic, a.partition) < std::tie(b.topic, b.partition); });
  return out;
}

namespace {

// The group's only member for one operation: joins connect-<name> with the
// sink's subscription, so commits carry a generation the coordinator accepts
// (and another running member would show up as a partial assignment).
class GroupMember {
 public:
  GroupMember(const JobPlan& plan, const ConnectorPlan& sink) : sink_(sink) {
    auto settings = client_settings(plan.client, sink.client, ClientRole::Consumer);
    for (auto& [k, v] : settings)
      if (k == "auto.offset.reset") reset_policy_ = v;
    RdConf conf = make_conf(settings, sink.name);
    conf_set(conf.get(), "group.id", group_of(sink), sink.name);
    conf_set(conf.get(), "auto.offset.reset", reset_policy_, sink.name);
    conf_set(conf.get(), "enable.auto.commit", "false", sink.name);
    log_.log = make_logger(sink.name);
    log_.owner = this;
    install_log_callbacks(conf.get(), &log_);  // librdkafka's lines through our logger; sets the opaque
    rd_kafka_conf_set_rebalance_cb(conf.get(), [](rd_kafka_t* rk, rd_kafka_resp_err_t err,
                                                  rd_kafka_topic_partition_list_t* parts, void* opaque) {
      auto* self = static_cast<GroupMember*>(static_cast<ClientLog*>(opaque)->owner);
      if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
        rd_kafka_assign(rk, parts);
        self->assigned_.reset(rd_kafka_topic_partition_list_copy(parts));
      } else {
        rd_kafka_assign(rk, nullptr);
        self->assigned_.reset();
      }
    });
    char errstr[512];
    rk_.reset(rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), errstr, sizeof errstr));
    if (!rk_) throw ConnectError(fmt::format("connector '{}': cannot create a Kafka consumer: {}", sink.name, errstr));
    conf.release();
    rd_kafka_poll_set_consumer(rk_.get());
    // An unreachable cluster fails here, in seconds, rather than as a join that
    // never completes. The subscription is the names the sink would consume
    // (topics.regex matched as the sink matches it, in Java syntax).
    TopicPartitions found;
    if (auto err = subscribed_partitions(rk_.get(), sink.subscription, kTimeoutMs, found))
      throw ConnectError(fmt::format("connector '{}': cannot reach the Kafka cluster: {}", sink.name, rd_kafka_err2str(err)));
    RdPartitions topics(rd_kafka_topic_partition_list_new(4));
    for (auto& t : sink.subscription.topics) rd_kafka_topic_partition_list_add(topics.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
    for (auto& [t, ids] : found)
      if (!rd_kafka_topic_partition_list_find(topics.get(), t.c_str(), RD_KAFKA_PARTITION_UA))
        rd_kafka_topic_partition_list_add(topics.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
    if (auto e = rd_kafka_subscribe(rk_.get(), topics.get()))
      throw ConnectError(fmt::format("connector '{}': cannot subscribe: {}", sink.name, rd_kafka_err2str(e)));
    // Joining waits out members of an earlier run that did not leave (their session timeout).
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(90);
    while (!assigned_ && std::chrono::steady_clock::now() < deadline) RdMessage(rd_kafka_consumer_poll(rk_.get(), 100));
    if (!assigned_)
      throw ConnectError(fmt::format("connector '{}': could not join consumer group '{}' within 90 s", sink.name,
                                     group_of(sink)));
  }
  ~GroupMember() { rd_kafka_consumer_close(rk_.get()); }

  // Throws unless this member owns topic-partition (another member is in the group).
  void require_owned(const std::string& topic, int32_t partition) const {
    if (!rd_kafka_topic_partition_list_find(assigned_.get(), topic.c_str(), partition))
      throw ConnectError(fmt::format("connector '{}': {}-{} is not assigned to this client: either it does not "
                                     "exist, or consumer group '{}' has other active members (is the connector "
                                     "running somewhere else?)", sink_.name, topic, partition, group_of(sink_)));
  }
  const rd_kafka_topic_partition_list_t& assigned() const { return *assigned_; }

  // The offset a consumer without a committed offset starts from (auto.offset.reset).
  int64_t reset_position(const std::string& topic, int32_t partition) {
    int64_t low = 0, high = 0;
    if (auto e = rd_kafka_query_watermark_offsets(rk_.get(), topic.c_str(), partition, &low, &high, kTimeoutMs))
      throw ConnectError(fmt::format("connector '{}': cannot read the offsets of {}-{}: {}", sink_.name, topic,
                                     partition, rd_kafka_err2str(e)));
    if (reset_policy_ == "earliest" || reset_policy_ == "smallest" || reset_policy_ == "beginning") return low;
    if (reset_policy_ == "latest" || reset_policy_ == "largest" || reset_policy_ == "end") return high;
    throw ConnectError(fmt::format("connector '{}': auto.offset.reset is '{}': there is no position to reset to; "
                                   "use `offsets set` with an explicit offset", sink_.name, reset_policy_));
  }

  void commit(rd_kafka_topic_partition_list_t* parts) {
    std::string what = fmt::format("connector '{}': cannot commit to consumer group '{}'", sink_.name, group_of(sink_));
    if (auto err = rd_kafka_commit(rk_.get(), parts, 0)) throw ConnectError(fmt::format("{}: {}", what, rd_kafka_err2str(err)));
    for (int i = 0; i < parts->cnt; ++i)
      if (parts->elems[i].err)
        throw ConnectError(fmt::format("{} ({}-{}): {}", what, parts->elems[i].topic, parts->elems[i].partition,
                                       rd_kafka_err2str(parts->elems[i].err)));
  }

 private:
  const ConnectorPlan& sink_;
  ClientLog log_;
  std::string reset_policy_ = "earliest";  // Kafka Connect's sink default
  RdKafka rk_;
  RdPartitions assigned_;
};

}  // namespace

std::vector<SinkOffset> reset_sink_offsets(const JobPlan& plan, const ConnectorPlan& sink) {
  std::vector<SinkOffset> done;
  auto committed = list_sink_offsets(plan, sink);
  if (committed.empty()) return done;
  GroupMember member(plan, sink);
  RdPartitions parts(rd_kafka_topic_partition_list_new(static_cast<int>(committed.size())));
  for (auto& c : committed) {
    member.require_owned(c.topic, c.partition);
    int64_t to = member.reset_position(c.topic, c.partition);
    rd_kafka_topic_partition_list_add(parts.get(), c.topic.c_str(), c.partition)->offset = to;
    done.push_back(SinkOffset{c.topic, c.partition, to});
  }
  member.commit(parts.get());
  return done;
}

int64_t set_sink_offset(const JobPlan& plan, const ConnectorPlan& sink, const std::string& topic, int32_t partition,
                        std::optional<int64_t> offset) {
  GroupMember member(plan, sink);
  member.require_owned(topic, partition);
  int64_t to = offset ? *offset : member.reset_position(topic, partition);
  RdPartitions parts(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(parts.get(), topic.c_str(), partition)->offset = to;
  member.commit(parts.get());
  return to;
}

}  // namespace connectrun
