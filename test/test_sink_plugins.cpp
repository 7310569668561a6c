#include "test_sink_plugins.h"

#include <fmt/format.h>

namespace testsink {

using namespace connectrun;

void Recorder::record(int task, SeenRecord r) {
  std::lock_guard lock(mu_);
  tasks_[task].records.push_back(std::move(r));
}

void Recorder::opened(int task, const std::vector<TopicPartition>& parts) {
  std::lock_guard lock(mu_);
  tasks_[task].opened.push_back(parts);
}

void Recorder::closed(int task, const std::vector<TopicPartition>& parts) {
  std::lock_guard lock(mu_);
  tasks_[task].closed.push_back(parts);
}

void Recorder::stopped(int task) {
  std::lock_guard lock(mu_);
  tasks_[task].stopped = true;
}

std::map<int, TaskLog> Recorder::tasks() const {
  std::lock_guard lock(mu_);
  return tasks_;
}

std::multiset<std::string> Recorder::values() const {
  std::lock_guard lock(mu_);
  std::multiset<std::string> out;
  for (auto& [id, t] : tasks_)
    for (auto& r : t.records) out.insert(r.value);
  return out;
}

std::set<TopicPartition> flatten(const std::vector<std::vector<TopicPartition>>& changes) {
  std::set<TopicPartition> out;
  for (auto& c : changes) out.insert(c.begin(), c.end());
  return out;
}

namespace {

std::string text_of(const Value& v) {
  if (auto* s = v.get_if<std::string>()) return *s;
  return "";
}

class RecordingSinkTask : public SinkTask {
 public:
  explicit RecordingSinkTask(std::shared_ptr<Recorder> r) : recorder_(std::move(r)) {}
  void configure(const config::ConfigValues&) override {}
  void start(SinkTaskContext& ctx) override { task_ = ctx.task_id; }
  void put(std::vector<Record>& batch) override {
    for (auto& r : batch)
      recorder_->record(task_, SeenRecord{r.topic, r.partition.value_or(-1), r.bus_offset, text_of(r.key), text_of(r.value)});
  }
  void flush() override {}
  void open(const std::vector<TopicPartition>& parts) override { recorder_->opened(task_, parts); }
  void close(const std::vector<TopicPartition>& parts) override { recorder_->closed(task_, parts); }
  void stop() override { recorder_->stopped(task_); }

 private:
  std::shared_ptr<Recorder> recorder_;
  int task_ = -1;
};

class KeyedSourceTask : public SourceTask {
 public:
  void configure(const config::ConfigValues& cfg) override {
    topic_ = cfg.get_string("topic");
    count_ = cfg.get_long("count");
    keyed_ = cfg.get_bool("keyed");
  }
  void start(SourceTaskContext&) override {}
  PollStatus poll(std::vector<Record>& out, std::chrono::milliseconds) override {
    for (int n = 0; n < 100 && next_ < count_; ++n, ++next_) {
      Record r;
      r.topic = topic_;
      if (keyed_) r.key = Value(fmt::format("key-{}", next_));
      r.value = Value(fmt::format("value-{}", next_));
      out.push_back(std::move(r));
    }
    return next_ < count_ ? PollStatus::Ok : PollStatus::Exhausted;
  }

 private:
  std::string topic_;
  int64_t count_ = 0, next_ = 0;
  bool keyed_ = true;
};

}  // namespace

void register_test_sink_plugins(PluginRegistry& registry, std::shared_ptr<Recorder> recorder) {
  using config::KeyType;
  PluginInfo sink;
  sink.name = "RecordingSink";
  sink.kind = PluginKind::Sink;
  sink.summary = "Records what each task is given (tests).";
  sink.make_sink = [recorder] { return std::make_unique<RecordingSinkTask>(recorder); };
  registry.add(std::move(sink));

  PluginInfo source;
  source.name = "KeyedSource";
  source.kind = PluginKind::Source;
  source.summary = "Emits `count` records key-N/value-N to `topic` (tests).";
  source.spec.define({.name = "topic", .type = KeyType::String, .doc = "Topic."});
  source.spec.define({.name = "count", .type = KeyType::Long, .default_value = config::ConfigValue{int64_t{100}},
                      .doc = "How many records."});
  source.spec.define({.name = "keyed", .type = KeyType::Boolean, .default_value = config::ConfigValue{true},
                      .doc = "Whether records have keys (else null keys)."});
  source.make_source = [] { return std::make_unique<KeyedSourceTask>(); };
  registry.add(std::move(source));
}

}  // namespace testsink
