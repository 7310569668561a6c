// Source and sink tasks: the small lifecycle interfaces every connector implements.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "config/spec.h"
#include "data/value.h"
#include "plugin/topic_partition.h"

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

struct SinkTaskContext : TaskContext {
  // Kafka's ErrantRecordReporter (KIP-610): the task could not write `record`
  // (one it was given by put, or a copy keeping its partition and bus_offset).
  // Under errors.tolerance=all the record is counted as skipped and, with
  // errors.deadletterqueue.topic.name, its original bytes go to the dead
  // letter topic (stage TASK_PUT) before any commit that covers it; the task
  // goes on with the rest. Under errors.tolerance=none it throws ConnectError
  // and the task fails (even if the task catches it). Thread-safe; call it
  // before pre_commit returns a position past the record.
  std::function<void(const Record& record, const std::exception& error)> errant_reporter;
  void report(const Record& record, const std::exception& error) const {
    if (!errant_reporter) throw ConnectError(std::string("cannot write a record: ") + error.what());
    errant_reporter(record, error);
  }
};

class SinkTask {
 public:
  virtual ~SinkTask() = default;
  virtual void configure(const config::ConfigValues& cfg) = 0;
  virtual void start(SinkTaskContext& ctx) = 0;
  // Takes a batch; the records may be buffered until flush(). Throws ConnectError.
  virtual void put(std::vector<Record>& batch) = 0;
  // Makes everything put so far durable in the outside system (as durable as
  // the connector promises). The default pre_commit calls it after every
  // batch, so the engine acknowledges everything put once it returns.
  virtual void flush() = 0;
  // Kafka's SinkTask.preCommit. `current` holds, per partition the task was
  // given records from, the position after the last record taken (including
  // records converters or transforms dropped). Returns the positions that are
  // safe to commit: only those are acknowledged (Kafka bus: committed for the
  // consumer group; in-process bus: their records count as delivered, so
  // their sources store offsets up to them). A task writing asynchronously
  // returns less and the rest later: the engine calls pre_commit after every
  // batch, and again while idle as long as something is uncommitted. A
  // partition left out keeps its last commit; a position past `current` is
  // ignored (with a warning). Whatever was never returned when the task
  // stops stays unacknowledged: read again (at least once). Throws ConnectError.
  virtual TopicPartitionOffsets pre_commit(const TopicPartitionOffsets& current) {
    flush();
    return current;
  }
  virtual void stop() {}
};

}  // namespace connectrun
