// connectrun's exit codes (README "Exit codes"). lib/ returns results; only
// the command line turns them into these.
#pragma once

namespace connectrun::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitConnectorFailed = 1;
inline constexpr int kExitBadConfig = 2;
// --strict only: everything else went well, but records were skipped or dead-lettered (errors.tolerance=all).
inline constexpr int kExitRecordsSkipped = 3;
inline constexpr int kExitLocked = 75;  // EX_TEMPFAIL: another process holds the offsets file
inline constexpr int kExitSecondSignal = 130;  // a second SIGINT/SIGTERM: exited at once

// Every exit code with its meaning, for the man page (README's table says the same).
struct ExitCodeInfo {
  int code;
  const char* meaning;
};
inline constexpr ExitCodeInfo kExitCodes[] = {
    {kExitOk, "Everything delivered and stored."},
    {kExitConnectorFailed,
     "A connector failed (its cause is logged; the others ran on), offsets could not be stored, the offsets file is "
     "damaged, records were still undelivered when a SIGINT/SIGTERM stop ended (they are read again next time), or "
     "the REST listener's address is in use."},
    {kExitBadConfig, "Invalid configuration or usage: nothing was started."},
    {kExitRecordsSkipped,
     "Only with --strict: everything else went well, but records were skipped or dead-lettered under "
     "errors.tolerance=all."},
    {kExitLocked, "Another connectrun process holds the offsets file (after --wait-lock SECONDS, if given)."},
    {kExitSecondSignal, "A second SIGINT/SIGTERM: exited at once; the offsets file is its last complete version."},
};

}  // namespace connectrun::cli
