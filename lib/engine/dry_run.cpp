#include "engine/dry_run.h"
#include "engine/task_worker.h"

#include <atomic>
#include <ostream>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "config/spec.h"
#include "converters/json_converter.h"
#include "engine/record_pipeline.h"
#include "json/json_writer.h"
#include "kafka/kafka_api.h"
#include "offsets/offset_store.h"
#include "ops/log.h"

namespace connectrun {

using namespace std::chrono_literals;

namespace {

// A record (as the converters saw it) as one JSON object: its data as
// JsonConverter with schemas.enable=false writes it, whatever the connector's
// own converters are, so that the line stays JSON.
class RecordJson {
 public:
  RecordJson() {
    config::Problems problems;
    config::RawConfig raw{{"schemas.enable", config::RawEntry{"false", {}, {}, {}}}};
    auto cfg = config::parse(json_converter_plugin().spec, raw, "", problems);
    key_.configure(cfg, true);
    value_.configure(cfg, false);
  }

  std::string render(const std::string& connector, const Record& r, const BusRecord& b) {
    std::string out = "{\"connector\":";
    append_json_string(out, connector);
    out += ",\"topic\":";
    append_json_string(out, b.topic);
    out += ",\"partition\":";
    if (b.partition) append_integer(out, *b.partition);
    else out += "null";  // the bus would pick one
    if (r.source_partition && !r.source_partition->is_null()) {
      out += ",\"source_partition\":";
      append_schemaless_json(out, *r.source_partition);
    }
    if (!r.source_offset.is_null()) {
      out += ",\"offset\":";
      append_schemaless_json(out, r.source_offset);
    }
    out += ",\"key\":";
    append_data(out, key_, r.topic, r.key_schema, r.key);
    out += ",\"value\":";
    append_data(out, value_, r.topic, r.value_schema, r.value);
    out += ",\"headers\":[";
    for (size_t i = 0; i < r.headers.size(); ++i) {
      if (i) out += ',';
      out += "{\"key\":";
      append_json_string(out, r.headers[i].key);
      out += ",\"value\":";
      append_data(out, value_, r.topic, r.headers[i].schema, r.headers[i].value);
      out += '}';
    }
    out += "],\"timestamp\":";
    if (r.timestamp) append_integer(out, *r.timestamp);
    else out += "null";
    out += '}';
    return out;
  }

 private:
  void append_data(std::string& out, JsonConverter& conv, const std::string& topic, const SchemaPtr& schema,
                   const Value& v) {
    if (conv.from_connect_data(topic, schema, v, buf_)) out += buf_;
    else out += "null";
  }

  JsonConverter key_, value_;
  std::string buf_;
};

// Runs one source connector; returns false when it failed.
bool dry_run_source(const ConnectorPlan& c, const OffsetStore& offsets, long max_records, std::ostream& out,
                    DryRunFormat format) {
  auto log = make_logger(c.name);
  const bool json = format == DryRunFormat::Json;
  // What is not a record: a "# …" line in the text output, a log line beside JSON.
  auto note = [&](const std::string& text, bool warning = false) {
    if (!json) out << "# " << text << "\n";
    else if (warning) log->warn("{}", text);
    else log->info("{}", text);
  };
  std::optional<RecordJson> renderer;
  if (json) renderer.emplace();
  const bool tolerate = c.common.get_string("errors.tolerance") == "all";
  long pulled = 0, shown = 0, dropped = 0, skipped = 0;
  std::unique_ptr<SourceTask> task;
  bool ok = true;
  note(fmt::format("connector '{}' ({}): up to {} record(s)", c.name, c.plugin->name, max_records));
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
      note("skipped (errors.tolerance=all): " + what, true);
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
          Record seen;  // what the converters saw, for the JSON output
          auto b = pipeline.source_to_bus(std::move(r), json ? &seen : nullptr);
          if (!b) {
            ++dropped;
            note("dropped by a transform");
            continue;
          }
          ++shown;
          out << (json ? renderer->render(c.name, seen, *b) : describe_bus_record(*b)) << "\n";
        } catch (const StageError& e) {
          std::string what = fmt::format("{} '{}' failed: {}", e.stage(), e.plugin(), e.what());
          if (!tolerate) throw ConnectError(what + " (errors.tolerance=none: the connector would fail here)");
          ++skipped;
          note("skipped (errors.tolerance=all): " + what, true);
        }
      }
      if (status == PollStatus::Exhausted) break;
    }
  } catch (const std::exception& e) {
    log->error("dry run failed: {}", e.what());
    ok = false;
  }
  if (task) task->stop();
  note(fmt::format("connector '{}': {} pulled, {} shown, {} dropped by transforms, {} skipped{}", c.name, pulled, shown,
                   dropped, skipped, ok ? "" : " — FAILED"),
       !ok);
  return ok;
}

}  // namespace

bool run_dry_run(const JobPlan& plan, long max_records, std::ostream& out, DryRunFormat format) {
  std::string path = plan.worker.get_string("offset.storage.file.filename");
  std::unique_ptr<OffsetStore> offsets;
  try {
    // Resumes where the last run stopped; never written. The offsets topic is read, not created.
    if (!plan.worker.is_null("offset.storage.topic")) offsets = OffsetStore::open_backed(kafka_api().make_offset_store(plan, false), path);
    else offsets = OffsetStore::read_only(path);
  } catch (const std::exception& e) {  // OffsetStoreError, or a client key librdkafka refuses
    spdlog::error("{}", e.what());
    return false;
  }
  bool ok = true;
  bool any = false;
  for (auto& c : plan.connectors) {
    if (!c.is_source) continue;
    any = true;
    if (!dry_run_source(c, *offsets, max_records, out, format)) ok = false;
    out.flush();
  }
  if (!any) spdlog::warn("the job has no source connector: nothing to show (sink connectors are not started by --dry-run)");
  spdlog::info("dry run: no offsets stored, no sink started");
  return ok;
}

}  // namespace connectrun
