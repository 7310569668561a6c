// Kafka's TopicPartition: one partition of one topic on the bus, and a map of
// positions by partition (SinkTask::pre_commit's offsets).
#pragma once

#include <compare>
#include <cstdint>
#include <map>
#include <string>

namespace connectrun {

struct TopicPartition {
  std::string topic;
  int32_t partition = 0;
  friend auto operator<=>(const TopicPartition&, const TopicPartition&) = default;
  friend bool operator==(const TopicPartition&, const TopicPartition&) = default;
};

// Per partition, a position: the offset of the next record to read there
// (Kafka's committed offset), as SinkTask::pre_commit takes and returns them.
using TopicPartitionOffsets = std::map<TopicPartition, int64_t>;

}  // namespace connectrun
