// One thread per connector task. SourceWorker: poll → transforms → converters
// → bus, storing a source offset only once the bus delivered its record and
// every record before it. SinkWorker: bus → converters → transforms → put →
// flush → acknowledge.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "bus/bus.h"
#include "engine/error_handler.h"
#include "plan/job_config.h"
#include "offsets/offset_store.h"
#include "engine/record_pipeline.h"
#include "transforms/chain.h"

namespace connectrun {

// What every task context gets from the engine: its connector's name, the
// logger, whether to stop at the end of the data, the stop flag and the
// connector's retry policy (its errors.retry.* keys in `common`).
void init_task_context(TaskContext& ctx, const std::string& connector, bool stop_at_end_of_data,
                       std::shared_ptr<spdlog::logger> log, const std::atomic<bool>& stopping,
                       const std::atomic<uint64_t>& reopen,
                       const config::ConfigValues& common);

// One task of a connector: its id (0 … count-1) and its configuration (one of
// the connector's task configurations, connector_task_configs).
struct TaskSlot {
  int id = 0;
  int count = 1;
  config::ConfigValues cfg;
};

struct TaskStats {
  std::atomic<uint64_t> read{0};     // records taken from the outside system / the bus
  std::atomic<uint64_t> written{0};  // records delivered by the bus (source) / flushed by the sink
  std::atomic<uint64_t> undelivered{0};    // sources: records the bus had not delivered when the task stopped
  std::atomic<uint64_t> dead_lettered{0};  // sinks: records sent to the dead letter topic
  std::atomic<uint64_t> batches{0};        // batches sent (source) / put and flushed (sink)
  std::atomic<uint64_t> batch_nanos{0};    // their total time: convert + send, or put + flush
  std::atomic<double> progress{-1};        // sources: SourceTask::progress() after the last poll; < 0 unknown
};

class TaskWorker {
 public:
  virtual ~TaskWorker();
  void start();
  void request_stop() { stopping_.store(true); }
  void request_reopen() { reopen_.fetch_add(1); }  // SIGHUP: TaskContext::reopen_generation
  // Paused: a source stops polling, a sink stops taking records from the bus.
  void set_paused(bool paused) { paused_.store(paused); }
  bool paused() const { return paused_.load(); }
  bool finished() const { return finished_.load(); }
  void join();
  std::optional<std::string> failure() const;
  const std::string& name() const { return plan_.name; }
  int task_id() const { return slot_.id; }
  const TaskStats& stats() const { return stats_; }
  uint64_t skipped() const { return errors_.skipped(); }
  // Seconds from start() to the end of the task's thread (or to now while it runs).
  double seconds() const;

 protected:
  TaskWorker(const ConnectorPlan& plan, bool once, TaskSlot slot);
  virtual void run() = 0;
  void fail(const std::string& reason);

  const ConnectorPlan& plan_;
  TaskSlot slot_;
  bool once_;
  std::shared_ptr<spdlog::logger> log_;
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> reopen_{0};
  std::atomic<bool> finished_{false};
  std::atomic<bool> paused_{false};
  // Sleeps a little while paused and not stopping; true when paused.
  bool wait_while_paused();
  TaskStats stats_;
  ErrorHandler errors_;
  std::unique_ptr<RecordStages> stages_;  // converters and chain, built on the task's thread
  // The last failure skipped under errors.tolerance=all, for the dead letter queue.
  struct StageFailure {
    std::string stage, plugin, message;
    std::string exception_class = "org.apache.kafka.connect.errors.DataException";  // Kafka's, for the DLQ headers
  };
  std::optional<StageFailure> last_failure_;
  // Applies the chain to `r` in place; false when dropped or skipped under
  // errors.tolerance. `position` describes the record for error messages;
  // called only on failure.
  // A template: the position is a lambda called only on failure, not a std::function made per record.
  template <class Position>
  bool transform(Record& r, const Position& position) {
    try {
      return stages_->chain().apply_in_place(r);
    } catch (const TransformError& e) {
      transform_failed(e, position());
      return false;
    }
  }
  void transform_failed(const TransformError& e, const std::string& position);
  void build_stages();

