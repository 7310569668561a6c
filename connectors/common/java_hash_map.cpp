#include "connectors/common/java_hash_map.h"

#include <algorithm>
#include <cstdint>
#include <string_view>

namespace connectrun {

namespace {

// java.lang.String.hashCode over the UTF-16 code units of UTF-8 text.
uint32_t java_string_hash(std::string_view s) {
  uint32_t h = 0;
  auto add = [&](uint32_t unit) { h = 31 * h + unit; };
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    uint32_t cp = c;
    size_t len = 1;
    if (c >= 0xF0) len = 4, cp = c & 0x07;
    else if (c >= 0xE0) len = 3, cp = c & 0x0F;
    else if (c >= 0xC0) len = 2, cp = c & 0x1F;
    for (size_t k = 1; k < len && i + k < s.size(); ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
    i += len;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      add(0xD800 + (cp >> 10));
      add(0xDC00 + (cp & 0x3FF));
    } else {
      add(cp);
    }
  }
  return h;
}

// HashMap.tableSizeFor: the power of two at or above n (at least 1).
size_t table_size_for(size_t n) {
  size_t cap = 1;
  while (cap < n) cap <<= 1;
  return cap;
}

}  // namespace

std::vector<size_t> java_hash_map_order(const std::vector<std::string>& keys, size_t initial_capacity) {
  // A resize keeps each bucket's insertion order, so iteration is by bucket, then insertion.
  size_t cap = table_size_for(initial_capacity);
  while (keys.size() > cap * 3 / 4) cap <<= 1;
  std::vector<size_t> order(keys.size());
  std::vector<uint32_t> bucket(keys.size());
  for (size_t i = 0; i < keys.size(); ++i) {
    uint32_t h = java_string_hash(keys[i]);
    bucket[i] = (h ^ (h >> 16)) & static_cast<uint32_t>(cap - 1);
    order[i] = i;
  }
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return bucket[a] < bucket[b]; });
  return order;
}

size_t java_hash_map_copy_capacity(size_t size) {
  // Java 17's HashMap(Map): threshold = tableSizeFor((int)(size / 0.75f + 1.0f)).
  auto t = static_cast<size_t>(static_cast<float>(size) / 0.75f + 1.0f);
  return table_size_for(t);
}

}  // namespace connectrun
