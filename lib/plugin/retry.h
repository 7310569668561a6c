// Retrying an operation on an outside system that is down: exponential backoff
// with full jitter, bounded by errors.retry.delay.max.ms, giving up after
// errors.retry.timeout, and returning early when the task is asked to stop.
// One implementation for connectors (TaskContext::retry) and the engine (a
// sink's put and flush).
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>

#include "config/spec.h"
#include "plugin/connect_error.h"

namespace spdlog { class logger; }

namespace connectrun {

struct RetryPolicy {
  // errors.retry.timeout: how long after the first failure retries go on;
  // negative: forever; 0: no retry (Kafka Connect's default).
  std::chrono::milliseconds timeout{0};
  // errors.retry.delay.max.ms: the cap of the backoff.
  std::chrono::milliseconds max_delay{60000};
  // The first backoff's cap, doubled after each failure (Kafka's
  // RetryWithToleranceOperator starts at 300 ms too).
  std::chrono::milliseconds initial_delay{300};

  // From a connector's common keys (errors.retry.timeout, errors.retry.delay.max.ms).
  static RetryPolicy from(const config::ConfigValues& common);
  bool retries() const { return timeout.count() != 0; }
};

// What retry() reads the time, waits and draws with. Tests inject their own,
// so no test waits for real.
struct RetryClock {
  std::function<std::chrono::steady_clock::time_point()> now;
  // Waits `d`, or less when `stopping` is set; false when it was.
  std::function<bool(std::chrono::milliseconds d, const std::atomic<bool>* stopping)> sleep;
  std::function<double()> random;  // uniform in [0, 1)
  static const RetryClock& real();  // steady_clock, a sleep that looks at `stopping` every 50 ms, a thread-local PRNG
};

// Thrown by retry() when the task was asked to stop while it retried: the
// operation did not succeed, and nobody should wait for it any more. what() is
// the last failure's message.
class RetryStopped : public ConnectError {
 public:
  using ConnectError::ConnectError;
};

// The wait before retry `attempt` (1 for the first retry): full jitter, a
// uniform draw (`random` in [0, 1)) below min(max_delay, initial_delay · 2^(attempt-1)).
std::chrono::milliseconds retry_backoff(const RetryPolicy& policy, int attempt, double random);

// Runs `op`. When it throws a retriable ConnectError, waits retry_backoff (never
// past the deadline, errors.retry.timeout after the first failure) and runs it
// again: until it succeeds, throws anything else (rethrown), the deadline
// passes (the last error is rethrown), or `stopping` is set (RetryStopped).
// `op` runs at least once even when `stopping` is already set. Each retry is
// logged on `log` (when given) as "<what>: attempt N failed, retrying in M ms".
void retry_void(const RetryPolicy& policy, std::string_view what, const std::function<void()>& op,
                const std::atomic<bool>* stopping, spdlog::logger* log, const RetryClock& clock = RetryClock::real());

// As retry_void, returning what `fn` returns.
template <class F>
auto retry(const RetryPolicy& policy, std::string_view what, F&& fn, const std::atomic<bool>* stopping,
           spdlog::logger* log, const RetryClock& clock = RetryClock::real()) -> std::invoke_result_t<F&> {
  using R = std::invoke_result_t<F&>;
  if constexpr (std::is_void_v<R>) {
    retry_void(policy, what, fn, stopping, log, clock);
  } else {
    std::optional<R> out;
    retry_void(policy, what, [&] { out.emplace(fn()); }, stopping, log, clock);
    return std::move(*out);
  }
}

}  // namespace connectrun
