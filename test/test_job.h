// Jobs planned and run in the test process, against lib/'s plugins, the
// built-in connector families and a test's own plugins (the task API tests:
// test_source_task_test, test_sink_tasks_test, test_precommit_tests).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "engine/engine.h"
#include "plan/job_config.h"
#include "plugin/registry.h"

namespace testsupport {

// lib/'s plugins and the connector families, plus what `add_test_plugins` adds.
std::unique_ptr<connectrun::PluginRegistry> test_registry(
    const std::function<void(connectrun::PluginRegistry&)>& add_test_plugins);

// Loads `yaml` (placeholders resolved) and plans it against `registry`, which
// must outlive the plan; REQUIREs that it is valid, showing the problems.
connectrun::JobPlan plan_yaml(const std::string& yaml, const connectrun::PluginRegistry& registry);

// Runs `plan` to the end of the data (as `run --once`), with no status line,
// on a thread of its own: run_job blocks SIGINT/SIGTERM/SIGHUP in the thread
// that runs it, which must not be the test's (the children it starts inherit
// its mask).
connectrun::RunOutcome run_job_once(const connectrun::JobPlan& plan);

}  // namespace testsupport
