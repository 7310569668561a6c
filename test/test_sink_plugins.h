// Test plugins for sink tasks: RecordingSink keeps, per task, what it was
// given (records with their partition and offset) and which partitions it
// was told to open and close; KeyedSource emits `count` keyed records.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "plugin/registry.h"

namespace testsink {

struct SeenRecord {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = -1;
  std::string key, value;
};

struct TaskLog {
  std::vector<SeenRecord> records;  // in the order put
  std::vector<std::vector<connectrun::TopicPartition>> opened, closed;
  bool stopped = false;
};

// Shared by every task of the plugins registered with it.
class Recorder {
 public:
  void record(int task, SeenRecord r);
  void opened(int task, const std::vector<connectrun::TopicPartition>& parts);
  void closed(int task, const std::vector<connectrun::TopicPartition>& parts);
  void stopped(int task);
  std::map<int, TaskLog> tasks() const;  // by task id
  // Every record's value, over all tasks.
  std::multiset<std::string> values() const;

 private:
  mutable std::mutex mu_;
  std::map<int, TaskLog> tasks_;
};

// Registers RecordingSink and KeyedSource (keys: topic, count, keyed) in `registry`.
void register_test_sink_plugins(connectrun::PluginRegistry& registry, std::shared_ptr<Recorder> recorder);

// Every partition in `changes`, flattened.
std::set<connectrun::TopicPartition> flatten(const std::vector<std::vector<connectrun::TopicPartition>>& changes);

}  // namespace testsink
