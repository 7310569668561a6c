// Runs a validated job: opens the offsets file, builds the bus, starts one
// thread per task, flushes offsets on the interval, and shuts down in order
// on SIGINT/SIGTERM (or, with --once, when every source is exhausted).
// SIGHUP reloads the configuration files; `listeners` starts the REST interface.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "runtime/job_config.h"

namespace connectrun {

// Exit codes (README "Exit codes").
inline constexpr int kExitOk = 0;
inline constexpr int kExitConnectorFailed = 1;
inline constexpr int kExitBadConfig = 2;
// --strict only: everything else went well, but records were skipped or dead-lettered (errors.tolerance=all).
inline constexpr int kExitRecordsSkipped = 3;
inline constexpr int kExitLocked = 75;  // EX_TEMPFAIL: another process holds the offsets file

struct RunOptions {
  bool once = false;
  bool strict = false;                     // exit 3 when records were skipped or dead-lettered
  std::chrono::milliseconds wait_lock{0};  // how long to wait for a locked offsets file
  bool status_line = true;  // the live status line on a terminal (off with -q)
  std::vector<std::string> files;  // the configuration files, re-read on SIGHUP (none: SIGHUP is ignored)
};

int run_job(const JobPlan& plan, const RunOptions& options);

}  // namespace connectrun
