// Runs a validated job: opens the offsets file, builds the bus, starts one
// thread per task, flushes offsets on the interval, and shuts down in order
// on SIGINT/SIGTERM (or, with --once, when every source is exhausted).
// SIGHUP reloads the configuration files (and, with --watch, so does a change
// to them); `listeners` starts the REST interface.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "plan/job_config.h"

namespace connectrun {

struct RunOptions {
  bool once = false;  // stop at the end of the data: every source exhausted, all it read delivered
  std::chrono::milliseconds wait_lock{0};  // how long to wait for a locked offsets file
  bool status_line = true;  // the live status line on a terminal (off with -q)
  std::vector<std::string> files;  // the configuration files, re-read on SIGHUP (none: SIGHUP is ignored)
  bool strict_config = false;  // --strict-config: a SIGHUP reload refuses a configuration with config_warnings too
  bool watch = false;  // --watch: re-read `files` when they change, as on SIGHUP
};

// How a run ended; the command line turns it into an exit code.
enum class RunOutcome {
  Ok,               // everything read was delivered and its offsets stored
  ConnectorFailed,  // a connector failed, records were left undelivered, or offsets could not be stored
  BadConfig,        // the plan could not be started as configured
  Locked,           // another process holds the offsets file
};
struct RunResult {
  RunOutcome outcome = RunOutcome::Ok;
  bool records_skipped = false;  // records skipped or dead-lettered under errors.tolerance=all
};

RunResult run_job(const JobPlan& plan, const RunOptions& options);

}  // namespace connectrun
