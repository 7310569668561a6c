#include "engine/engine.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <chrono>
#include <memory>
#include <optional>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "engine/herder.h"
#include "bus/in_process_bus.h"
#include "kafka/kafka_api.h"
#include "ops/file_watch.h"
#include "ops/listener.h"
#include "offsets/offset_store.h"
#include "plan/plan_loader.h"
#include "ops/rest_service.h"
#include "ops/run_monitor.h"
#include "ops/signals.h"

namespace connectrun {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// SIGHUP (or --watch): load and validate the files again; apply the connectors' changes.
// `why` begins the log line ("received SIGHUP; sinks reopen their files").
void reload(Herder& herder, const RunOptions& options, const std::string& why) {
  auto log = spdlog::default_logger();
  if (options.files.empty()) return;
  log->info("{}; reloading {}", why, options.files.front());
  LoadedPlan loaded = load_plan(options.files, *herder.initial_plan().registry);
  const bool strict = options.strict_config;
  if (loaded.plan && strict && !loaded.plan->config_warnings.empty()) {
    // --strict-config holds for a reload as at start: each such warning is an error.
    loaded.problems = loaded.plan->config_warnings;
    loaded.plan.reset();
  }
  if (!loaded.plan) {
    for (auto& p : loaded.problems) log->error("reload: {}", p);
    log->error("reload: {} problem(s) found{}; the running configuration is kept", loaded.problems.size(),
               strict ? " (--strict-config)" : "");
    return;
  }
  for (auto& w : loaded.plan->warnings) log->warn("reload: {}", w);
  try {
    herder.reload(std::move(*loaded.plan));
  } catch (const std::exception& e) {
    log->error("reload: {}", e.what());
  }
}

// Waits up to `timeout` for a shutdown signal; returns it or 0.
int wait_signal(const sigset_t& set, std::chrono::milliseconds timeout) {
  timespec ts{static_cast<time_t>(timeout.count() / 1000), static_cast<long>((timeout.count() % 1000) * 1000000)};
  int sig = sigtimedwait(&set, nullptr, &ts);
  return sig > 0 ? sig : 0;
}


// This process's name in the cluster and in task statuses: worker.id, else
// the REST listener's host:port (Kafka Connect's worker id), else hostname:pid.
std::string worker_id(const JobPlan& plan, const RestService* rest) {
  if (!plan.worker.is_null("worker.id")) return plan.worker.get_string("worker.id");
  if (rest) return rest->worker_id();
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) std::snprintf(host, sizeof host, "localhost");
  return fmt::format("{}:{}", host, getpid());
}

}  // namespace

