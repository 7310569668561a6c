// PrecommitTestSink: a sink task for the pre_commit and errant-reporter tests.
// It keeps what it was given in a PrecommitSinkState the test holds, and
//   hold:    a value: from the first record with it on, pre_commit returns
//            its partition's position no further than that record;
//   release: a value that ends the hold;
//   report:  a value: such records go to SinkTaskContext::report instead.
// run_precommit_job plans a YAML job against the built-in plugins plus this
// sink and runs it in this process with --once.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "engine/engine.h"
#include "plan/job_config.h"
#include "plugin/registry.h"

namespace testsupport {

struct PrecommitSinkState {
  std::mutex mu;
  std::map<std::string, std::vector<connectrun::Record>> put;           // by connector, in order
  std::map<std::string, connectrun::TopicPartitionOffsets> returned;    // the last pre_commit result, by connector
  std::vector<std::string> values(const std::string& connector);        // the string values put
};

connectrun::PluginInfo precommit_test_sink_plugin(std::shared_ptr<PrecommitSinkState> state);

// The registry the job is planned against, and the plan (kept together: the plan points into the registry).
struct PrecommitJob {
  std::unique_ptr<connectrun::PluginRegistry> registry;  // lives as long as the plan
  connectrun::JobPlan plan;
};
// Plans `yaml` with PrecommitTestSink registered (REQUIREs that it is valid; test_job.h).
std::unique_ptr<PrecommitJob> plan_precommit_job(const std::string& yaml, std::shared_ptr<PrecommitSinkState> state);

// A header's value as schemaless JSON ("\"lines\"", "0"), or "" when the record has no such header.
std::string header_json(const connectrun::Record& r, const std::string& name);

}  // namespace testsupport
