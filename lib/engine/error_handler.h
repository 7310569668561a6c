// Kafka Connect's errors.tolerance for one connector: with "none" the first
// failing record fails the connector; with "all" it is counted, (with
// errors.log.enable) logged, and skipped, or for a sink with
// errors.deadletterqueue.topic.name sent to that topic: the log says which,
// as the end-of-run summary counts it.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include "config/spec.h"
#include "plugin/retry.h"

namespace spdlog { class logger; }

namespace connectrun {

class ErrorHandler {
 public:
  ErrorHandler(const config::ConfigValues& common, std::shared_ptr<spdlog::logger> log);
  // A stage ("VALUE_CONVERTER", "TRANSFORMATION", …) of `plugin` failed on the
  // record at `position`. Throws ConnectError when the failure is not tolerated.
  void handle(std::string_view stage, std::string_view plugin, const std::string& position, const std::exception& e);
  uint64_t skipped() const { return skipped_.load(std::memory_order_relaxed); }
  // errors.retry.timeout and errors.retry.delay.max.ms: how an operation that
  // failed with a retriable ConnectError is retried (plugin/retry.h).
  const RetryPolicy& retry_policy() const { return retry_policy_; }

 private:
  RetryPolicy retry_policy_;
  bool tolerate_all_;
  bool log_enable_;
  bool include_messages_;
  std::string dlq_topic_;  // a sink's errors.deadletterqueue.topic.name; "" when records are skipped
  std::shared_ptr<spdlog::logger> log_;
  std::atomic<uint64_t> skipped_{0};
};

}  // namespace connectrun
