// Batcher (connectors/common, shared by connector families): collects what a
// sink connector writes (rows, lines, request bodies) until a batch is big
// enough to write at once: `max_records` items, `max_bytes` bytes, or the
// first item has waited `linger`. It never writes and keeps no thread: the
// connector asks it (fits, due) and writes the batch itself, so a failed
// write leaves the batch in place for the retry.
//
//   for (auto& r : records) {            // SinkTask::put
//     Row row = to_row(r);
//     const size_t n = row.size();
//     if (!batcher.fits(n)) batcher.write_with(write);
//     batcher.add(std::move(row), n);
//   }
//   if (batcher.due()) batcher.write_with(write);
//   batcher.write_with(write);           // SinkTask::flush: everything
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace connectrun::common {

struct BatchLimits {
  size_t max_records = 500;             // 0: no limit
  size_t max_bytes = 1u << 20;          // 0: no limit
  std::chrono::milliseconds linger{0};  // how long the first item waits for more; 0: due at once
  // Empty when usable, else what is wrong (for a connector's validation).
  std::optional<std::string> problem() const;
};

// What a batch holds and when it is due, apart from the items themselves.
class BatchState {
 public:
  using Clock = std::chrono::steady_clock;
  explicit BatchState(BatchLimits limits) : limits_(limits) {}
  // True when an item of `bytes` can join the batch within max_records and
  // max_bytes; always true for an empty batch (an item larger than max_bytes
  // goes alone).
  bool fits(size_t bytes) const;
  void added(size_t bytes, Clock::time_point now);
  // At max_records or max_bytes.
  bool full() const;
  // Full, or the first item has waited `linger` by `now`; never when empty.
  bool due(Clock::time_point now) const;
  // When the batch becomes due by lingering (a poll timeout); nullopt when empty.
  std::optional<Clock::time_point> deadline() const;
  void clear();
  size_t records() const { return records_; }
  size_t bytes() const { return bytes_; }
  const BatchLimits& limits() const { return limits_; }

 private:
  BatchLimits limits_;
  size_t records_ = 0;
  size_t bytes_ = 0;
  Clock::time_point first_{};
};

template <class T>
class Batcher {
 public:
  using Clock = BatchState::Clock;
  explicit Batcher(BatchLimits limits) : state_(limits) {}

  bool fits(size_t bytes) const { return state_.fits(bytes); }
  void add(T item, size_t bytes, Clock::time_point now = Clock::now()) {
    items_.push_back(std::move(item));
    state_.added(bytes, now);
  }
  bool full() const { return state_.full(); }
  bool due(Clock::time_point now = Clock::now()) const { return state_.due(now); }
  std::optional<Clock::time_point> deadline() const { return state_.deadline(); }

  // Hands the batch to `write` (called with std::vector<T>&) when not empty,
  // and empties it once `write` returned: when it throws, the batch is kept.
  template <class Write>
  void write_with(Write&& write) {
    if (items_.empty()) return;
    write(items_);
    clear();
  }
  // The batch, emptying the batcher (flush on demand, whatever the limits).
  std::vector<T> take() {
    std::vector<T> out = std::move(items_);
    clear();
    return out;
  }
  void clear() {
    items_.clear();
    state_.clear();
  }

  const std::vector<T>& items() const { return items_; }
  bool empty() const { return items_.empty(); }
  size_t size() const { return items_.size(); }
  size_t bytes() const { return state_.bytes(); }

 private:
  std::vector<T> items_;
  BatchState state_;
};

}  // namespace connectrun::common
