#include "bus/string_pool.h"

#include <cstddef>

namespace connectrun {

const size_t StringPool::kMaxKept = 2048;
const size_t StringPool::kMaxKeptBytes = 256u << 10;

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
  into.swap(kept_);  // give() keeps at most kMaxKept: all of it is a source's share
  kept_bytes_ = 0;
  kept_count_.store(0, std::memory_order_relaxed);
}

}  // namespace connectrun
