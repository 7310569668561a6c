// Fuzz target: a YAML job file through the loader and the whole validation
// (plan_job with the built-in registry), as `connectrun validate` does, minus
// the placeholders (they read the environment and files). Problems are
// expected; crashes, sanitizer reports and escaping exceptions are not.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "connectors/connectors.h"
#include "config/loader.h"
#include "plugin/registry.h"
#include "plan/job_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace connectrun;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  config::Problems problems;
  config::RawJob job = config::load_yaml_text(text, "fuzz.yaml", problems);
  if (!problems.empty()) return 0;
  JobPlan plan = plan_job(job, builtin_plugins(), problems);
  if (problems.empty()) (void)describe_effective(plan);
  return 0;
}
