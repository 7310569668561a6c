// librdkafka's statistics (statistics.interval.ms) reduced to the figures the
// engine reports: queue depths, request and message counters, broker errors,
// round trips, consumer lag. One KafkaClientMetrics per client, replaced at
// each statistics callback and read by the metrics endpoint.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace connectrun {

// A metric sample: a Prometheus-style name with its labels, and its value,
// e.g. {"connectrun_kafka_tx_messages_total{client=\"connectrun-src\"}", 42}.
using MetricSample = std::pair<std::string, double>;

// One librdkafka statistics JSON document: samples labelled with its client
// id, and the consumer's lag summed over the partitions whose lag librdkafka
// knows (nullopt when it knows none, e.g. a producer).
struct KafkaStatistics {
  std::vector<MetricSample> samples;
  std::optional<int64_t> consumer_lag;
};
// Throws std::runtime_error when the text is not that document.
KafkaStatistics parse_kafka_statistics(std::string_view json);

class KafkaClientMetrics {
 public:
  // Keeps the previous snapshot when `json` cannot be parsed (returns false).
  bool update(std::string_view json);
  std::vector<MetricSample> snapshot() const;
  // The consumer's lag summed over the partitions whose lag librdkafka knows;
  // nullopt before the first statistics or when it knows none.
  std::optional<int64_t> consumer_lag() const;

 private:
  mutable std::mutex mu_;
  std::vector<MetricSample> samples_;
  std::optional<int64_t> lag_;
};

}  // namespace connectrun
