#include "connectors/postgres_cdc/java_hash_map.h"

#include <algorithm>
#include <cstdint>

namespace connectrun::postgres_cdc {

namespace {

// java.lang.String.hashCode over UTF-16 code units.
int32_t java_hash(const std::string& s) {
  uint32_t h = 0;
  auto add = [&](uint32_t unit) { h = 31 * h + unit; };
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    uint32_t cp = c;
    size_t n = 1;
    if (c >= 0xF0 && i + 3 < s.size()) cp = (c & 0x07u) << 18 | (s[i + 1] & 0x3Fu) << 12 | (s[i + 2] & 0x3Fu) << 6 | (s[i + 3] & 0x3Fu), n = 4;
    else if (c >= 0xE0 && i + 2 < s.size()) cp = (c & 0x0Fu) << 12 | (s[i + 1] & 0x3Fu) << 6 | (s[i + 2] & 0x3Fu), n = 3;
    else if (c >= 0xC0 && i + 1 < s.size()) cp = (c & 0x1Fu) << 6 | (s[i + 1] & 0x3Fu), n = 2;
    i += n;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      add(0xD800 + (cp >> 10));
      add(0xDC00 + (cp & 0x3FF));
    } else {
      add(cp);
    }
  }
  return static_cast<int32_t>(h);
}

}  // namespace

std::vector<size_t> java_hash_map_order(const std::vector<std::string>& keys) {
  size_t capacity = 16;
  while (keys.size() > capacity * 3 / 4) capacity *= 2;
  std::vector<std::pair<size_t, size_t>> order;  // (bucket, insertion index)
  for (size_t i = 0; i < keys.size(); ++i) {
    const auto h = static_cast<uint32_t>(java_hash(keys[i]));
    order.emplace_back((h ^ (h >> 16)) & (capacity - 1), i);
  }
  std::sort(order.begin(), order.end());
  std::vector<size_t> out;
  for (auto& o : order) out.push_back(o.second);
  return out;
}

}  // namespace connectrun::postgres_cdc
