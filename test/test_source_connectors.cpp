#include "test_source_connectors.h"

#include <catch2/catch.hpp>

#include "test_job.h"

#include "config/loader.h"
#include "connectors/connectors.h"

using namespace connectrun;
using namespace std::chrono_literals;

namespace testsource {

void SourceScript::emit(std::optional<std::string> value) {
  std::lock_guard lock(mu);
  to_emit.push_back(std::move(value));
  cv.notify_all();
}

bool SourceScript::wait_for(const std::function<bool()>& done) {
  std::unique_lock lock(mu);
  return cv.wait_for(lock, 60s, done);
}

std::vector<std::string> SourceScript::committed_values() {
  std::lock_guard lock(mu);
  std::vector<std::string> out;
  for (auto& c : committed) out.push_back(c.value);
  return out;
}

namespace {

std::string shown(const Value& v) { return v.is_null() ? "<null>" : v.as<std::string>(); }

class CountingSourceTask : public SourceTask {
 public:
  explicit CountingSourceTask(std::shared_ptr<SourceScript> script) : script_(std::move(script)) {}

  void configure(const config::ConfigValues& cfg) override { topic_ = cfg.get_string("topic"); }
  void start(SourceTaskContext& ctx) override {
    ctx_ = &ctx;
    Value stored = ctx.offset_for(*partition_);
    if (const Value* n = stored.find("n")) next_ = n->as<int64_t>() + 1;
  }

  PollStatus poll(std::vector<Record>& out, std::chrono::milliseconds max_wait) override {
    std::unique_lock lock(script_->mu);
    auto ready = [&] {
      if (script_->lockstep && script_->committed.size() < script_->polled.size()) return false;
      return !script_->to_emit.empty() || script_->end;
    };
    if (!script_->cv.wait_for(lock, max_wait, [&] { return ready() || ctx_->stop_requested(); }) || !ready())
      return PollStatus::Ok;
    if (script_->to_emit.empty()) return ctx_->stop_at_end_of_data ? PollStatus::Exhausted : PollStatus::Ok;
    std::optional<std::string> value = std::move(script_->to_emit.front());
    script_->to_emit.pop_front();
    Record r;
    r.topic = topic_;
    r.value_schema = schemas::string(true);
    if (value) r.value = Value(*value);
    r.source_partition = partition_;
    r.source_offset = Value(MapEntries{{Value("n"), Value(next_++)}});
    script_->polled.push_back(shown(r.value));
    script_->events.push_back("poll " + shown(r.value));
    out.push_back(std::move(r));
    script_->cv.notify_all();
    return PollStatus::Ok;
  }

  bool wants_commit_record() const override { return true; }
  void commit_record(const Record& record, const RecordMetadata* metadata) override {
    std::lock_guard lock(script_->mu);
    SourceScript::Committed c;
    c.value = shown(record.value);
    if (metadata) {
      c.has_metadata = true;
      c.topic = metadata->topic;
      c.partition = metadata->partition;
      c.offset = metadata->offset;
    }
    script_->committed.push_back(c);
    script_->events.push_back("commit_record " + c.value);
    script_->cv.notify_all();
  }

  void commit() override {
    std::function<void()> hook;
    {
      std::lock_guard lock(script_->mu);
      hook = script_->on_commit;
    }
    if (hook) hook();
    std::lock_guard lock(script_->mu);
    ++script_->commits;
    script_->events.push_back("commit");
    script_->cv.notify_all();
  }

  void stop() override {
    std::lock_guard lock(script_->mu);
    script_->events.push_back("stop");
    script_->cv.notify_all();
  }

 private:
  std::shared_ptr<SourceScript> script_;
  SourceTaskContext* ctx_ = nullptr;
  std::string topic_;
  std::shared_ptr<const Value> partition_ =
      std::make_shared<const Value>(MapEntries{{Value("source"), Value("counting")}});
  int64_t next_ = 0;
};

class FailingSinkTask : public SinkTask {
 public:
  explicit FailingSinkTask(std::shared_ptr<SinkScript> script) : script_(std::move(script)) {}
  void configure(const config::ConfigValues& cfg) override { fail_on_ = cfg.get_string("fail.on"); }
  void start(SinkTaskContext&) override {}
  void put(std::vector<Record>& batch) override {
    for (auto& r : batch) {
      std::string v = shown(r.value);
      if (v == fail_on_) throw ConnectError("FailingSink: refused '" + v + "'");
      held_.push_back(v);
    }
  }
  void flush() override {
    std::lock_guard lock(script_->mu);
    for (auto& v : held_) script_->flushed.push_back(v);
    held_.clear();
  }

 private:
  std::shared_ptr<SinkScript> script_;
  std::string fail_on_;
  std::vector<std::string> held_;
};

}  // namespace

PluginInfo counting_source_plugin(std::shared_ptr<SourceScript> script) {
  PluginInfo p;
  p.name = "CountingSource";
  p.kind = PluginKind::Source;
  p.summary = "Test source: records what the engine commits.";
  p.spec.define({.name = "topic", .type = config::KeyType::String, .default_value = std::nullopt, .doc = "The topic."});
  p.make_source = [script] { return std::make_unique<CountingSourceTask>(script); };
  return p;
}

PluginInfo failing_sink_plugin(std::shared_ptr<SinkScript> script) {
  PluginInfo p;
  p.name = "FailingSink";
  p.kind = PluginKind::Sink;
  p.summary = "Test sink: fails on one value.";
  p.spec.define({.name = "fail.on", .type = config::KeyType::String, .default_value = config::ConfigValue{std::string()},
                 .doc = "The value put refuses."});
  p.make_sink = [script] { return std::make_unique<FailingSinkTask>(script); };
  return p;
}

std::unique_ptr<PluginRegistry> test_registry(std::shared_ptr<SourceScript> source, std::shared_ptr<SinkScript> sink) {
  return testsupport::test_registry([&](PluginRegistry& registry) {
    registry.add(counting_source_plugin(std::move(source)));
    if (sink) registry.add(failing_sink_plugin(std::move(sink)));
  });
}

}  // namespace testsource
