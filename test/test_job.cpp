#include "test_job.h"

#include <thread>

#include <catch2/catch.hpp>

#include "config/loader.h"
#include "connectors/connectors.h"

namespace testsupport {

std::unique_ptr<connectrun::PluginRegistry> test_registry(
    const std::function<void(connectrun::PluginRegistry&)>& add_test_plugins) {
  auto registry = std::make_unique<connectrun::PluginRegistry>();
  connectrun::register_core_plugins(*registry);
  connectrun::register_connectors(*registry);
  add_test_plugins(*registry);
  return registry;
}

connectrun::JobPlan plan_yaml(const std::string& yaml, const connectrun::PluginRegistry& registry) {
  connectrun::config::Problems problems;
  auto job = connectrun::config::load_yaml_text(yaml, "job.yaml", problems);
  if (problems.empty()) connectrun::config::resolve_placeholders(job, problems);
  connectrun::JobPlan plan;
  if (problems.empty()) plan = connectrun::plan_job(job, registry, problems);
  std::string all;
  for (auto& p : problems.list()) all += p.str() + "\n";
  INFO(all);
  REQUIRE(problems.empty());
  return plan;
}

connectrun::RunOutcome run_job_once(const connectrun::JobPlan& plan) {
  connectrun::RunOptions options;
  options.once = true;
  options.status_line = false;
  connectrun::RunOutcome outcome{};
  std::thread([&] { outcome = connectrun::run_job(plan, options).outcome; }).join();
  return outcome;
}

}  // namespace testsupport
