#include "bus/topic_offsets.h"

#include <algorithm>

#include "bus/topic_name.h"

namespace connectrun {

void TopicOffsets::restore(const std::vector<NextOffset>& stored) {
  for (auto& s : stored) {
    int64_t& n = next_[Key{s.topic, s.partition}];
    n = std::max(n, s.offset);
  }
}

std::vector<NextOffset> TopicOffsets::next_offsets(const std::vector<std::string>& topics) const {
  std::vector<NextOffset> out;
  for (auto& [key, next] : next_)
    if (std::find(topics.begin(), topics.end(), key.first) != topics.end())
      out.push_back(NextOffset{key.first, key.second, next});
  return out;
}

int64_t* TopicOffsets::Numbering::counter(const std::string& topic, int32_t partition) {
  auto is = [&](const auto& t) { return t.first->second == partition && same_name(t.first->first, topic); };
  if (touched_.empty() || !is(touched_.back())) {
    auto seen = std::find_if(touched_.begin(), touched_.end(), is);
    if (seen != touched_.end()) {
      std::rotate(seen, seen + 1, touched_.end());  // current one last, order otherwise kept
    } else {
      auto it = offsets_.next_.try_emplace(Key{topic, partition}, 0).first;
      touched_.emplace_back(&it->first, &it->second);
    }
  }
  return touched_.back().second;
}

std::vector<NextOffset> TopicOffsets::Numbering::numbered() const {
  std::vector<NextOffset> out;
  out.reserve(touched_.size());
  for (auto& [key, next] : touched_) out.push_back(NextOffset{key->first, key->second, *next});
  return out;
}

}  // namespace connectrun
