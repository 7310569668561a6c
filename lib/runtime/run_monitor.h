// What the engine shows of a running job outside its logs: the systemd
// notifications (lib/runtime/systemd_notify.h) and, on a terminal, a live
// status line with each connector's records/s in and out. The engine calls
// tick() from its main loop (every ~100 ms); the status is redrawn every second.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "runtime/systemd_notify.h"

namespace connectrun {

class TaskWorker;

class RunMonitor {
 public:
  using Clock = std::chrono::steady_clock;
  // `status_line`: draw the live line when stderr is a terminal (false with -q).
  RunMonitor(bool status_line, std::vector<const TaskWorker*> workers);
  ~RunMonitor();  // erases the status line
  RunMonitor(const RunMonitor&) = delete;
  RunMonitor& operator=(const RunMonitor&) = delete;

  // Every connector runs: READY=1, and the first status line at once.
  void started(const std::string& description);
  void tick();
  // Shutdown began: STOPPING=1.
  void stopping(const std::string& why);

  // "src in 1.2k/s out 1.2k/s | snk in 1.2k/s out 1.2k/s" from two samples.
  static std::string render(const std::vector<std::string>& names, const std::vector<uint64_t>& read_before,
                            const std::vector<uint64_t>& read_now, const std::vector<uint64_t>& written_before,
                            const std::vector<uint64_t>& written_now, double seconds);

 private:
  void refresh(Clock::time_point now);

  SystemdNotifier notifier_;
  bool draw_;
  bool stopping_ = false;
  std::vector<const TaskWorker*> workers_;
  std::vector<std::string> names_;
  std::vector<uint64_t> read_, written_;
  Clock::time_point last_sample_{}, next_refresh_{};
};

}  // namespace connectrun