 private:
  mutable std::mutex fail_mu_;
  std::optional<std::string> failure_;
  std::chrono::steady_clock::time_point started_;
  std::atomic<std::chrono::steady_clock::rep> ended_{0};  // steady_clock ticks; 0 while running
  std::thread thread_;
};

class SourceWorker : public TaskWorker {
 public:
  // Creates the bus producer at once, so sinks know a producer exists.
  SourceWorker(const ConnectorPlan& plan, TaskSlot slot, bool once, OffsetStore& store, TopicBus& bus,
               std::chrono::milliseconds flush_timeout);
  ~SourceWorker() override;

  // For SourceTask::commit(): how many times this worker stored offsets in
  // the store so far. The Herder reads it before writing the offsets file and,
  // once written, hands it back to offsets_flushed(): the task's thread then
  // calls commit() (between polls) when that covers offsets not yet committed.
  uint64_t offsets_stored() const { return offsets_stored_.load(); }
  void offsets_flushed(uint64_t stored);

 private:
  // A polled record kept for SourceTask::commit_record until its batch is
  // delivered: as polled, with where it went (nullopt: not written).
  struct Committable {
    Record record;
    std::optional<RecordMetadata> metadata;
  };
  struct Pending {
    uint64_t seq;
    size_t records = 0;  // sent to the bus
    bool done = false;
    std::optional<std::string> error;
    std::vector<std::pair<std::shared_ptr<const Value>, Value>> offsets;  // last offset per source partition in the batch
    std::vector<NextOffset> numbered;  // where the in-process bus's numbering of the batch left each topic partition
    std::vector<Committable> commits;  // only when the task wants commit_record
  };
  void run() override;
  void process(std::vector<Record>& batch);
  void on_delivered(uint64_t seq, std::optional<std::string> error);
  // Exactly-once sources (source_txn.cpp): the batches sent since the last
  // commit, with their offsets, in one transaction.
  bool transaction_due() const;
  void commit_transaction();
  void abort_transaction();
  void wait_for_deliveries();
  bool tolerate_produce_error(const std::string& error);
  // On the task's thread: commit() when offsets of the task were flushed since
  // the last one, then commit_record for each record delivered since the last call.
  void commit_delivered(SourceTask& task);
  // At the end: writes the offsets file itself (when this task stored offsets
  // since the last flush it saw) so the final commit() follows a flush.
  void final_commit(SourceTask& task);

  OffsetStore& store_;
  TopicBus& bus_;
  std::unique_ptr<BusProducer> producer_;  // not with exactly-once: txn_ instead
  std::unique_ptr<TransactionalProducer> txn_;  // made on the task's thread (init_transactions waits for Kafka)
  bool txn_open_ = false;  // batches sent since the last commit
  std::chrono::steady_clock::time_point txn_started_;
  std::optional<std::chrono::milliseconds> txn_interval_;  // transaction.boundary=interval; else every poll
  std::chrono::milliseconds flush_timeout_;
  std::mutex mu_;
  std::condition_variable delivered_;
  std::deque<Pending> pending_;
  uint64_t next_seq_ = 0;
  bool delivery_failed_ = false;
  bool commit_records_ = false;  // the task wants commit_record: keep what it polled until delivered
  bool commits_closed_ = false;  // the task has stopped: late deliveries are not queued for it
  std::vector<Committable> delivered_records_;  // mu_: delivered, waiting for the task's thread
  std::atomic<uint64_t> offsets_stored_{0};
  std::atomic<uint64_t> offsets_flushed_{0};
  uint64_t offsets_committed_ = 0;  // the task's thread only
  bool not_committed_ = false;  // a sink left a batch unacknowledged (kNotCommitted): offsets stop there
};

class SinkWorker : public TaskWorker {
 public:
  // Subscribes at once, so no record produced after construction is missed;
  // or takes over `consumer` (a restart: what it holds is not lost). The
  // connector's tasks share the topics' partitions (ConsumerTask).
  SinkWorker(const ConnectorPlan& plan, TaskSlot slot, bool once, TopicBus& bus,
             std::unique_ptr<BusConsumer> consumer = nullptr);
  ~SinkWorker() override;
  // Stops after the batch in hand is written and committed, without waiting
  // for the bus's end (a restart or a removal); then join() and release_consumer().
  void request_detach() { detach_.store(true); }
  std::unique_ptr<BusConsumer> release_consumer() { return std::move(consumer_); }

