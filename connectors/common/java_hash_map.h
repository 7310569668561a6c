// The iteration order of a java.util.HashMap<String, …> filled in a given
// order. Java connectors write some maps in it (Debezium's END data_collections
// and hstore as JSON; everit's JSON Schema properties and connect.* keywords),
// so matching their bytes means reproducing it.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace connectrun {

// Indexes of `keys` (distinct, in insertion order) in the order a HashMap
// created with `initial_capacity` (16: new HashMap<>()) iterates them: by
// bucket of String.hashCode (spread as HashMap.hash does; the table doubled
// while past 3/4 full), then insertion order.
std::vector<size_t> java_hash_map_order(const std::vector<std::string>& keys, size_t initial_capacity = 16);

// The capacity new HashMap<>(m) gives a copy of a map of `size` entries (Java 17).
size_t java_hash_map_copy_capacity(size_t size);

template <class T>
std::vector<std::pair<std::string, T>> in_java_hash_map_order(const std::vector<std::pair<std::string, T>>& entries) {
  std::vector<std::string> keys;
  for (auto& e : entries) keys.push_back(e.first);
  std::vector<std::pair<std::string, T>> out;
  for (size_t i : java_hash_map_order(keys)) out.push_back(entries[i]);
  return out;
}

}  // namespace connectrun
