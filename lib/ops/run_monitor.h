// What the engine shows of a running job outside its logs: the systemd
// notifications (lib/ops/systemd_notify.h) and, on a terminal, a live
// status line with each connector's records/s in and out and its totals; where
// no status line can be drawn (stderr not a terminal, or JSON logs), a progress
// line per connector every progress.interval.ms, so a cron log shows the run
// is alive. The engine calls tick() from its main loop (every ~100 ms); the
// status is redrawn every second.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "ops/systemd_notify.h"

namespace spdlog { class logger; }

namespace connectrun {

// One connector's end-of-run figures (its tasks summed; its time is its
// longest task's).
struct ConnectorSummary {
  std::string connector;
  uint64_t read = 0, written = 0, skipped = 0, dead_lettered = 0, undelivered = 0;
  double seconds = 0;
  size_t tasks = 1;
  std::optional<std::string> failure;
};
// Logs the summary line ("connector 'src': 10 read, 10 written, …") through
// `log`: at ERROR when the connector failed, WARN when records were left
// undelivered, INFO otherwise; in JSON lines its figures are fields of their own
// (event "summary", connector, read, written, skipped, dead_lettered,
// undelivered, seconds, tasks, status "OK"/"UNDELIVERED"/"FAILED", failure).
void log_summary(spdlog::logger& log, const ConnectorSummary& s);

// One task's counters (TaskStats) at one moment.
struct WorkerSample {
  std::string name;
  uint64_t read = 0, written = 0;
  std::optional<int64_t> lag;  // a sink's records waiting on the bus, when known
  bool is_source = true;
  uint64_t bytes = 0;               // record bytes sent to (source) / taken from (sink) the bus
  std::optional<double> progress;   // a source's fraction of its input read (SourceTask::progress), when known
};

class RunMonitor {
 public:
  using Clock = std::chrono::steady_clock;
  // Samples every running task, called on the engine's thread at each redraw.
  // Tasks may come and go between calls (matched by name).
  using Sampler = std::function<std::vector<WorkerSample>()>;
  // `status_line`: draw the live line when stderr is a terminal (false with -q).
  // `progress_interval`: how often each connector logs a progress line when
  // no status line can be drawn (0: never).
  RunMonitor(bool status_line, Sampler sample, std::chrono::milliseconds progress_interval = {});
  ~RunMonitor();  // erases the status line
  RunMonitor(const RunMonitor&) = delete;
  RunMonitor& operator=(const RunMonitor&) = delete;

  // Every connector runs: READY=1, and the first status line at once.
  void started(const std::string& description);
  void tick();
  // Shutdown began: STOPPING=1.
  void stopping(const std::string& why);

  // "src in 1.2k/s out 1.2k/s | snk in 1.2k/s out 1.2k/s lag 340" from two samples
  // `seconds` apart, summing the tasks of each connector; a connector missing
  // from `before` (or restarted) counts from 0. Lag is shown where known.
  // Each connector's totals follow its rates: " total 12k (3.4 MB)" (records
  // read by a source / written by a sink, and their bytes on the bus).
  static std::string render(const std::vector<WorkerSample>& before, const std::vector<WorkerSample>& now,
                            double seconds);
  // One connector's progress line: "progress: 12000 records (+2000), 1.2 MB,
  // 200/s over 10.0 s, 45% read" (the percent when the source knows it).
  static std::string progress_text(const WorkerSample& before, const WorkerSample& now, double seconds);

 private:
  void refresh(Clock::time_point now);
  void log_progress(Clock::time_point now);

  SystemdNotifier notifier_;
  bool draw_;
  bool stopping_ = false;
  Sampler sample_;
  std::vector<WorkerSample> last_;
  Clock::time_point last_sample_{}, next_refresh_{};
  std::chrono::milliseconds progress_interval_{0};  // 0: no progress lines
  std::vector<WorkerSample> progress_last_;          // per connector, at the last progress lines
  std::vector<std::string> idle_;                    // connectors whose last progress line said "+0"
  Clock::time_point progress_at_{}, next_progress_{};
};

}  // namespace connectrun
