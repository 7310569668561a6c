#include "runtime/engine.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "runtime/in_process_bus.h"
#include "runtime/kafka_bus.h"
#include "runtime/offset_store.h"
#include "runtime/run_monitor.h"
#include "runtime/task_worker.h"

namespace connectrun {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

namespace {

// SIGINT/SIGTERM are blocked in every thread and taken by the main thread
// with sigtimedwait, so no handler runs in an arbitrary thread.
sigset_t shutdown_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

// Waits up to `timeout` for a shutdown signal; returns it or 0.
int wait_signal(const sigset_t& set, std::chrono::milliseconds timeout) {
  timespec ts{static_cast<time_t>(timeout.count() / 1000), static_cast<long>((timeout.count() % 1000) * 1000000)};
  int sig = sigtimedwait(&set, nullptr, &ts);
  return sig > 0 ? sig : 0;
}

template <class W>
bool all_finished(const std::vector<std::unique_ptr<W>>& ws) {
  return std::all_of(ws.begin(), ws.end(), [](auto& w) { return w->finished(); });
}

}  // namespace

int run_job(const JobPlan& plan, const RunOptions& options) {
  auto log = spdlog::default_logger();
  std::string offsets_path = plan.worker.get_string("offset.storage.file.filename");
  std::unique_ptr<OffsetStore> store;
  try {
    store = OffsetStore::open(offsets_path, options.wait_lock);
  } catch (const OffsetStoreLocked& e) {
    log->error("{}", e.what());
    return kExitLocked;
  } catch (const OffsetStoreError& e) {
    log->error("{}", e.what());
    return kExitConnectorFailed;
  }

  sigset_t sigs = shutdown_signals();
  pthread_sigmask(SIG_BLOCK, &sigs, nullptr);

  // bootstrap.servers chooses the Kafka bus; without it connectors are joined in process.
  std::unique_ptr<TopicBus> bus_owner;
  if (plan.kafka()) bus_owner = std::make_unique<KafkaBus>(plan, options.once);
  else bus_owner = std::make_unique<InProcessBus>();
  TopicBus& bus = *bus_owner;
  auto flush_interval = std::chrono::milliseconds(plan.worker.get_long("offset.flush.interval.ms"));
  auto flush_timeout = std::chrono::milliseconds(plan.worker.get_long("offset.flush.timeout.ms"));

  // Sinks subscribe before any source can produce, so nothing is routed past them.
  std::vector<std::unique_ptr<SinkWorker>> sinks;
  std::vector<std::unique_ptr<SourceWorker>> sources;
  try {
    for (auto& c : plan.connectors)
      if (!c.is_source) sinks.push_back(std::make_unique<SinkWorker>(c, options.once, bus));
    for (auto& c : plan.connectors)
      if (c.is_source) sources.push_back(std::make_unique<SourceWorker>(c, options.once, *store, bus, flush_timeout));
  } catch (const std::exception& e) {
    log->error("{}", e.what());  // a Kafka client that cannot be created (bad key value, say)
    return kExitConnectorFailed;
  }
  for (auto& s : sinks) s->start();
  for (auto& s : sources) s->start();
  std::string running = fmt::format(
      "running {} connector(s) on the {}{}", plan.connectors.size(),
      plan.kafka() ? "Kafka bus (" + plan.worker.get_string("bootstrap.servers") + ")" : std::string("in-process bus"),
      options.once ? " (--once)" : "");
  log->info("{}", running);
  RunMonitor monitor(options.status_line, [&] {  // sd_notify and the status line
    std::vector<WorkerSample> out;
    for (auto& s : sources) out.push_back({s->name(), s->stats().read.load(), s->stats().written.load()});
    for (auto& s : sinks) out.push_back({s->name(), s->stats().read.load(), s->stats().written.load()});
    return out;
  });
  monitor.started(running);

  auto flush_offsets = [&] {
    if (auto err = store->flush()) {
      log->error("cannot store offsets in {}: {}; the previous file is intact and the write is retried", offsets_path, *err);
      return false;
    }
    return true;
  };

  auto next_flush = Clock::now() + flush_interval;
  bool signalled = false;
  // Runs until a signal, or (--once) until every source is done; also stops
  // when every connector has finished on its own (all failed, say).
  while (true) {
    monitor.tick();
    if (int sig = wait_signal(sigs, 100ms)) {
      log->info("received {}; stopping: draining in-flight records, flushing sinks, storing offsets (a second signal "
                "exits at once)", sig == SIGINT ? "SIGINT" : "SIGTERM");
      signalled = true;
      break;
    }
    if (Clock::now() >= next_flush) {
      flush_offsets();
      next_flush = Clock::now() + flush_interval;
    }
    if (options.once && all_finished(sources)) break;
    if (all_finished(sources) && all_finished(sinks)) break;
  }

  monitor.stopping(signalled ? "stopping on a signal" : "stopping: the connectors are done");
  for (auto& s : sources) s->request_stop();
  // Wait for sources (they wait for their deliveries), then sinks (they end
  // once every producer closed and they drained and flushed; Kafka consumers
  // once told to stop, after the sources, so a job's own records are drained).
  bool consumers_stopped = false;
  while (!(all_finished(sources) && all_finished(sinks))) {
    monitor.tick();
    if (!consumers_stopped && all_finished(sources) && !(options.once && !signalled)) {
      bus.stop_consumers();
      consumers_stopped = true;
    }
    if (int sig = wait_signal(sigs, 100ms); sig && !signalled) {
      // --once left the first loop without a signal: this is the first one.
      log->info("received {}; stopping (a second signal exits at once)", sig == SIGINT ? "SIGINT" : "SIGTERM");
      signalled = true;
      for (auto& s : sources) s->request_stop();
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
  for (auto& s : sources) s->join();
  for (auto& s : sinks) s->join();
  bool stored = flush_offsets();

  int code = stored ? kExitOk : kExitConnectorFailed;
  bool lost_records = false;
  // One summary line per connector (for cron mail). A failed record is either
  // dead-lettered or skipped; "skipped" counts those not dead-lettered.
  auto report = [&](const TaskWorker& w) {
    auto failure = w.failure();
    uint64_t dead = w.stats().dead_lettered.load();
    uint64_t skipped = w.skipped() > dead ? w.skipped() - dead : 0;
    log->info("connector '{}': {} read, {} written, {} skipped, {} dead-lettered, {:.2f} s{}", w.name(),
              w.stats().read.load(), w.stats().written.load(), skipped, dead, w.seconds(),
              failure ? " — FAILED: " + *failure : "");
    if (failure) code = kExitConnectorFailed;
    if (skipped + dead > 0) lost_records = true;
  };
  for (auto& s : sources) report(*s);
  for (auto& s : sinks) report(*s);
  if (code == kExitOk && lost_records && options.strict) code = kExitRecordsSkipped;
  return code;
}

}  // namespace connectrun
