// `connectrun run --dry-run`: pulls up to N records through each source
// connector, its transforms and converters, and prints them as they would be
// written to the bus. Offsets are read (so it shows what the next run would
// send) but never stored, no lock is taken, and no sink starts.
#pragma once

#include <iosfwd>

#include "runtime/job_config.h"

namespace connectrun {

// Returns an exit code: 0, or 1 when a source could not start or a record
// failed under errors.tolerance=none.
int run_dry_run(const JobPlan& plan, long max_records, std::ostream& out);

}  // namespace connectrun
