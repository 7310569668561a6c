// The Herder (Kafka Connect's name) owns the running connectors: it starts
// them, pauses, resumes and restarts one (REST), applies a reloaded
// configuration (SIGHUP) and reports their state and counters. Every method is
// thread-safe; the engine's main thread and the REST threads share one Herder.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "plan/job_config.h"
#include "offsets/offset_store.h"
#include "engine/task_worker.h"
#include "engine/target_states.h"
#include "engine/traffic_bus.h"

namespace connectrun {

// Kafka Connect's states: RUNNING, PAUSED, FAILED, UNASSIGNED (finished),
// STOPPED (a connector stopped over REST: no tasks).
struct TaskSnapshot {
  int id = 0;
  std::string state;
  // In a cluster (group.id): a source task another process runs, or none
  // does; its state is then UNASSIGNED as far as this process can tell.
  bool elsewhere = false;
  std::optional<std::string> trace;  // the failure, when FAILED
  uint64_t read = 0, written = 0;
};

// A connector: its tasks' counters summed; FAILED when a task failed (the
// first failure is its trace), UNASSIGNED when every task ended.
struct ConnectorSnapshot {
  std::string name;
  bool is_source = true;
  std::string state;
  std::optional<std::string> trace;  // the failure, when FAILED
  uint64_t read = 0, written = 0, errors = 0, dead_lettered = 0, batches = 0;
  double batch_seconds = 0;  // total time of those batches
  std::optional<int64_t> lag;  // sinks: records waiting for it on the bus, when known (TopicBus::sink_lag)
  uint64_t bytes = 0;          // record bytes sent to the bus (source) / taken from it (sink) since it was created
  std::optional<double> progress;  // sources: the mean of its tasks' SourceTask::progress(), when every task knows it
  const ConnectorPlan* plan = nullptr;  // valid for the Herder's lifetime
  std::vector<TaskSnapshot> tasks;      // by id
};

// In a cluster (group.id), the job's source tasks in the order the task
// topic's partitions stand for them: connectors in the job's order, then task
// number. Partition i is task layout[i].
struct SourceTaskRef {
  std::string connector;
  int task = 0;
  bool operator==(const SourceTaskRef&) const = default;
};
std::vector<SourceTaskRef> source_task_layout(const JobPlan& plan);

class Herder {
 public:
  // `keep_open` (REST on, not --once): connectors that failed or finished stay
  // restartable, so the in-process bus's sinks do not end when every source
  // has closed: they end only at shutdown (stop_sources).
  Herder(const JobPlan& plan, bool once, OffsetStore& store, TopicBus& bus, bool keep_open = false);
  ~Herder();
  Herder(const Herder&) = delete;
  Herder& operator=(const Herder&) = delete;

  // Creates every worker (sinks first, so they subscribe before any source
  // produces) and starts them. A connector stopped (or paused) over REST
  // before the process restarted stays so (TargetStates). Throws when a bus
  // client cannot be created or the states file cannot be read.
  void start_all();

  // ---- a cluster of processes (group.id, docs/scaling.md). Called before
  // start_all(): source tasks then run only once assigned.
  void set_cluster_mode();
  // The task topic's partitions this process gained: their tasks start,
  // resuming from the offsets store read again to its end.
  void assign_sources(const std::vector<int>& partitions);
  // The partitions it lost: their tasks stop and their offsets are stored
  // before this returns (so before the group hands them to another process).
  void revoke_sources(const std::vector<int>& partitions);

  // ---- the engine's shutdown sequence
  bool all_sources_finished() const;
  bool all_finished() const;
  void stop_sources();  // also resumes paused connectors, so sinks drain
  void join_all();
  // Writes the offsets file; logs and returns false on failure.
  bool flush_offsets();
  // Logs each connector's summary line (read, written, skipped, dead-lettered, seconds).
  struct Report {
    bool failed = false;           // a connector failed
    bool undelivered = false;      // a source stopped with records the bus had not delivered
    bool records_skipped = false;  // records skipped or dead-lettered under errors.tolerance=all
  };
  Report report() const;

