#include "engine/task_worker.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "ops/log.h"

namespace connectrun {

using namespace std::chrono_literals;

TaskWorker::TaskWorker(const ConnectorPlan& plan, bool once, TaskSlot slot)
    : plan_(plan),
      slot_(std::move(slot)),
      once_(once),
      // Tasks after the first log as NAME-ID (Kafka's task names).
      log_(make_logger(slot_.id ? fmt::format("{}-{}", plan.name, slot_.id) : plan.name)),
      errors_(plan.common, log_) {}

TaskWorker::~TaskWorker() {
  request_stop();
  if (thread_.joinable()) thread_.join();
}

void TaskWorker::start() {
  started_ = std::chrono::steady_clock::now();
  thread_ = std::thread([this] {
    try {
      run();
    } catch (const std::exception& e) {
      fail(e.what());
    }
    ended_.store(std::chrono::steady_clock::now().time_since_epoch().count());
    finished_.store(true);
  });
}

double TaskWorker::seconds() const {
  auto end_ticks = ended_.load();
  auto end = end_ticks ? std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(end_ticks))
                       : std::chrono::steady_clock::now();
  return std::chrono::duration<double>(end - started_).count();
}

void TaskWorker::join() {
  if (thread_.joinable()) thread_.join();
}

void TaskWorker::fail(const std::string& reason) {
  {
    std::lock_guard lock(fail_mu_);
    if (failure_) return;
    failure_ = reason;
  }
  log_->error("connector failed: {}", reason);
  stopping_.store(true);
}

void TaskWorker::build_stages() { stages_ = std::make_unique<RecordStages>(plan_); }

void TaskWorker::transform_failed(const TransformError& e, const std::string& position) {
  errors_.handle(fmt::format("TRANSFORMATION '{}'", e.alias()), e.plugin(), position, e);
  last_failure_ = StageFailure{"TRANSFORMATION", e.plugin(), e.cause()};
}

bool TaskWorker::wait_while_paused() {
  if (!paused_.load() || stopping_.load()) return false;
  std::this_thread::sleep_for(50ms);
  return true;
}

std::optional<std::string> TaskWorker::failure() const {
  std::lock_guard lock(fail_mu_);
  return failure_;
}

void init_task_context(TaskContext& ctx, const std::string& connector, bool stop_at_end_of_data,
                       std::shared_ptr<spdlog::logger> log, const std::atomic<bool>& stopping,
                       const std::atomic<uint64_t>& reopen,
                       const config::ConfigValues& common) {
  ctx.connector_name = connector;
  ctx.stop_at_end_of_data = stop_at_end_of_data;
  ctx.log = std::move(log);
  ctx.stopping = &stopping;
  ctx.reopen_requests = &reopen;
  ctx.retry_policy = RetryPolicy::from(common);
}

}  // namespace connectrun
