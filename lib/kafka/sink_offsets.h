// A sink connector's offsets on the Kafka bus are its consumer group's
// (connect-<name>) committed offsets, as in Kafka Connect. These read and
// change them from outside a running job (`connectrun offsets`), as Kafka
// Connect's KIP-875 endpoints do: reset deletes the group, set commits.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "bus/bus.h"
#include "plan/job_config.h"

namespace connectrun {

// The group's committed offsets for every partition of the topics the sink
// subscribes to (topics, or topics.regex against the cluster's topics).
// Throws ConnectError when the cluster cannot be asked.
std::vector<SinkOffset> list_sink_offsets(const JobPlan& plan, const ConnectorPlan& sink);

// Reset and set join the group as its only member and commit, so they work
// wherever a consumer works. Kafka Connect resets by deleting the group;
// librdkafka 2.0.2's DeleteGroups/DeleteConsumerGroupOffsets admin requests
// abort the process when a broker does not answer them (librdkafka #3663,
// #4605), so a reset commits, for every partition with a committed offset,
// the position auto.offset.reset gives (earliest: the log start). Both
// throw ConnectError when another member is in the group.
std::vector<SinkOffset> reset_sink_offsets(const JobPlan& plan, const ConnectorPlan& sink);

// Commits `offset` for one partition (nullopt: the auto.offset.reset position,
// Kafka Connect's null offset); returns the offset committed.
int64_t set_sink_offset(const JobPlan& plan, const ConnectorPlan& sink, const std::string& topic, int32_t partition,
                        std::optional<int64_t> offset);

}  // namespace connectrun
