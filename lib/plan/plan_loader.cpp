#include "plan/plan_loader.h"

#include <algorithm>
#include <set>
#include <tuple>

#include <yaml-cpp/yaml.h>

#include "config/loader.h"
#include "plugin/registry.h"

namespace connectrun {

namespace {
// The steps after reading, shared by job files and inline jobs. A problem in
// the files' structure (a misspelt `connectors:`, a duplicate name) does not
// hide the others: whatever was read is still validated, unless nothing
// could be read. Problems come in file order, then line order.
LoadedPlan plan_loaded(config::RawJob job, const PluginRegistry& registry, config::Problems& problems) {
  LoadedPlan out;
  JobPlan plan;
  if (job.plannable) {
    config::resolve_placeholders(job, problems);
    plan = plan_job(job, registry, problems);
  }
  std::vector<config::Problem> sorted = problems.list();
  auto file_rank = [&](const std::string& f) {
    auto it = std::find(job.files.begin(), job.files.end(), f);
    return it == job.files.end() ? job.files.size() : static_cast<size_t>(it - job.files.begin());
  };
  std::stable_sort(sorted.begin(), sorted.end(), [&](const config::Problem& a, const config::Problem& b) {
    return std::tuple(file_rank(a.loc.file), a.loc.line, a.loc.column) <
           std::tuple(file_rank(b.loc.file), b.loc.line, b.loc.column);
  });
  // One problem per place and text: a key checked by two steps is reported once.
  std::set<std::string> seen;
  for (auto& p : sorted) {
    std::string text = p.str();
    if (!seen.insert(text).second) continue;
    out.problems.push_back(std::move(text));
    out.details.push_back(p);
  }
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
