// The iteration order of a java.util.HashMap<String, …> filled in a given
// order: Debezium writes some maps (END's data_collections, hstore as JSON)
// in that order, so matching its bytes means reproducing it.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace connectrun::postgres_cdc {

// Indexes of `keys` (distinct, in insertion order) in the order a default
// HashMap (capacity 16, doubled past 0.75 full) iterates them: by bucket of
// String.hashCode (spread as HashMap.hash does), then insertion order.
std::vector<size_t> java_hash_map_order(const std::vector<std::string>& keys);

template <class T>
std::vector<std::pair<std::string, T>> in_java_hash_map_order(const std::vector<std::pair<std::string, T>>& entries) {
  std::vector<std::string> keys;
  for (auto& e : entries) keys.push_back(e.first);
  std::vector<std::pair<std::string, T>> out;
  for (size_t i : java_hash_map_order(keys)) out.push_back(entries[i]);
  return out;
}

}  // namespace connectrun::postgres_cdc
