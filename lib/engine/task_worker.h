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
// logger, whether to stop at the end of the data, and the stop flag.
void init_task_context(TaskContext& ctx, const std::string& connector, bool once,
                       std::shared_ptr<spdlog::logger> log, const std::atomic<bool>& stopping);

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
};

class TaskWorker {
 public:
  virtual ~TaskWorker();
  void start();
  void request_stop() { stopping_.store(true); }
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
  };
  std::optional<StageFailure> last_failure_;
  // Applies the chain to `r` in place; false when dropped or skipped under
  // errors.tolerance. `position` describes the record for error messages;
  // called only on failure.
  bool transform(Record& r, const std::function<std::string()>& position);
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

 private:
  struct Pending {
    uint64_t seq;
    size_t records = 0;  // sent to the bus
    bool done = false;
    std::optional<std::string> error;
    std::vector<std::pair<std::shared_ptr<const Value>, Value>> offsets;  // last offset per source partition in the batch
  };
  void run() override;
  void process(std::vector<Record>& batch);
  void on_delivered(uint64_t seq, std::optional<std::string> error);
  void wait_for_deliveries();
  bool tolerate_produce_error(const std::string& error);

  OffsetStore& store_;
  std::unique_ptr<BusProducer> producer_;
  std::chrono::milliseconds flush_timeout_;
  std::mutex mu_;
  std::condition_variable delivered_;
  std::deque<Pending> pending_;
  uint64_t next_seq_ = 0;
  bool delivery_failed_ = false;
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
  void convert(std::vector<BusRecord>& in, std::vector<Record>& out);
  // Tells the task the partitions the consumer gained or lost (open/close).
  void apply_partition_changes(SinkTask& task);
  // The end of the task: it closes every partition it still holds.
  void close_partitions(SinkTask& task);
  // Queues the original record for the dead letter topic (when configured).
  void dead_letter(const BusRecord& original, const StageFailure& f);
  // Sends the queued dead letters and waits for them: offsets are committed
  // only after their dead letters are written.
  void flush_dead_letters();

  std::unique_ptr<BusConsumer> consumer_;
  std::atomic<bool> detach_{false};
  std::unique_ptr<BusProducer> dlq_;
  std::vector<BusRecord> dlq_batch_;
  std::set<TopicPartition> open_;  // partitions the task was told it holds
};

}  // namespace connectrun
