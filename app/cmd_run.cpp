// `connectrun run FILES…` (and `run --dry-run`): runs the job; its result
// becomes the exit code here.
#include <iostream>

#include "commands.h"
#include "engine/dry_run.h"
#include "engine/engine.h"
#include "exit_codes.h"

namespace connectrun::cli {

void RunCommand::add(CLI::App& app) {
  cmd = app.add_subcommand("run", "Run every connector of the job until SIGINT/SIGTERM (or, with --once, until "
                                  "every source is exhausted and everything read is written and stored).");
  cmd->add_option("files", files, "job.yaml, or worker.properties followed by connector .properties/.json files")
      ->required();
  cmd->add_flag("--once", once, "Exit 0 once every source is exhausted for now and all it read was written and its "
                                "offsets stored (for cron).");
  cmd->add_flag("--strict", strict, "Exit 3 instead of 0 when records were skipped or dead-lettered under "
                                    "errors.tolerance=all.");
  cmd->add_option("--wait-lock", wait_lock, "When another process holds the offsets file, wait up to SECONDS for it "
                                            "instead of exiting 75 at once.")
      ->check(CLI::Range(0.0, 86400.0 * 7));
  cmd->add_flag("--watch", watch, "Re-read the job files whenever they change (inotify on their directories; an "
                                  "editor's write-and-rename is seen), exactly as on SIGHUP: changed connectors are "
                                  "restarted, added ones started, removed ones stopped; an invalid file is logged and "
                                  "the running configuration kept.")
      ->excludes("--once");
  auto* dry = cmd->add_flag("--dry-run", dry_run, "Pull records through each source connector, its transforms and "
                                                  "converters and print them as they would be written; store no "
                                                  "offsets, start no sink.");
  cmd->add_option("--max-records", max_records, "With --dry-run: records to pull per source connector (default 10).")
      ->check(CLI::Range(1L, 1000000000L))
      ->needs(dry);
  cmd->add_option("--format", format, "With --dry-run: text (default) or json (one JSON object per record and line, "
                                      "for jq; everything else on stderr).")
      ->check(CLI::IsMember({"text", "json"}))
      ->needs(dry);
  cmd->footer("Exit codes: 0 everything read was delivered (records skipped or dead-lettered under "
              "errors.tolerance=all included, unless --strict); 1 a connector failed; 2 invalid configuration or "
              "usage; 3 (only with --strict) everything else went well but records were skipped or dead-lettered; "
              "75 the offsets file is in use by another process (after --wait-lock SECONDS, if given). At the end, "
              "one line per connector: records read, written, skipped, dead-lettered, and seconds.");
}

int RunCommand::run(bool status_line) {
  auto plan = load_and_report(files);
  if (!plan) return kExitBadConfig;
  if (dry_run) {
    auto shape = format == "json" ? DryRunFormat::Json : DryRunFormat::Text;
    return run_dry_run(*plan, max_records, std::cout, shape) ? kExitOk : kExitConnectorFailed;
  }
  RunOptions options;
  options.once = once;
  options.wait_lock = std::chrono::milliseconds(static_cast<long>(wait_lock * 1000));
  options.status_line = status_line;
  options.files = files;  // re-read on SIGHUP (and with --watch when they change)
  options.strict_config = strict_config_given();
  options.watch = watch;
  RunResult result = run_job(*plan, options);
  switch (result.outcome) {
    case RunOutcome::Ok: return result.records_skipped && strict ? kExitRecordsSkipped : kExitOk;
    case RunOutcome::ConnectorFailed: return kExitConnectorFailed;
    case RunOutcome::BadConfig: return kExitBadConfig;
    case RunOutcome::Locked: return kExitLocked;
  }
  return kExitConnectorFailed;
}

}  // namespace connectrun::cli
