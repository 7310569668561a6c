#include "bus/string_pool.h"

#include <cstddef>

namespace connectrun {

const size_t StringPool::kMaxKept = 2048;
const size_t StringPool::kMaxKeptBytes = 256u << 10;
const size_t StringPool::kMaxTake = 2048;

void StringPool::give(Spent& spent) {
  {
    std::lock_guard lock(mu_);
    if (kept_.empty() && spent.strings.size() <= kMaxKept && spent.bytes <= kMaxKeptBytes) {
      kept_.swap(spent.strings);  // the usual case: a source took the last ones
      kept_bytes_ = spent.bytes;
    } else {
      for (auto& s : spent.strings) {
        if (kept_.size() >= kMaxKept || kept_bytes_ + s.capacity() > kMaxKeptBytes) break;
        kept_bytes_ += s.capacity();
        kept_.push_back(std::move(s));
      }
    }
    kept_count_.store(kept_.size(), std::memory_order_relaxed);
  }
  spent.strings.clear();  // what did not fit is freed here, outside the lock
  spent.bytes = 0;
}

void StringPool::take(std::vector<std::string>& into) {
  std::lock_guard lock(mu_);
  into.clear();
  if (kept_.size() <= kMaxTake) {
    into.swap(kept_);
    kept_bytes_ = 0;
  } else {
    const auto first = kept_.end() - static_cast<std::ptrdiff_t>(kMaxTake);
    for (auto it = first; it != kept_.end(); ++it) {
      kept_bytes_ -= it->capacity();
      into.push_back(std::move(*it));
    }
    kept_.erase(first, kept_.end());
  }
  kept_count_.store(kept_.size(), std::memory_order_relaxed);
}

}  // namespace connectrun
