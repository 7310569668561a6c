// A sink connector's offsets on the Kafka bus are its consumer group's
// (connect-<name>) committed offsets, as in Kafka Connect. These read and
// change them from outside a running job (`connectrun offsets`), as Kafka
// Connect's KIP-875 endpoints do: reset deletes the group, set commits.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "runtime/job_config.h"

namespace connectrun {

struct SinkOffset {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
};

// The group's committed offsets for every partition of the topics the sink
// subscribes to (topics, or topics.regex against the cluster's topics).
// Throws ConnectError when the cluster cannot be asked.
std::vector<SinkOffset> list_sink_offsets(const JobPlan& plan, const ConnectorPlan& sink);

// Deletes the group connect-<name> (Kafka Connect's reset): the next run starts
// from auto.offset.reset. A group that does not exist is already reset.
void reset_sink_offsets(const JobPlan& plan, const ConnectorPlan& sink);

// Commits `offset` for one partition in the group.
void set_sink_offset(const JobPlan& plan, const ConnectorPlan& sink, const std::string& topic, int32_t partition,
                     int64_t offset);

// Removes one partition's committed offset (a null offset in Kafka Connect's request).
void delete_sink_offset(const JobPlan& plan, const ConnectorPlan& sink, const std::string& topic, int32_t partition);

}  // namespace connectrun