RunResult run_job(const JobPlan& plan, const RunOptions& options) {
  auto log = spdlog::default_logger();
  // group.id: one of a cluster of processes sharing the job's source tasks (docs/scaling.md).
  const bool cluster = !plan.worker.is_null("group.id");
  if (cluster && options.once) {
    log->error("run --once cannot join a cluster (group.id '{}'): the cluster's processes share the source tasks "
               "while they run. Run without --once, or remove group.id to run every task here until the end of the "
               "data", plan.worker.get_string("group.id"));
    return {RunOutcome::BadConfig};
  }
  std::string offsets_path = plan.worker.get_string("offset.storage.file.filename");
  std::unique_ptr<OffsetStore> store;
  try {
    // offset.storage.topic (validated with the Kafka bus only): Kafka Connect's offsets topic instead of the file.
    if (!plan.worker.is_null("offset.storage.topic")) store = OffsetStore::open_backed(kafka_api().make_offset_store(plan, true), offsets_path);
    else store = OffsetStore::open(offsets_path, options.wait_lock);
  } catch (const OffsetStoreLocked& e) {
    log->error("{}", e.what());
    return {RunOutcome::Locked};
  } catch (const std::exception& e) {  // OffsetStoreError, or a client key librdkafka refuses
    log->error("{}", e.what());
    return {RunOutcome::ConnectorFailed};
  }

  // Taken by the main thread with sigtimedwait: SIGINT/SIGTERM stop, SIGHUP reloads.
  const sigset_t sigs = block_signals({SIGINT, SIGTERM, SIGHUP});

  // bootstrap.servers chooses the Kafka bus; without it connectors are joined in process.
  std::unique_ptr<TopicBus> bus_owner;
  if (plan.kafka()) bus_owner = kafka_api().make_bus(plan, options.once);
  else {
    // Numbering continues where the last run stored it (bus/topic_offsets.h).
    auto in_process = std::make_unique<InProcessBus>();
    in_process->restore_offsets(store->next_offsets());
    in_process->plan_changed(plan);  // the partitions of the topics its sources create
    bus_owner = std::move(in_process);
  }
  TopicBus& bus = *bus_owner;
  auto flush_interval = std::chrono::milliseconds(plan.worker.get_long("offset.flush.interval.ms"));

  // Sinks subscribe before any source can produce, so nothing is routed past them.
  // With the REST interface (and not --once) the job runs until a signal even
  // when every connector failed or finished: they can be restarted over REST.
  std::optional<Listener> listener;
  try {
    listener = worker_listener(plan.worker);
  } catch (const std::exception& e) {
    log->error("{}", e.what());  // validation reports it first: cannot happen
    return {RunOutcome::BadConfig};
  }
  // A cluster's process runs until a signal: tasks may be given to it at any time.
  const bool keep_running = (listener && !options.once) || cluster;
  Herder herder(plan, options.once, *store, bus, keep_running);
  // The REST listener is bound before any connector starts: a taken port fails the run at once.
  std::unique_ptr<RestService> rest;
  std::unique_ptr<TaskGroup> group;  // after the Herder: left before it goes
  try {
    if (listener) {
      // The REST server is a module in the connectrun binary: loaded here, with `listeners` only.
      rest = make_rest_service(herder, bus, *listener, options.files, librdkafka_version());
      rest->bind();
    }
    // Computed in a cluster only: standalone start-up stays exactly as it was.
    const auto layout = cluster ? source_task_layout(plan) : std::vector<SourceTaskRef>{};
    if (cluster && layout.empty()) {
      log->info("group.id: the job has no source connector, so there are no tasks to share; its sinks share their "
                "connect-<name> consumer groups with the other processes");
    } else if (cluster) {
      herder.set_cluster_mode();
      group = kafka_api().make_task_group(plan, static_cast<int>(layout.size()), worker_id(plan, rest.get()));
    }
    herder.start_all();
    if (group)
      group->join({[&](const std::vector<int>& p) { herder.assign_sources(p); },
                   [&](const std::vector<int>& p) { herder.revoke_sources(p); }});
  } catch (const std::exception& e) {
    // A Kafka client that cannot be created (bad key value, say), a taken port, the REST module missing.
    log->error("{}", e.what());
    return {RunOutcome::ConnectorFailed};
  }
  if (rest) rest->start();
  std::string running = fmt::format(
      "running {} connector(s) on the {}{}", plan.connectors.size(),
      plan.kafka() ? "Kafka bus (" + plan.worker.get_string("bootstrap.servers") + ")" : std::string("in-process bus"),
      options.once ? " until the end of the data" : "");
  log->info("{}", running);
  // sd_notify, the status line and the progress lines; connectors come and go (REST, SIGHUP).
  auto progress_interval = std::chrono::milliseconds(plan.worker.get_long("progress.interval.ms"));
  RunMonitor monitor(
      options.status_line,
      [&] {
        std::vector<WorkerSample> out;
        for (auto& s : herder.snapshots()) out.push_back({s.name, s.read, s.written, s.lag, s.is_source, s.bytes, s.progress});
        return out;
      },
      progress_interval);
  monitor.started(running);

  // --watch: the same reload as SIGHUP's when a job file changes (sinks keep their open files).
  std::optional<FileWatch> watch;
  if (options.watch && !options.files.empty()) {
    try {
      watch.emplace(options.files);
      log->info("--watch: reloading when {} change(s)", fmt::join(options.files, ", "));
    } catch (const std::exception& e) {
      log->error("{}; changes are applied only on SIGHUP", e.what());
    }
  }

  auto flush_offsets = [&] { return herder.flush_offsets(); };
  // How often the main thread looks at the workers: --once exits within a
  // tick of the last delivery, so its tick is short (a cron run of a few
  // records should not spend most of its time waiting here).
  const auto tick = options.once ? 20ms : 100ms;

  auto next_flush = Clock::now() + flush_interval;
  bool signalled = false;
  // Runs until a signal, or (--once) until every source is done; also stops
  // when every connector has finished on its own (all failed, say).
  while (true) {
    monitor.tick();
    if (watch)
      if (auto file = watch->changed()) reload(herder, options, fmt::format("--watch: {} changed", *file));
    int sig = wait_signal(sigs, tick);
    if (sig == SIGHUP) {
      herder.request_reopen();  // before the reload: connectors it restarts open their files anew anyway
      reload(herder, options, "received SIGHUP; sinks reopen their files");
    } else if (sig) {
      log->info("received {}; stopping: draining in-flight records, flushing sinks, storing offsets (a second signal "
                "exits at once)", sig == SIGINT ? "SIGINT" : "SIGTERM");
      signalled = true;
      break;
    }
    if (Clock::now() >= next_flush) {
      flush_offsets();
      next_flush = Clock::now() + flush_interval;
    }
    if (options.once && herder.all_sources_finished()) break;
    if (!keep_running && herder.all_finished()) break;
  }

  monitor.stopping(signalled ? "stopping on a signal" : "stopping: the connectors are done");
  // No more REST requests (a restart now would start workers past shutdown);
  // requests in progress complete first.
  rest.reset();
  // Leaving the group stops this process's source tasks and stores their
  // offsets first, so the other processes take them over from there.
  if (group) group->leave();
  herder.stop_sources();
  // Wait for sources (they wait for their deliveries), then sinks (they end
  // once every producer closed and they drained and flushed; Kafka consumers
  // once told to stop, after the sources, so a job's own records are drained).
  bool consumers_stopped = false, sources_announced = false;
  while (!herder.all_finished()) {
    monitor.tick();
    if (!sources_announced && herder.all_sources_finished()) {
      bus.sources_finished();  // --once: Kafka sinks read up to what the job's sources delivered
      sources_announced = true;
    }
    if (!consumers_stopped && herder.all_sources_finished() && !(options.once && !signalled)) {
      bus.stop_consumers();
      consumers_stopped = true;
    }
    int sig = wait_signal(sigs, tick);
    if (sig == SIGHUP) {
      log->warn("received SIGHUP while stopping; ignored");
    } else if (sig && !signalled) {
      // --once left the first loop without a signal: this is the first one.
      log->info("received {}; stopping (a second signal exits at once)", sig == SIGINT ? "SIGINT" : "SIGTERM");
      signalled = true;
      herder.stop_sources();
      bus.stop_consumers();
      consumers_stopped = true;
    } else if (sig) {
      // Offsets on disk are the last flushed ones and the file is never torn:
      // leaving now loses nothing, records after them are read again.
      log->warn("second signal: exiting at once; records after the last stored offsets will be read again");
      std::_Exit(130);
    }
    if (Clock::now() >= next_flush) {
      flush_offsets();
      next_flush = Clock::now() + flush_interval;
    }
  }
  herder.join_all();
  bool stored = flush_offsets();
  Herder::Report report = herder.report();
  // Records left undelivered at shutdown were not stored: not "everything delivered" (exit 0).
  RunResult result;
  if (!stored || report.failed || report.undelivered) result.outcome = RunOutcome::ConnectorFailed;
  result.records_skipped = report.records_skipped;
  return result;
}

}  // namespace connectrun