 private:
  void run() override;
  // `origin`, when given, receives for each record of `out` its index in `in`.
  void convert(std::vector<BusRecord>& in, std::vector<Record>& out, std::vector<uint32_t>* origin = nullptr);
  // Tells the task the partitions the consumer gained or lost (open/close).
  void apply_partition_changes(SinkTask& task);
  // The end of the task: it closes every partition it still holds.
  void close_partitions(SinkTask& task);
  // Queues the original record for the dead letter topic (when configured).
  void dead_letter(const BusRecord& original, const StageFailure& f);
  // Sends the queued dead letters and waits for them: offsets are committed
  // only after their dead letters are written.
  void flush_dead_letters();

  // The commit path (sink_commit.cpp): SinkTask::pre_commit, the bus commit
  // of what it returned, and the errant record reporter.
  //
  // Notes the position after each partition's last record in `in`.
  void note_positions(const std::vector<BusRecord>& in);
  bool uncommitted() const;  // some position taken is not committed
  // pre_commit (retried by `retry`), then the dead letters, then the bus commit of what it returned.
  void commit(SinkTask& task, const std::function<void(const std::function<void()>&)>& retry);
  // SinkTaskContext::report: counts, dead-letters or (tolerance none) fails.
  void report_errant(const Record& record, const std::exception& error);
  // Throws when a report failed the task (the task may have caught it).
  void check_errant() const;
  // With a dead letter queue: keeps `in` (the originals of `batch`, origin[i]
  // being batch[i]'s) until committed, for report_errant.
  void keep_originals(std::vector<BusRecord>&& in, std::vector<uint32_t>&& origin, const std::vector<Record>& batch);
  const BusRecord* find_original(const Record& r) const;  // errant_mu_ held
  // Hands the value and key strings of `records` back to the bus's string pool, if it keeps one.
  template <class Records>
  void give_back(Records& records);

  std::unique_ptr<BusConsumer> consumer_;
  StringPool* pool_ = nullptr;     // the bus's, where its sinks give strings back (in-process), else none
  StringPool::Spent spent_;         // strings gathered for the pool, room kept between batches
  std::atomic<bool> detach_{false};
  std::unique_ptr<BusProducer> dlq_;
  mutable std::mutex errant_mu_;  // dlq_batch_, originals_, errant_failure_: reports may come from the task's threads
  std::vector<BusRecord> dlq_batch_;
  TopicPartitionOffsets current_;    // after the last record taken, per partition
  TopicPartitionOffsets committed_;  // what pre_commit returned and the bus committed
  bool warned_positions_ = false;    // a pre_commit position was ignored (said once)
  // Batches not yet committed, with a dead letter queue only.
  struct Originals {
    std::vector<BusRecord> records;
    std::vector<std::pair<TopicPartition, int64_t>> ends;  // after each partition's last record
  };
  std::deque<Originals> originals_;
  const std::vector<Record>* put_batch_ = nullptr;  // the batch being put, and where its records came from
  std::vector<uint32_t> put_origin_;
  std::optional<std::string> errant_failure_;
  std::set<TopicPartition> open_;  // partitions the task was told it holds
};

}  // namespace connectrun
