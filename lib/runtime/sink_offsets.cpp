#include "runtime/sink_offsets.h"

#include <algorithm>
#include <regex>
#include <tuple>

#include <fmt/format.h>

#include "plugin/connector.h"
#include "runtime/kafka_client_config.h"

namespace connectrun {

namespace {

constexpr int kTimeoutMs = 15000;

std::string group_of(const ConnectorPlan& sink) { return "connect-" + sink.name; }

// A consumer handle in the sink's group that never subscribes (so never joins
// the group): it can read and commit the group's offsets and run admin requests.
RdKafka group_client(const JobPlan& plan, const ConnectorPlan& sink) {
  RdConf conf = make_conf(client_settings(plan.client, sink.client, ClientRole::Consumer), sink.name);
  conf_set(conf.get(), "group.id", group_of(sink), sink.name);
  conf_set(conf.get(), "enable.auto.commit", "false", sink.name);
  char errstr[512];
  RdKafka rk(rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), errstr, sizeof errstr));
  if (!rk) throw ConnectError(fmt::format("connector '{}': cannot create a Kafka client: {}", sink.name, errstr));
  conf.release();
  return rk;
}

// Waits for one admin result event; throws on a request-level error.
std::unique_ptr<rd_kafka_event_t, RdKafkaDeleter> wait_admin(rd_kafka_queue_t* q, const std::string& what) {
  std::unique_ptr<rd_kafka_event_t, RdKafkaDeleter> ev(rd_kafka_queue_poll(q, kTimeoutMs + 5000));
  if (!ev) throw ConnectError(fmt::format("{}: no answer from the Kafka cluster", what));
  if (rd_kafka_event_error(ev.get()))
    throw ConnectError(fmt::format("{}: {}", what, rd_kafka_event_error_string(ev.get())));
  return ev;
}

struct AdminOptions {
  std::unique_ptr<rd_kafka_AdminOptions_t, RdKafkaDeleter> o;
  AdminOptions(rd_kafka_t* rk, rd_kafka_admin_op_t op) : o(rd_kafka_AdminOptions_new(rk, op)) {
    char errstr[256];
    rd_kafka_AdminOptions_set_request_timeout(o.get(), kTimeoutMs, errstr, sizeof errstr);
  }
};

// The first error of a group result (the group's, else a partition's), or "".
std::string group_result_error(const rd_kafka_group_result_t* g) {
  if (const rd_kafka_error_t* e = rd_kafka_group_result_error(g)) return rd_kafka_error_string(e);
  if (const auto* parts = rd_kafka_group_result_partitions(g))
    for (int i = 0; i < parts->cnt; ++i)
      if (parts->elems[i].err) return rd_kafka_err2str(parts->elems[i].err);
  return "";
}

}  // namespace

