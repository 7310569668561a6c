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

}  // namespace connectrun::cli
