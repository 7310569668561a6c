// Reading Debezium's offsets: their values may be numbers or (written by
// Java's JSON) strings, and any key may be absent.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "data/value.h"

namespace connectrun::postgres_cdc {

inline const Value* field(const Value& map, std::string_view key) { return map.is_null() ? nullptr : map.find(key); }

inline int64_t as_long(const Value* v, int64_t fallback) {
  if (!v) return fallback;
  if (auto* i = v->get_if<int64_t>()) return *i;
  if (auto* i = v->get_if<int32_t>()) return *i;
  if (auto* s = v->get_if<std::string>()) {
    try {
      return std::stoll(*s);
    } catch (const std::exception&) {
    }
  }
  return fallback;
}

inline bool as_bool(const Value* v) {
  if (!v) return false;
  if (auto* b = v->get_if<bool>()) return *b;
  if (auto* s = v->get_if<std::string>()) return *s == "true";
  return false;
}


}  // namespace connectrun::postgres_cdc
