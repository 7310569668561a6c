// Topic names are compared per record in several places (numbering, the
// traffic counts, commit positions): short strings whose compare through
// memcmp costs more in the call than in the bytes.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

namespace connectrun {

inline bool same_name(std::string_view a, std::string_view b) {
  const size_t n = a.size();
  if (n != b.size()) return false;
  const char* x = a.data();
  const char* y = b.data();
  auto load8 = [](const char* p) {
    uint64_t w;
    std::memcpy(&w, p, sizeof w);
    return w;
  };
  auto load4 = [](const char* p) {
    uint32_t w;
    std::memcpy(&w, p, sizeof w);
    return w;
  };
  if (n >= 8) {
    for (size_t i = 0; i + 8 <= n; i += 8)
      if (load8(x + i) != load8(y + i)) return false;
    return load8(x + n - 8) == load8(y + n - 8);  // the tail, overlapping
  }
  if (n >= 4) return load4(x) == load4(y) && load4(x + n - 4) == load4(y + n - 4);
  for (size_t i = 0; i < n; ++i)
    if (x[i] != y[i]) return false;
  return true;
}

}  // namespace connectrun
