// Loading and validating a job's configuration files, for `run`, `validate`
// and the engine's SIGHUP reload.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "plan/job_config.h"

namespace YAML { class Node; }

namespace connectrun {

struct LoadedPlan {
  std::optional<JobPlan> plan;      // nullopt when any problem was found
  std::vector<std::string> problems;  // "file:line: connector 'x': key: message", one per problem
  std::vector<config::Problem> details;  // the same problems, field by field (`validate --json`)
};

// Reads the files, resolves ${...} placeholders and validates against the
// plugins of `registry` (which must outlive the plan).
LoadedPlan load_plan(const std::vector<std::string>& files, const PluginRegistry& registry);

// The same for a job written inside another YAML file (a test file's inline
// `job:`): problems point into `file_name` at the node's lines.
LoadedPlan load_inline_plan(const YAML::Node& job, const std::string& file_name, const PluginRegistry& registry);

}  // namespace connectrun
