#include "engine/dry_run.h"
#include "engine/task_worker.h"

#include <atomic>
#include <ostream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "ops/log.h"
#include "offsets/offset_store.h"
#include "engine/record_pipeline.h"

namespace connectrun {

using namespace std::chrono_literals;

namespace {

// Runs one source connector; returns false when it failed.
bool dry_run_source(const ConnectorPlan& c, const OffsetStore& offsets, long max_records, std::ostream& out) {
  auto log = make_logger(c.name);
  const bool tolerate = c.common.get_string("errors.tolerance") == "all";
  long pulled = 0, shown = 0, dropped = 0, skipped = 0;
  std::unique_ptr<SourceTask> task;
  bool ok = true;
  out << fmt::format("# connector '{}' ({}): up to {} record(s)\n", c.name, c.plugin->name, max_records);
  try {
    RecordPipeline pipeline(c);
    task = c.plugin->make_source();
    task->configure(c.plugin_cfg);
    std::atomic<bool> stopping{false};
    std::atomic<uint64_t> reopen{0};
    SourceTaskContext ctx;
    init_task_context(ctx, c.name, /*stop_at_end_of_data=*/true, log, stopping, reopen, c.common);  // stop at the end of what is there now
    ctx.offset_for = [&](const Value& partition) { return offsets.get(c.name, partition); };
    ctx.on_error = [&](const std::string& position, const std::exception& e) {
      std::string what = fmt::format("TASK_POLL '{}' failed at {}: {}", c.plugin->name, position, e.what());
      if (!tolerate) throw ConnectError(what + " (errors.tolerance=none: the connector would fail here)");
      ++skipped;
      out << "# skipped (errors.tolerance=all): " << what << "\n";
    };
    task->start(ctx);
    std::vector<Record> batch;
    while (pulled < max_records) {
      batch.clear();
      PollStatus status = task->poll(batch, 200ms);
      for (auto& r : batch) {
        if (r.offset_only) continue;  // input the task skipped: already said above
        if (pulled >= max_records) break;
        ++pulled;
        try {
          auto b = pipeline.source_to_bus(std::move(r));
          if (!b) {
            ++dropped;
            out << "# dropped by a transform\n";
            continue;
          }
          ++shown;
          out << describe_bus_record(*b) << "\n";
        } catch (const StageError& e) {
          std::string what = fmt::format("{} '{}' failed: {}", e.stage(), e.plugin(), e.what());
          if (!tolerate) throw ConnectError(what + " (errors.tolerance=none: the connector would fail here)");
          ++skipped;
          out << "# skipped (errors.tolerance=all): " << what << "\n";
        }
      }
      if (status == PollStatus::Exhausted) break;
    }
  } catch (const std::exception& e) {
    log->error("dry run failed: {}", e.what());
    ok = false;
  }
  if (task) task->stop();
  out << fmt::format("# connector '{}': {} pulled, {} shown, {} dropped by transforms, {} skipped{}\n", c.name, pulled,
                     shown, dropped, skipped, ok ? "" : " — FAILED");
  return ok;
}

}  // namespace

bool run_dry_run(const JobPlan& plan, long max_records, std::ostream& out) {
  std::string path = plan.worker.get_string("offset.storage.file.filename");
  std::unique_ptr<OffsetStore> offsets;
  try {
    offsets = OffsetStore::read_only(path);  // resumes where the last run stopped; never written
  } catch (const OffsetStoreError& e) {
    spdlog::error("{}", e.what());
    return false;
  }
  bool ok = true;
  bool any = false;
  for (auto& c : plan.connectors) {
    if (!c.is_source) continue;
    any = true;
    if (!dry_run_source(c, *offsets, max_records, out)) ok = false;
    out.flush();
  }
  if (!any) spdlog::warn("the job has no source connector: nothing to show (sink connectors are not started by --dry-run)");
  spdlog::info("dry run: no offsets stored, no sink started");
  return ok;
}

}  // namespace connectrun