std::vector<SinkOffset> list_sink_offsets(const JobPlan& plan, const ConnectorPlan& sink) {
  RdKafka rk = group_client(plan, sink);
  const rd_kafka_metadata_t* md = nullptr;
  if (auto err = rd_kafka_metadata(rk.get(), 1, nullptr, &md, kTimeoutMs))
    throw ConnectError(fmt::format("connector '{}': cannot read the cluster's topics: {}", sink.name, rd_kafka_err2str(err)));
  std::unique_ptr<const rd_kafka_metadata_t, void (*)(const rd_kafka_metadata_t*)> md_owner(md, rd_kafka_metadata_destroy);
  const auto& sub = sink.subscription;
  // The sink's own matching: librdkafka's POSIX extended regex, whole name.
  std::optional<std::regex> re;
  if (!sub.topics_regex.empty()) re.emplace(sub.topics_regex, std::regex::extended);
  RdPartitions parts(rd_kafka_topic_partition_list_new(16));
  for (int i = 0; i < md->topic_cnt; ++i) {
    const auto& t = md->topics[i];
    std::string name = t.topic;
    bool wanted = std::find(sub.topics.begin(), sub.topics.end(), name) != sub.topics.end() ||
                  (re && std::regex_match(name, *re));
    if (!wanted) continue;
    for (int p = 0; p < t.partition_cnt; ++p) rd_kafka_topic_partition_list_add(parts.get(), t.topic, t.partitions[p].id);
  }
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

void reset_sink_offsets(const JobPlan& plan, const ConnectorPlan& sink) {
  RdKafka rk = group_client(plan, sink);
  std::unique_ptr<rd_kafka_queue_t, RdKafkaDeleter> q(rd_kafka_queue_new(rk.get()));
  rd_kafka_DeleteGroup_t* del = rd_kafka_DeleteGroup_new(group_of(sink).c_str());
  AdminOptions opts(rk.get(), RD_KAFKA_ADMIN_OP_DELETEGROUPS);
  rd_kafka_DeleteGroups(rk.get(), &del, 1, opts.o.get(), q.get());
  rd_kafka_DeleteGroup_destroy(del);
  std::string what = fmt::format("connector '{}': cannot delete consumer group '{}'", sink.name, group_of(sink));
  std::unique_ptr<rd_kafka_event_t, RdKafkaDeleter> ev = wait_admin(q.get(), what);
  size_t n = 0;
  const auto** groups = rd_kafka_DeleteGroups_result_groups(rd_kafka_event_DeleteGroups_result(ev.get()), &n);
  for (size_t i = 0; i < n; ++i) {
    const rd_kafka_error_t* e = rd_kafka_group_result_error(groups[i]);
    if (!e || rd_kafka_error_code(e) == RD_KAFKA_RESP_ERR_GROUP_ID_NOT_FOUND) continue;  // no group: nothing to reset
    if (rd_kafka_error_code(e) == RD_KAFKA_RESP_ERR_NON_EMPTY_GROUP)
      throw ConnectError(what + ": the group has active members (is the connector running somewhere else?)");
    throw ConnectError(fmt::format("{}: {}", what, rd_kafka_error_string(e)));
  }
}

void set_sink_offset(const JobPlan& plan, const ConnectorPlan& sink, const std::string& topic, int32_t partition,
                     int64_t offset) {
  RdKafka rk = group_client(plan, sink);
  RdPartitions parts(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(parts.get(), topic.c_str(), partition)->offset = offset;
  std::string what = fmt::format("connector '{}': cannot commit offset {} for {}-{} in group '{}'", sink.name, offset,
                                 topic, partition, group_of(sink));
  if (auto err = rd_kafka_commit(rk.get(), parts.get(), 0)) throw ConnectError(fmt::format("{}: {}", what, rd_kafka_err2str(err)));
  for (int i = 0; i < parts->cnt; ++i)
    if (parts->elems[i].err) throw ConnectError(fmt::format("{}: {}", what, rd_kafka_err2str(parts->elems[i].err)));
}

void delete_sink_offset(const JobPlan& plan, const ConnectorPlan& sink, const std::string& topic, int32_t partition) {
  RdKafka rk = group_client(plan, sink);
  std::unique_ptr<rd_kafka_queue_t, RdKafkaDeleter> q(rd_kafka_queue_new(rk.get()));
  RdPartitions parts(rd_kafka_topic_partition_list_new(1));
  rd_kafka_topic_partition_list_add(parts.get(), topic.c_str(), partition);
  rd_kafka_DeleteConsumerGroupOffsets_t* del = rd_kafka_DeleteConsumerGroupOffsets_new(group_of(sink).c_str(), parts.get());
  AdminOptions opts(rk.get(), RD_KAFKA_ADMIN_OP_DELETECONSUMERGROUPOFFSETS);
  rd_kafka_DeleteConsumerGroupOffsets(rk.get(), &del, 1, opts.o.get(), q.get());
  rd_kafka_DeleteConsumerGroupOffsets_destroy(del);
  std::string what = fmt::format("connector '{}': cannot delete the committed offset of {}-{} in group '{}'", sink.name,
                                 topic, partition, group_of(sink));
  std::unique_ptr<rd_kafka_event_t, RdKafkaDeleter> ev = wait_admin(q.get(), what);
  size_t n = 0;
  const auto** groups =
      rd_kafka_DeleteConsumerGroupOffsets_result_groups(rd_kafka_event_DeleteConsumerGroupOffsets_result(ev.get()), &n);
  for (size_t i = 0; i < n; ++i)
    if (auto e = group_result_error(groups[i]); !e.empty()) throw ConnectError(fmt::format("{}: {}", what, e));
}

}  // namespace connectrun
