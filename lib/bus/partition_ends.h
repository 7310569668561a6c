// The position after each topic partition's last record in a batch of bus
// records: what a sink has been given, and what committing the batch means.
#pragma once

#include <algorithm>
#include <utility>
#include <vector>

#include "bus/bus.h"
#include "bus/topic_name.h"

namespace connectrun {

// In order of first appearance. Records of one partition usually come in runs,
// so a partition is looked up only where the run changes.
inline PartitionEnds partition_ends(const std::vector<BusRecord>& records) {
  PartitionEnds ends;
  const BusRecord* prev = nullptr;
  size_t cur = 0;  // the entry of prev's partition
  for (auto& r : records) {
    if (!prev || prev->partition != r.partition || !same_name(prev->topic, r.topic)) {
      TopicPartition tp{r.topic, r.partition.value_or(0)};
      auto it = std::find_if(ends.begin(), ends.end(), [&](auto& e) { return e.first == tp; });
      if (it == ends.end()) it = ends.emplace(ends.end(), std::move(tp), 0);
      cur = static_cast<size_t>(it - ends.begin());
    }
    ends[cur].second = r.offset + 1;
    prev = &r;
  }
  return ends;
}

}  // namespace connectrun