  // ---- REST
  std::vector<std::string> names() const;
  std::vector<ConnectorSnapshot> snapshots() const;
  std::optional<ConnectorSnapshot> snapshot(const std::string& name) const;
  // nullopt when there is no such connector. A sink's are its consumer
  // group's on the Kafka bus (throws ConnectError when the cluster cannot be
  // asked), none on the in-process bus.
  std::optional<std::vector<OffsetEntry>> offsets(const std::string& name) const;
  // Pause, resume and restart act on every task of the connector.
  bool pause(const std::string& name);   // false: no such connector
  bool resume(const std::string& name);
  // Stops the connector's tasks (flushing and storing its offsets, as on
  // shutdown) and starts fresh ones from the same plan. False: no such
  // connector. Throws when a new worker cannot be created.
  bool restart(const std::string& name);
  // Kafka's PUT /connectors/NAME/stop: its tasks are stopped (offsets
  // stored, as on shutdown) and it stays, STOPPED with no tasks, until
  // resumed (which starts it again) or restarted. False: no such connector.
  bool stop_connector(const std::string& name);
  // The topics a connector's tasks produced to (source) or consumed from
  // (sink) since it was created or they were reset; nullopt: no such connector.
  std::optional<std::vector<std::string>> active_topics(const std::string& name) const;
  bool reset_active_topics(const std::string& name);
  // Each task's configuration (Kafka's TaskInfo): key → value as text, by task
  // id; nullopt: no such connector.
  std::optional<std::vector<config::ConfigValues>> task_configs(const std::string& name) const;
  // Seconds since the offsets file was last written (or since the start).
  double offset_flush_age_seconds() const;
  const JobPlan& initial_plan() const { return *plans_.front(); }

  // ---- SIGHUP: stops removed connectors, starts added ones, restarts changed
  // ones; unchanged ones are untouched. Worker-level changes are logged as
  // needing a process restart and not applied.
  void reload(JobPlan next) { apply(std::move(next), "reload"); }
  // The same for a configuration changed over REST (the job files already
  // written); `why` begins the log lines ("reload", "REST").
  // `initial_states`: connectors added by this change that start PAUSED or
  // STOPPED (a REST create request's initial_state): they never run first.
  void apply(JobPlan next, const char* why, const std::map<std::string, std::string>& initial_states = {});
  // Why apply() would refuse `next` (a cluster's source tasks changed), or
  // nullopt: REST asks before it writes the job files.
  std::optional<std::string> refusal(const JobPlan& next) const;
  // ---- SIGHUP: every running task sees TaskContext::reopen_generation change
  // (sinks that write files reopen them, for logrotate's postrotate).
  void request_reopen();

 private:
  // A connector's counts for the summary: its tasks summed, its time its longest task's.
  struct Totals {
    uint64_t read = 0, written = 0, dead = 0, skipped = 0, undelivered = 0;
    double seconds = 0;
    std::optional<std::string> failure;
    // What a task's end leaves standing: its failure (not after a restart or a stop) and its
    // undelivered records (not after a restart: the new task reads them again in this run).
    enum class Ended { Running, GivenUp, Stopped, Restarted };
    void add(const TaskWorker& w, Ended how);
  };
  struct Entry {
    const ConnectorPlan* plan = nullptr;
    std::vector<std::unique_ptr<SourceWorker>> sources;  // one per task
    std::vector<std::unique_ptr<SinkWorker>> sinks;
    bool paused = false;
    bool stopped = false;  // PUT …/stop: no workers until resumed or restarted
    std::shared_ptr<ConnectorTraffic> traffic;
    std::set<int> owned;  // cluster mode, sources: the tasks the group gave this process
    // What tasks no longer running did here (given up in cluster mode, replaced by a
    // restart, stopped through REST), so the end-of-run summary still counts it.
    Totals retired;
    std::vector<TaskWorker*> workers() const;
    bool finished() const;  // every task ended (or none was created)
  };
  Entry* find(const std::string& name);
  std::optional<std::string> refusal_locked(const JobPlan& next) const;  // mu_ held
  const Entry* find(const std::string& name) const;
  ConnectorSnapshot snapshot_of(const Entry& e) const;
  void create(Entry& e);                                   // mu_ held
  bool runs_here(const Entry& e, int task) const;          // mu_ held
  void start(Entry& e);                                    // mu_ held
  void stop(Entry& e);                                     // mu_ held; joins
  void restart_locked(Entry& e, const ConnectorPlan& plan);  // mu_ held
  void start_stopped(Entry& e);                               // mu_ held
  void save_states();                                         // mu_ held
  bool flush_locked();

  bool once_;
  OffsetStore& store_;
  TargetStates states_;  // stopped and paused connectors, kept across restarts
  TopicBus& bus_;
  TrafficBus traffic_bus_;  // what workers are given: bus_, counting each connector's topics and bytes
  std::chrono::milliseconds flush_timeout_;
  std::shared_ptr<spdlog::logger> log_;
  mutable std::mutex mu_;
  std::vector<std::unique_ptr<const JobPlan>> plans_;  // every generation: workers refer to their plan
  std::vector<Entry> entries_;
  std::chrono::steady_clock::time_point last_flush_;
  bool keep_open_;
  bool cluster_ = false;
  std::vector<SourceTaskRef> layout_;  // cluster mode: the source tasks, by task topic partition
  std::unique_ptr<BusProducer> keepalive_;  // keep_open on the in-process bus: an idle producer
};

}  // namespace connectrun
