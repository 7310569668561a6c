// Kafka Connect's KafkaOffsetBackingStore: source offsets in a compacted
// Kafka topic (offset.storage.topic), in Kafka Connect distributed mode's own
// format, so a JVM Connect cluster and connectrun read each other's offsets.
#pragma once

#include <memory>

#include "offsets/offset_backing_store.h"

namespace connectrun {

struct JobPlan;

// Reaches the cluster (retrying while no broker answers, for up to the admin
// client's socket.timeout.ms), creates the topic when missing
// (cleanup.policy=compact, offset.storage.partitions and
// offset.storage.replication.factor), warns when an existing one is not
// compacted. Throws OffsetStoreError with what to do. `create` false (for
// inspection): a missing topic is not created and reads as empty.
std::unique_ptr<OffsetBackingStore> make_kafka_offset_store(const JobPlan& plan, bool create = true);

}  // namespace connectrun
