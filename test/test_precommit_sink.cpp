#include "test_precommit_sink.h"

#include "test_job.h"

#include <catch2/catch.hpp>

#include "connectors/connectors.h"
#include "json/json_writer.h"

namespace testsupport {

using namespace connectrun;

std::vector<std::string> PrecommitSinkState::values(const std::string& connector) {
  std::lock_guard lock(mu);
  std::vector<std::string> out;
  for (auto& r : put[connector])
    if (auto s = r.value.get_if<std::string>()) out.push_back(*s);
  return out;
}

namespace {
class PrecommitTestSink : public SinkTask {
 public:
  explicit PrecommitTestSink(std::shared_ptr<PrecommitSinkState> state) : state_(std::move(state)) {}
  void configure(const config::ConfigValues& cfg) override {
    hold_value_ = cfg.get_string("hold");
    release_value_ = cfg.get_string("release");
    report_value_ = cfg.get_string("report");
  }
  void start(SinkTaskContext& ctx) override { ctx_ = &ctx; }
  void put(std::vector<Record>& batch) override {
    for (auto& r : batch) {
      const std::string* v = r.value.get_if<std::string>();
      if (v && !report_value_.empty() && *v == report_value_) {
        ctx_->report(r, std::runtime_error("cannot write '" + *v + "'"));
        continue;
      }
      TopicPartition tp{r.topic, r.partition.value_or(0)};
      if (v && !hold_value_.empty() && *v == hold_value_ && !hold_.count(tp)) hold_[tp] = r.bus_offset;
      if (v && !release_value_.empty() && *v == release_value_) hold_.clear();
      std::lock_guard lock(state_->mu);
      state_->put[ctx_->connector_name].push_back(r);
    }
  }
  void flush() override {}
  TopicPartitionOffsets pre_commit(const TopicPartitionOffsets& current) override {
    TopicPartitionOffsets out = current;
    for (auto& [tp, held] : hold_)
      if (auto it = out.find(tp); it != out.end()) it->second = std::min(it->second, held);
    std::lock_guard lock(state_->mu);
    state_->returned[ctx_->connector_name] = out;
    return out;
  }

 private:
  std::shared_ptr<PrecommitSinkState> state_;
  SinkTaskContext* ctx_ = nullptr;
  std::string hold_value_, release_value_, report_value_;
  TopicPartitionOffsets hold_;  // the position each held partition stops at
};
}  // namespace

PluginInfo precommit_test_sink_plugin(std::shared_ptr<PrecommitSinkState> state) {
  PluginInfo p;
  p.name = "PrecommitTestSink";
  p.aliases = {"org.example.PrecommitTestSinkConnector"};
  p.kind = PluginKind::Sink;
  p.summary = "Test sink: holds back commits and reports errant records on cue.";
  for (const char* key : {"hold", "release", "report"})
    p.spec.define({.name = key, .type = config::KeyType::String, .default_value = config::ConfigValue{std::string()},
                   .doc = "see test_precommit_sink.h"});
  p.make_sink = [state] { return std::make_unique<PrecommitTestSink>(state); };
  return p;
}

std::unique_ptr<PrecommitJob> plan_precommit_job(const std::string& yaml, std::shared_ptr<PrecommitSinkState> state) {
  auto job = std::make_unique<PrecommitJob>();
  job->registry = test_registry([&](PluginRegistry& r) { r.add(precommit_test_sink_plugin(std::move(state))); });
  job->plan = plan_yaml(yaml, *job->registry);
  return job;
}

std::string header_json(const Record& r, const std::string& name) {
  for (auto& h : r.headers)
    if (h.key == name) {
      std::string out;
      append_schemaless_json(out, h.value);
      return out;
    }
  return "";
}

}  // namespace testsupport
