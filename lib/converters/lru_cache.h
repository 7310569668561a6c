// A small bounded LRU map, as Kafka's converters cache schema conversions
// (LRUCache). One instance belongs to one converter, used by one thread.
#pragma once

#include <cstddef>
#include <list>
#include <unordered_map>
#include <utility>

namespace connectrun {

template <class K, class V, class Hash = std::hash<K>>
class LruCache {
 public:
  explicit LruCache(size_t capacity = 1000) : capacity_(capacity) {}
  void set_capacity(size_t capacity) {
    capacity_ = capacity;
    while (items_.size() > capacity_) evict();
  }
  // nullptr when absent; a hit becomes the most recently used entry.
  V* get(const K& key) {
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    items_.splice(items_.begin(), items_, it->second);
    return &it->second->second;
  }
  V& put(K key, V value) {
    if (auto it = index_.find(key); it != index_.end()) {
      it->second->second = std::move(value);
      items_.splice(items_.begin(), items_, it->second);
      return it->second->second;
    }
    items_.emplace_front(std::move(key), std::move(value));
    index_.emplace(items_.front().first, items_.begin());
    if (items_.size() > capacity_) evict();
    return items_.front().second;
  }
  size_t size() const { return items_.size(); }

 private:
  void evict() {
    index_.erase(items_.back().first);
    items_.pop_back();
  }
  size_t capacity_;
  std::list<std::pair<K, V>> items_;
  std::unordered_map<K, typename std::list<std::pair<K, V>>::iterator, Hash> index_;
};

}  // namespace connectrun
