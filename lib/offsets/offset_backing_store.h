// Where an OffsetStore keeps its entries when not in its own file: Kafka
// Connect's OffsetBackingStore, as raw records of its offsets topic. Key and
// value are the bytes Kafka Connect's JsonConverter (schemas.enable=false)
// writes: key ["<connector>",{partition}], value {offset}; no value is a
// tombstone. Other processes may write the same store, so it is read in full
// (the last record of a key wins) and written entry by entry, never replaced.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace connectrun {

struct OffsetRecord {
  std::string key;
  std::optional<std::string> value;  // nullopt: a tombstone (the entry is removed)
};

class OffsetBackingStore {
 public:
  virtual ~OffsetBackingStore() = default;
  // Every record stored, in the order a later one of a key replaces an
  // earlier one, up to the end at the time of the call (Kafka's readToEnd).
  // Throws OffsetStoreError when the store cannot be read.
  virtual std::vector<OffsetRecord> read_to_end() = 0;
  // Stores the records and waits until each is stored; the error text when
  // any is not (then the caller writes them all again later).
  virtual std::optional<std::string> write(const std::vector<OffsetRecord>& records) = 0;
  // For messages: "offsets topic 'connect-offsets' (bootstrap.servers …)".
  virtual std::string name() const = 0;
};

}  // namespace connectrun
