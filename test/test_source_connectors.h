// A test source connector whose commit_record and commit calls are recorded,
// and a sink that fails on a chosen value: for the engine's source-side task
// API (SourceTask::commit_record, commit). Each test builds its own registry.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "plan/job_config.h"
#include "plugin/registry.h"

namespace testsource {

// Shared by a test and the CountingSource task it configures. Values are
// strings; nullopt stands for a tombstone (null value).
struct SourceScript {
  std::mutex mu;
  std::condition_variable cv;
  // What the task returns, one record per poll; with `end` it is then
  // exhausted when the engine stops at the end of the data.
  std::deque<std::optional<std::string>> to_emit;
  bool end = false;
  // The next record is not polled before the previous one was committed.
  bool lockstep = false;

  struct Committed {
    std::string value;  // "<null>" for a tombstone
    bool has_metadata = false;
    std::string topic;  // the metadata's
    int32_t partition = -1;
    int64_t offset = -1;
  };
  std::vector<std::string> polled;     // values in poll order
  std::vector<Committed> committed;    // commit_record calls, in call order
  int commits = 0;                     // commit() calls
  std::vector<std::string> events;     // "poll a", "commit_record a", "commit", "stop": the task's calls in order
  std::function<void()> on_commit;     // run inside commit() (under no lock)

  void emit(std::optional<std::string> value);
  // Waits (up to a minute, then false) until `done` holds, under the lock.
  bool wait_for(const std::function<bool()>& done);
  std::vector<std::string> committed_values();
};

// "CountingSource": records {"n": i} at partition {"source": "counting"} to the
// key `topic`, value schema optional string.
connectrun::PluginInfo counting_source_plugin(std::shared_ptr<SourceScript> script);

// "FailingSink": put throws a (not retriable) ConnectError for a batch holding
// the value `fail.on`; records the values it flushed.
struct SinkScript {
  std::mutex mu;
  std::vector<std::string> flushed;
};
connectrun::PluginInfo failing_sink_plugin(std::shared_ptr<SinkScript> script);

// The core plugins and the connector families, with these two added (test_job.h).
std::unique_ptr<connectrun::PluginRegistry> test_registry(std::shared_ptr<SourceScript> source,
                                                          std::shared_ptr<SinkScript> sink = nullptr);

}  // namespace testsource
