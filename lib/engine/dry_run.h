// `connectrun run --dry-run`: pulls up to N records through each source
// connector, its transforms and converters, and prints them as they would be
// written to the bus. Offsets are read (so it shows what the next run would
// send) but never stored, no lock is taken, and no sink starts.
#pragma once

#include <iosfwd>

#include "plan/job_config.h"

namespace connectrun {

// Text: the records as `describe_bus_record` shows them, with "# …" lines about
// each connector. Json: one JSON object per record and line (JSON Lines), its
// key, value and headers as JsonConverter with schemas.enable=false writes
// them; nothing else on `out` (the rest is logged), so it can be piped to jq.
enum class DryRunFormat { Text, Json };

// True when every source ran; false when one could not start or a record
// failed under errors.tolerance=none (each logged).
bool run_dry_run(const JobPlan& plan, long max_records, std::ostream& out, DryRunFormat format = DryRunFormat::Text);

}  // namespace connectrun
