// Fuzz target: java.util.Properties text through load_properties_text, then
// as a worker file plus the same text as one connector file through plan_job.
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
  config::RawConfig entries = config::load_properties_text(text, "fuzz.properties", problems);
  if (!problems.empty()) return 0;
  config::RawJob job;
  job.worker.entries = entries;
  job.worker.loc = config::Location{"worker.properties"};
  job.connectors.push_back(config::RawSection{entries, config::Location{"fuzz.properties"}});
  JobPlan plan = plan_job(job, builtin_plugins(), problems);
  if (problems.empty()) (void)describe_effective(plan);
  return 0;
}
