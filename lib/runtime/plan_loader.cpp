#include "runtime/plan_loader.h"

#include "config/loader.h"
#include "plugin/registry.h"

namespace connectrun {

LoadedPlan load_plan(const std::vector<std::string>& files) {
  config::Problems problems;
  config::RawJob job = config::load_job(files, problems);
  if (problems.empty()) config::resolve_placeholders(job, problems);
  LoadedPlan out;
  JobPlan plan;
  if (problems.empty()) plan = plan_job(job, builtin_plugins(), problems);
  for (auto& p : problems.list()) out.problems.push_back(p.str());
  if (problems.empty()) out.plan = std::move(plan);
  return out;
}

}  // namespace connectrun
