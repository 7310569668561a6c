#include "plan/plan_loader.h"

#include <yaml-cpp/yaml.h>

#include "config/loader.h"
#include "plugin/registry.h"

namespace connectrun {

namespace {
// The steps after reading, shared by job files and inline jobs.
LoadedPlan plan_loaded(config::RawJob job, const PluginRegistry& registry, config::Problems& problems) {
  if (problems.empty()) config::resolve_placeholders(job, problems);
  LoadedPlan out;
  JobPlan plan;
  if (problems.empty()) plan = plan_job(job, registry, problems);
  for (auto& p : problems.list()) out.problems.push_back(p.str());
  if (problems.empty()) out.plan = std::move(plan);
  return out;
}
}  // namespace

LoadedPlan load_plan(const std::vector<std::string>& files, const PluginRegistry& registry) {
  config::Problems problems;
  config::RawJob job = config::load_job(files, problems);
  return plan_loaded(std::move(job), registry, problems);
}

LoadedPlan load_inline_plan(const YAML::Node& job_node, const std::string& file_name, const PluginRegistry& registry) {
  config::Problems problems;
  auto m = job_node.Mark();
  config::Location whole{file_name, m.line + 1, m.column + 1};
  config::RawJob job = config::load_yaml_node(job_node, file_name, whole, problems);
  return plan_loaded(std::move(job), registry, problems);
}

}  // namespace connectrun
