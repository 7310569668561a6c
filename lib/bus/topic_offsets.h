// The in-process bus's record offsets. Sinks that name or key what they write
// by (topic, partition, offset) — object names, primary keys — need an offset
// never given to two different records and given again to a record read again
// after a crash. So numbering continues from the offsets file rather than
// from 0 at each run, and a source stores, with its batch's source offsets,
// where the batch left each topic partition it was numbered in (OffsetStore
// "topic_offsets"): after a crash, the records after the stored source offset
// are read again and numbered from there, getting exactly the offsets they had.
// With several producers of one topic, a record read again may get a new
// offset (and its old one may go to another record read again); a record
// whose source offset was stored keeps its offset for good.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "bus/bus.h"

namespace connectrun {

// Not thread-safe: the bus calls it under its own lock.
class TopicOffsets {
  using Key = std::pair<std::string, int32_t>;  // topic, partition

 public:
  // Continues from stored next offsets (never moving a counter back).
  void restore(const std::vector<NextOffset>& stored);
  // The next offset of every partition of `topics`.
  std::vector<NextOffset> next_offsets(const std::vector<std::string>& topics) const;

  // Numbers one batch, record by record.
  class Numbering {
   public:
    explicit Numbering(TopicOffsets& offsets) : offsets_(offsets) {}
    // The offset of the batch's next record in (topic, partition).
    int64_t next(const std::string& topic, int32_t partition) { return (*counter(topic, partition))++; }
    // The counter of (topic, partition), for a run of its records: each takes
    // the counter's value and moves it on. Valid for the bus's life.
    int64_t* counter(const std::string& topic, int32_t partition);
    // Where the batch left each topic partition it numbered records in.
    std::vector<NextOffset> numbered() const;

   private:
    TopicOffsets& offsets_;
    // The batch's topic partitions (map nodes are stable); back() is the
    // current one: a batch is mostly runs of one topic partition.
    std::vector<std::pair<const Key*, int64_t*>> touched_;
  };

 private:
  std::map<Key, int64_t> next_;
};

}  // namespace connectrun
