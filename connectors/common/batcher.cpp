#include "connectors/common/batcher.h"

namespace connectrun::common {

std::optional<std::string> BatchLimits::problem() const {
  if (linger.count() < 0) return "the linger time must not be negative";
  return std::nullopt;
}

bool BatchState::fits(size_t bytes) const {
  if (records_ == 0) return true;
  if (limits_.max_records && records_ + 1 > limits_.max_records) return false;
  return !limits_.max_bytes || bytes_ + bytes <= limits_.max_bytes;
}

void BatchState::added(size_t bytes, Clock::time_point now) {
  if (records_ == 0) first_ = now;
  ++records_;
  bytes_ += bytes;
}

bool BatchState::full() const {
  return (limits_.max_records && records_ >= limits_.max_records) || (limits_.max_bytes && bytes_ >= limits_.max_bytes);
}

bool BatchState::due(Clock::time_point now) const {
  if (records_ == 0) return false;
  return full() || now - first_ >= limits_.linger;
}

std::optional<BatchState::Clock::time_point> BatchState::deadline() const {
  if (records_ == 0) return std::nullopt;
  return first_ + limits_.linger;
}

void BatchState::clear() {
  records_ = 0;
  bytes_ = 0;
  first_ = {};
}

}  // namespace connectrun::common
