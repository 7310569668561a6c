// Source and sink tasks: the small lifecycle interfaces every connector implements.
#pragma once

#include <atomic>
#include <chrono>
#include <compare>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <optional>
#include <string>
#include <vector>

#include "bus/string_pool.h"
#include "config/spec.h"
#include "data/value.h"
#include "plugin/connect_error.h"
#include "plugin/retry.h"
#include "plugin/topic_partition.h"

namespace spdlog { class logger; }

namespace connectrun {

struct TaskContext {
  std::string connector_name;
  int task_id = 0;
  // --once: at the end of the data report PollStatus::Exhausted instead of
  // waiting for more input.
  bool stop_at_end_of_data = false;
  std::shared_ptr<spdlog::logger> log;
  const std::atomic<bool>* stopping = nullptr;  // set when the task should wind down
  bool stop_requested() const { return stopping && stopping->load(std::memory_order_relaxed); }
  // Counts the SIGHUPs the process received: a task that writes a file
  // reopens it when this changes, as daemons do after logrotate.
  const std::atomic<std::uint64_t>* reopen_requests = nullptr;
  std::uint64_t reopen_generation() const {
    return reopen_requests ? reopen_requests->load(std::memory_order_relaxed) : 0;
  }
  // The connector's errors.retry.timeout and errors.retry.delay.max.ms.
  RetryPolicy retry_policy;
  // Runs `fn` (an operation on the outside system), retrying it while it throws
  // a retriable ConnectError: exponential backoff with full jitter, bounded
  // by errors.retry.delay.max.ms, for up to errors.retry.timeout; then the
  // last error is rethrown. Throws RetryStopped when the task is asked to stop
  // meanwhile. Returns what `fn` returns. `what` names the operation in the
  // log ("connect to db.example.com").
  template <class F>
  auto retry(std::string_view what, F&& fn) const {
    return connectrun::retry(retry_policy, what, std::forward<F>(fn), stopping, log.get());
  }
};

struct SourceTaskContext : TaskContext {
  // The last stored offset for a source partition (a schemaless map), or null.
  std::function<Value(const Value& partition)> offset_for;
  // The stored offsets of several source partitions at once (Kafka's
  // OffsetStorageReader.offsets): one per partition, in their order, null
  // where none is stored.
  std::vector<Value> offsets(const std::vector<Value>& partitions) const {
    std::vector<Value> out;
    out.reserve(partitions.size());
    for (auto& p : partitions) out.push_back(offset_for ? offset_for(p) : Value());
    return out;
  }
  // The connector's error policy (errors.tolerance) for input the task cannot
  // turn into a record (Kafka's stage TASK_POLL), at `position` ("file F byte
  // N"). Throws ConnectError when the error is not tolerated; otherwise logs
  // and counts it as skipped and returns. A task that goes on returns a record
  // with `offset_only` set in its place, so its offset moves past the input.
  std::function<void(const std::string& position, const std::exception& error)> on_error;
  // Strings for record values, in the memory of values already sent (the
  // task's producer gives it back once done with them: bus/string_pool.h,
  // BusProducer::spare_strings), empty without one: a source making many
  // string values (FileStreamSource's lines) takes them from here rather than
  // allocating each. Optional: any std::string works as a value.
  SpareStrings strings;
  void report_error(const std::string& position, const std::exception& error) const {
    if (!on_error) throw ConnectError(position + ": " + error.what());
    on_error(position, error);
  }
};

enum class PollStatus {
  Ok,         // zero or more records returned; poll again
  Exhausted,  // nothing more for now (EOF in --once mode); records may still be returned with it
};

// Where the bus put a record (Kafka's RecordMetadata), as far as it says.
struct RecordMetadata {
  std::string topic;    // the topic it was written to (after the transforms)
  int32_t partition = -1;  // the partition the record asked for; -1 when the bus chose (not reported back yet)
  int64_t offset = -1;     // not reported back by the bus yet: always -1
};

class SourceTask {
 public:
  virtual ~SourceTask() = default;
  virtual void configure(const config::ConfigValues& cfg) = 0;  // throws config::ConfigError
  virtual void start(SourceTaskContext& ctx) = 0;
  // Appends up to a batch of records to `out`. May block for up to `max_wait`
  // when there is no data, and returns early when the context says stop.
  // Throws ConnectError on failure.
  // Offsets are stored per poll (once every record of it was delivered), so a
  // record may leave source_partition and source_offset unset when a later
  // record of the same poll and partition carries the offset that covers it:
  // a source with one partition sets them on the poll's last record only and
  // saves building an offset map per record (FileStreamSource does).
  virtual PollStatus poll(std::vector<Record>& out, std::chrono::milliseconds max_wait) = 0;

  // Kafka's SourceTask.commitRecord: the engine is done with `record` (as
  // poll returned it, before the transforms). Called on the task's thread,
  // between polls, once per record, in poll order; only when
  // wants_commit_record() (keeping records until delivery costs memory).
  //  - metadata set: the bus delivered it (Kafka acknowledged it; in-process:
  //    every subscribed sink flushed it).
  //  - metadata null: it was not written and never will be, but its source
  //    offset moves past it: a transform dropped it, or it failed a converter
  //    or its delivery under errors.tolerance=all (as Kafka does).
  // Never for records the bus did not deliver (the connector fails, or it
  // stopped first: they are read again), nor for offset_only records. A
  // record is committed only after every record polled before it.
  virtual void commit_record(const Record& record, const RecordMetadata* metadata) {
    (void)record;
    (void)metadata;
  }
  // Read once, after start().
  virtual bool wants_commit_record() const { return false; }
  // Kafka's SourceTask.commit: the offsets file now holds offsets of records
  // this task polled (stored since the last commit()): acknowledge them in the
  // outside system if it wants that. Called on the task's thread, between
  // polls, after each such periodic flush (offset.flush.interval.ms), and once
  // at the end after the final flush, before stop().
  virtual void commit() {}
  virtual void stop() {}
  // Kafka's SourceConnector.alterOffsets check (KIP-875), after configure():
  // nullopt when `offset` (a schemaless map) is one this task can resume from
  // for `partition`, else what is wrong and what is expected ("\"position\"
  // must be a whole number of bytes (0 or more), got \"abc\""). `offsets set`
  // and `offsets import` ask it before storing anything; a task also refuses
  // at start a stored offset that fails it. The default accepts every offset.
  virtual std::optional<std::string> check_offset(const Value& partition, const Value& offset) const {
    (void)partition;
    (void)offset;
    return std::nullopt;
  }
  // How much of a finite input this task has read, from 0 to 1 (a file
  // source: its position over the file's size), for the progress lines
  // (progress.interval.ms); nullopt (the default): unknown. Called on the
  // task's thread after each poll, so it needs no locking.
  virtual std::optional<double> progress() const { return std::nullopt; }
  // `connectrun offsets list`: what the outside system says about a stored
  // offset, after configure(); may connect (e.g. how much WAL a replication
  // slot keeps for it). `text` is printed under the table ("slot 'debezium'
  // lag 1024 bytes (inactive)"), `fields` (a schemaless map) is the entry's
  // "status" in --json. nullopt (the default): nothing to say. Should not throw.
  struct OffsetStatus {
    std::string text;
    Value fields;
  };
  virtual std::optional<OffsetStatus> describe_offset_status(const Value& partition, const Value& offset) const {
    (void)partition;
    (void)offset;
    return std::nullopt;
  }
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
  // batch, so the engine acknowledges everything put once it returns. The
  // engine also calls it once when the input ends (--once), before the last
  // pre_commit: a sink that holds data back (S3's open objects) writes it then.
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
