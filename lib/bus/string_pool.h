// Spare strings: the memory of record values that sinks are done with, kept
// for sources to fill again. On the in-process bus a value's bytes are
// allocated on a source's thread and freed on a sink's. glibc's malloc takes
// that crossing slowly: its per-thread cache holds 7 chunks of a size, so a
// batch of thousands goes through the shared arena, which the sink's frees
// fragment and the source's next large allocation consolidates. That cost
// about 400 instructions per record, a fifth of a line's whole path. Handed
// back in bulk, once per batch, a string's memory costs two moves.
#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace connectrun {

class StringPool {
 public:
  // A string of more capacity is freed, not kept: the pool is for record-sized values.
  static constexpr size_t kMaxCapacity = 1024;
  // Smaller ones are not worth keeping (a short string lives inside its std::string).
  static constexpr size_t kMinCapacity = 32;
  // What the pool keeps at most (strings, and bytes of their capacity): bounds
  // on memory when many connectors share the bus (defined in string_pool.cpp).
  static const size_t kMaxKept;
  static const size_t kMaxKeptBytes;
  // Whether give() would keep anything now: a sink checks before gathering.
  bool wants() const {
    return enabled_.load(std::memory_order_relaxed) && kept_count_.load(std::memory_order_relaxed) < kMaxKept;
  }
  // Off, sinks keep nothing for the sources (what is kept is still handed
  // out). The in-process bus turns it off while many sinks share its memory:
  // strings moving between many threads' allocator arenas, and stashed by
  // each source, cost more memory than they save (16 file pairs: 42 → 49 MB peak).
  void set_enabled(bool on) { enabled_.store(on, std::memory_order_relaxed); }
  // What is gathered for give(): the strings and their capacities' sum.
  struct Spent {
    std::vector<std::string> strings;
    size_t bytes = 0;
    // Takes `s` when it is worth keeping (its memory is moved, `s` left empty).
    void gather(std::string& s) {
      const size_t c = s.capacity();
      if (c < kMinCapacity || c > kMaxCapacity) return;
      bytes += c;
      strings.push_back(std::move(s));
    }
    // A bus record's bytes, or a Connect value when it holds a string.
    void gather(std::optional<std::string>& maybe) {
      if (maybe) gather(*maybe);
    }
    template <class V>
      requires requires(V& v) { v.template get_if<std::string>(); }
    void gather(V& v) {
      if (auto* s = v.template get_if<std::string>()) gather(*s);
    }
  };
  // Gives the string values and keys of `records` (bus records or Connect
  // records whose holder is done with them), gathered in `spent`, whose room is
  // kept between batches. Nothing when the pool wants none.
  template <class Records>
  void give_back(Records& records, Spent& spent) {
    if (!wants()) return;
    for (auto& r : records) {
      spent.gather(r.value);
      spent.gather(r.key);
    }
    give(spent);
  }
  // Keeps what it has room for of `spent` and frees the rest; `spent` is left empty.
  void give(Spent& spent);
  // Moves every kept string into `into`, which is empty: a source takes them
  // when it has used up the last ones, and the pool fills again from the next
  // batch given.
  void take(std::vector<std::string>& into);
  size_t kept() const { return kept_count_.load(std::memory_order_relaxed); }

 private:
  std::mutex mu_;
  std::vector<std::string> kept_;
  size_t kept_bytes_ = 0;
  std::atomic<size_t> kept_count_{0};
  std::atomic<bool> enabled_{true};
};

// A source task's side of a StringPool: the spare strings it took. One per
// task, used on its thread only. Without a pool (dry runs, tests) it makes new
// strings.
class SpareStrings {
 public:
  SpareStrings() = default;
  explicit SpareStrings(StringPool* pool) : pool_(pool) {}
  // A string holding `text`, in a spare one's memory when there is room in it.
  std::string make(std::string_view text) {
    std::string s;  // one named result: returned without a move
    if (spare_.empty()) refill();
    if (!spare_.empty()) {
      // Too small a spare is dropped: grown, it would double its capacity, and pooled
      // strings would drift to twice their lines' length.
      if (spare_.back().capacity() >= text.size()) s.swap(spare_.back());
      spare_.pop_back();
    }
    s.clear();  // then append: simpler than assign, which allows for `text` inside `s`
    s.append(text.data(), text.size());
    return s;
  }

 private:
  // While the pool has nothing, asks it again only every kRetry strings (it takes a lock).
  static constexpr unsigned kRetry = 256;
  void refill() {
    if (!pool_ || misses_++ % kRetry != 0) return;
    pool_->take(spare_);
    if (!spare_.empty()) misses_ = 0;
  }
  StringPool* pool_ = nullptr;
  std::vector<std::string> spare_;
  unsigned misses_ = 0;
};

}  // namespace connectrun
