// Loading and validating a job's configuration files, for `run`, `validate`
// and the engine's SIGHUP reload.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "runtime/job_config.h"

namespace connectrun {

struct LoadedPlan {
  std::optional<JobPlan> plan;      // nullopt when any problem was found
  std::vector<std::string> problems;  // "file:line: connector 'x': key: message", one per problem
};

// Reads the files, resolves ${...} placeholders and validates against the built-in plugins.
LoadedPlan load_plan(const std::vector<std::string>& files);

}  // namespace connectrun
