#include "bus/partitioner.h"

#include <algorithm>

namespace connectrun {

int32_t murmur2(std::string_view bytes) {
  // Java's int arithmetic: unsigned here, so overflow wraps as it does there.
  const uint32_t m = 0x5bd1e995;
  const int r = 24;
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  const uint32_t length = static_cast<uint32_t>(bytes.size());
  uint32_t h = 0x9747b28cu ^ length;
  const uint32_t length4 = length / 4;
  for (uint32_t i = 0; i < length4; ++i) {
    const uint32_t i4 = i * 4;
    uint32_t k = data[i4] | (uint32_t{data[i4 + 1]} << 8) | (uint32_t{data[i4 + 2]} << 16) | (uint32_t{data[i4 + 3]} << 24);
    k *= m;
    k ^= k >> r;
    k *= m;
    h *= m;
    h ^= k;
  }
  const uint32_t tail = length & ~3u;
  switch (length % 4) {
    case 3: h ^= uint32_t{data[tail + 2]} << 16; [[fallthrough]];
    case 2: h ^= uint32_t{data[tail + 1]} << 8; [[fallthrough]];
    case 1:
      h ^= data[tail];
      h *= m;
  }
  h ^= h >> 13;
  h *= m;
  h ^= h >> 15;
  return static_cast<int32_t>(h);
}

int32_t partition_for_key(std::string_view key, int32_t partitions) {
  return static_cast<int32_t>(static_cast<uint32_t>(murmur2(key)) & 0x7fffffffu) % partitions;
}

PartitionRange range_assignment(int32_t partitions, int member, int members) {
  members = std::max(members, 1);
  const int32_t per = partitions / members, extra = partitions % members;
  PartitionRange r;
  r.first = per * member + std::min<int32_t>(member, extra);
  r.count = per + (member < extra ? 1 : 0);
  return r;
}

}  // namespace connectrun
