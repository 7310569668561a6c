// Where records go on the in-process bus, as Kafka's clients decide it: the
// default partitioner's hash of a key, and the RangeAssignor's split of a
// topic's partitions between the consumers of one group.
#pragma once

#include <cstdint>
#include <string_view>

namespace connectrun {

// Kafka's Utils.murmur2 (32-bit MurmurHash2, seed 0x9747b28c), bit for bit.
int32_t murmur2(std::string_view bytes);

// Kafka's default partitioner for a keyed record: toPositive(murmur2(key)) % partitions.
int32_t partition_for_key(std::string_view key, int32_t partitions);

// Kafka's RangeAssignor for one topic: consumer `member` of `members` reads
// partitions [first, first + count) of `partitions`; the first
// partitions % members consumers get one more.
struct PartitionRange {
  int32_t first = 0, count = 0;
  bool contains(int32_t p) const { return p >= first && p < first + count; }
};
PartitionRange range_assignment(int32_t partitions, int member, int members);

}  // namespace connectrun
