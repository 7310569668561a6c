// What the engine shows of a running job outside its logs: the systemd
// notifications (lib/ops/systemd_notify.h) and, on a terminal, a live
// status line with each connector's records/s in and out. The engine calls
// tick() from its main loop (every ~100 ms); the status is redrawn every second.
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
};

class RunMonitor {
 public:
  using Clock = std::chrono::steady_clock;
  // Samples every running task, called on the engine's thread at each redraw.
  // Tasks may come and go between calls (matched by name).
  using Sampler = std::function<std::vector<WorkerSample>()>;
  // `status_line`: draw the live line when stderr is a terminal (false with -q).
  RunMonitor(bool status_line, Sampler sample);
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
  static std::string render(const std::vector<WorkerSample>& before, const std::vector<WorkerSample>& now,
                            double seconds);

 private:
  void refresh(Clock::time_point now);

  SystemdNotifier notifier_;
  bool draw_;
  bool stopping_ = false;
  Sampler sample_;
  std::vector<WorkerSample> last_;
  Clock::time_point last_sample_{}, next_refresh_{};
};

}  // namespace connectrun
