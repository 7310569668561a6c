#include "kafka/kafka_stats.h"

#include <set>

#include <fmt/format.h>
#include <simdjson.h>

#include <stdexcept>

namespace connectrun {

namespace {

// Prometheus label values escape backslash, double quote and newline.
std::string label(std::string_view v) {
  std::string out;
  out.reserve(v.size());
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

double number(simdjson::dom::element e) {
  if (auto i = e.get_int64(); !i.error()) return static_cast<double>(i.value_unsafe());
  if (auto u = e.get_uint64(); !u.error()) return static_cast<double>(u.value_unsafe());
  if (auto d = e.get_double(); !d.error()) return d.value_unsafe();
  return 0;
}

}  // namespace

KafkaStatistics parse_kafka_statistics(std::string_view json) {
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto err = parser.parse(json.data(), json.size()).get(doc))
    throw std::runtime_error(fmt::format("librdkafka statistics are not JSON: {}", simdjson::error_message(err)));
  simdjson::dom::object root;
  std::string_view client;
  if (doc.get_object().get(root) || root["client_id"].get_string().get(client))
    throw std::runtime_error("librdkafka statistics without a client_id");
  const std::string c = label(client);
  // A connector's producer and consumer (and each task's) share its client.id:
  // the client's role and librdkafka's own handle name ("connectrun-snk#consumer-3",
  // unique in the process) keep their series apart.
  std::string_view role, handle;
  if (root["type"].get_string().get(role)) role = "unknown";
  if (root["name"].get_string().get(handle)) handle = client;
  KafkaStatistics stats;
  std::vector<MetricSample>& out = stats.samples;
  auto add = [&](std::string_view name, const std::string& labels, double v) {
    out.emplace_back(fmt::format("connectrun_kafka_{}{{{}}}", name, labels), v);
  };
  const std::string base = fmt::format("client=\"{}\",role=\"{}\",handle=\"{}\"", c, label(role), label(handle));
  // Top-level counters, named after librdkafka's fields (STATISTICS.md).
  static constexpr std::pair<const char*, const char*> top[] = {
      {"msg_cnt", "queued_messages"},       {"msg_size", "queued_bytes"},
      {"replyq", "reply_queue_events"},     {"tx", "tx_requests_total"},
      {"tx_bytes", "tx_bytes_total"},       {"rx", "rx_responses_total"},
      {"rx_bytes", "rx_bytes_total"},       {"txmsgs", "tx_messages_total"},
      {"txmsg_bytes", "tx_message_bytes_total"}, {"rxmsgs", "rx_messages_total"},
      {"rxmsg_bytes", "rx_message_bytes_total"},
  };
  for (auto [field, name] : top) {
    simdjson::dom::element e;
    if (!root[field].get(e)) add(name, base, number(e));
  }
  // Per broker: whether it is up, round trip, errors, retries, timeouts.
  simdjson::dom::object brokers;
  std::set<std::string> seen_nodes;
  if (!root["brokers"].get(brokers)) {
    for (auto [key, value] : brokers) {
      simdjson::dom::object b;
      if (value.get(b)) continue;
      std::string_view nodename = key, state;
      int64_t nodeid = -1;
      if (!b["nodeid"].get(nodeid) && nodeid < 0) continue;  // bootstrap placeholders and internal queues
      if (b["nodename"].get(nodename)) nodename = key;  // absent in old versions: the key serves
      // A consumer's group coordinator is a second, "logical" broker entry with
      // the same node: its series would repeat the broker's labels.
      std::string_view source;
      if (!b["source"].get(source) && source == "logical") continue;
      if (!seen_nodes.insert(std::string(nodename)).second) continue;
      const std::string labels = fmt::format("{},broker=\"{}\"", base, label(nodename));
      if (!b["state"].get(state)) add("broker_up", labels, state == "UP" ? 1 : 0);
      simdjson::dom::element e;
      if (!b["rtt"]["avg"].get(e)) add("broker_rtt_avg_seconds", labels, number(e) / 1e6);
      for (auto [field, name] : {std::pair{"txerrs", "broker_tx_errors_total"}, std::pair{"txretries", "broker_tx_retries_total"},
                                 std::pair{"rxerrs", "broker_rx_errors_total"}, std::pair{"req_timeouts", "broker_request_timeouts_total"},
                                 std::pair{"outbuf_cnt", "broker_outbuf_requests"}, std::pair{"waitresp_cnt", "broker_waitresp_requests"}})
        if (!b[field].get(e)) add(name, labels, number(e));
    }
  }
  // Per partition of a consumer: lag (-1 = unknown, left out).
  simdjson::dom::object topics;
  if (!root["topics"].get(topics)) {
    for (auto [tname, tvalue] : topics) {
      simdjson::dom::object parts;
      if (tvalue["partitions"].get(parts)) continue;
      for (auto [pname, pvalue] : parts) {
        int64_t partition = -1, lag = -1;
        if (pvalue["partition"].get(partition) || partition < 0) continue;
        if (pvalue["consumer_lag"].get(lag) || lag < 0) continue;
        add("consumer_lag", fmt::format("{},topic=\"{}\",partition=\"{}\"", base, label(tname), partition),
            static_cast<double>(lag));
        stats.consumer_lag = stats.consumer_lag.value_or(0) + lag;
      }
    }
  }
  simdjson::dom::object cgrp;
  if (!root["cgrp"].get(cgrp)) {
    simdjson::dom::element e;
    if (!cgrp["rebalance_cnt"].get(e)) add("rebalances_total", base, number(e));
    if (!cgrp["assignment_size"].get(e)) add("assigned_partitions", base, number(e));
  }
  return stats;
}

bool KafkaClientMetrics::update(std::string_view json) {
  KafkaStatistics s;
  try {
    s = parse_kafka_statistics(json);
  } catch (const std::exception&) {
    return false;
  }
  std::lock_guard lock(mu_);
  samples_ = std::move(s.samples);
  lag_ = s.consumer_lag;
  return true;
}

std::optional<int64_t> KafkaClientMetrics::consumer_lag() const {
  std::lock_guard lock(mu_);
  return lag_;
}

std::vector<MetricSample> KafkaClientMetrics::snapshot() const {
  std::lock_guard lock(mu_);
  return samples_;
}

}  // namespace connectrun
