// Source and sink tasks: the small lifecycle interfaces every connector implements.
#pragma once

#include <atomic>
#include <chrono>
#include <compare>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/spec.h"
#include "data/value.h"

namespace spdlog { class logger; }

namespace connectrun {

// A connector failure. `retriable` errors are retried by the engine within
// errors.retry.timeout; others fail the connector.
class ConnectError : public std::runtime_error {
 public:
  explicit ConnectError(const std::string& msg, bool retriable = false)
      : std::runtime_error(msg), retriable_(retriable) {}
  bool retriable() const { return retriable_; }

 private:
  bool retriable_;
};

struct TaskContext {
  std::string connector_name;
  int task_id = 0;
  bool once = false;  // --once: report exhaustion instead of waiting for more input
  std::shared_ptr<spdlog::logger> log;
  const std::atomic<bool>* stopping = nullptr;  // set when the task should wind down
  bool stop_requested() const { return stopping && stopping->load(std::memory_order_relaxed); }
};

struct SourceTaskContext : TaskContext {
  // The last stored offset for a source partition (a schemaless map), or null.
  std::function<Value(const Value& partition)> offset_for;
  // The connector's error policy (errors.tolerance) for input the task cannot
  // turn into a record (Kafka's stage TASK_POLL), at `position` ("file F byte
  // N"). Throws ConnectError when the error is not tolerated; otherwise logs
  // and counts it as skipped and returns. A task that goes on returns a record
  // with `offset_only` set in its place, so its offset moves past the input.
  std::function<void(const std::string& position, const std::exception& error)> on_error;
  void report_error(const std::string& position, const std::exception& error) const {
    if (!on_error) throw ConnectError(position + ": " + error.what());
    on_error(position, error);
  }
};

enum class PollStatus {
  Ok,         // zero or more records returned; poll again
  Exhausted,  // nothing more for now (EOF in --once mode); records may still be returned with it
};

class SourceTask {
 public:
  virtual ~SourceTask() = default;
  virtual void configure(const config::ConfigValues& cfg) = 0;  // throws config::ConfigError
  virtual void start(SourceTaskContext& ctx) = 0;
  // Appends up to a batch of records to `out`. May block for up to `max_wait`
  // when there is no data, and returns early when the context says stop.
  // Throws ConnectError on failure.
  virtual PollStatus poll(std::vector<Record>& out, std::chrono::milliseconds max_wait) = 0;
  virtual void stop() {}
};

// Kafka's TopicPartition: one partition of one topic.
struct TopicPartition {
  std::string topic;
  int32_t partition = 0;
  auto operator<=>(const TopicPartition&) const = default;
};

struct SinkTaskContext : TaskContext {};

class SinkTask {
 public:
  virtual ~SinkTask() = default;
  virtual void configure(const config::ConfigValues& cfg) = 0;
  virtual void start(SinkTaskContext& ctx) = 0;
  // Takes a batch; the records may be buffered until flush(). Throws ConnectError.
  virtual void put(std::vector<Record>& batch) = 0;
  // Makes everything put so far durable in the outside system (as durable as
  // the connector promises). Only then does the engine acknowledge it.
  virtual void flush() = 0;
  // Kafka's SinkTask.open/close: the task's thread is told which topic
  // partitions it now reads (before any record of them is put) and which it
  // no longer reads (after what it was given of them was flushed). On the
  // in-process bus a task opens its share of a topic when the topic appears
  // and closes everything it holds when it stops; on Kafka they follow the
  // consumer group's rebalances. Throws ConnectError.
  virtual void open(const std::vector<TopicPartition>& partitions) { (void)partitions; }
  virtual void close(const std::vector<TopicPartition>& partitions) { (void)partitions; }
  virtual void stop() {}
};

}  // namespace connectrun
