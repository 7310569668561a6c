#include "plugin/retry.h"

#include <algorithm>
#include <random>
#include <string>
#include <thread>

#include <spdlog/spdlog.h>

namespace connectrun {

using namespace std::chrono_literals;

RetryPolicy RetryPolicy::from(const config::ConfigValues& common) {
  RetryPolicy p;
  p.timeout = std::chrono::milliseconds(common.get_long("errors.retry.timeout"));
  p.max_delay = std::chrono::milliseconds(common.get_long("errors.retry.delay.max.ms"));
  return p;
}

const RetryClock& RetryClock::real() {
  static const RetryClock clock{
      [] { return std::chrono::steady_clock::now(); },
      [](std::chrono::milliseconds d, const std::atomic<bool>* stopping) {
        // The stop flag is a plain atomic (no condition to wait on): look at
        // it every 50 ms, so a stop is noticed within that.
        const auto end = std::chrono::steady_clock::now() + d;
        for (;;) {
          if (stopping && stopping->load(std::memory_order_relaxed)) return false;
          auto at = std::chrono::steady_clock::now();
          if (at >= end) return true;
          std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(end - at, 50ms));
        }
      },
      [] {
        thread_local std::mt19937_64 rng{std::random_device{}()};
        return std::uniform_real_distribution<double>(0.0, 1.0)(rng);
      }};
  return clock;
}

std::chrono::milliseconds retry_backoff(const RetryPolicy& policy, int attempt, double random) {
  // initial · 2^(attempt-1), capped; the shift is bounded so it cannot overflow.
  const int64_t max = std::max<int64_t>(policy.max_delay.count(), 0);
  int64_t cap = std::max<int64_t>(policy.initial_delay.count(), 1);
  for (int i = 1; i < attempt && cap < max; ++i) cap *= 2;
  cap = std::min(cap, max);
  random = std::clamp(random, 0.0, 1.0);
  auto delay = static_cast<int64_t>(random * static_cast<double>(cap));
  return std::chrono::milliseconds(std::min(delay, cap));
}

void retry_void(const RetryPolicy& policy, std::string_view what, const std::function<void()>& op,
                const std::atomic<bool>* stopping, spdlog::logger* log, const RetryClock& clock) {
  const bool forever = policy.timeout.count() < 0;
  std::chrono::steady_clock::time_point deadline{};
  for (int attempt = 1;; ++attempt) {
    try {
      op();
      return;
    } catch (const ConnectError& e) {
      if (!e.retriable() || !policy.retries()) throw;
      const auto now = clock.now();
      if (attempt == 1) deadline = now + policy.timeout;  // the timeout counts from the first failure
      if (!forever && now >= deadline) {
        if (log) log->error("{}: giving up after {} attempt(s) (errors.retry.timeout: {} ms)", what, attempt, policy.timeout.count());
        throw;
      }
      if (stopping && stopping->load(std::memory_order_relaxed)) throw RetryStopped(e.what());
      auto delay = retry_backoff(policy, attempt, clock.random());
      if (!forever)
        delay = std::min(delay, std::chrono::ceil<std::chrono::milliseconds>(deadline - now));  // the last try at the deadline
      if (log) log->warn("{}: attempt {} failed, retrying in {} ms: {}", what, attempt, delay.count(), e.what());
      if (!clock.sleep(delay, stopping)) {
        if (log) log->info("{}: stopped while retrying", what);
        throw RetryStopped(e.what());
      }
    }
  }
}

}  // namespace connectrun
