// The retry helper (plugin/retry.h) on an injected clock: no test waits.
#include <catch2/catch.hpp>

#include <atomic>
#include <string>
#include <vector>

#include "plugin/connector.h"
#include "plugin/retry.h"

using namespace connectrun;
using namespace std::chrono_literals;

namespace {

// A clock that moves only when retry() sleeps; `stop_after` sleeps it sets the stop flag.
struct FakeClock {
  std::chrono::steady_clock::time_point now{};
  std::vector<int64_t> sleeps;  // ms
  double random = 0.5;
  int stop_after = -1;
  std::atomic<bool>* stop = nullptr;

  RetryClock clock() {
    return RetryClock{[this] { return now; },
                      [this](std::chrono::milliseconds d, const std::atomic<bool>* stopping) {
                        if (stop && static_cast<int>(sleeps.size()) == stop_after) stop->store(true);
                        if (stopping && stopping->load()) return false;
                        sleeps.push_back(d.count());
                        now += d;
                        return true;
                      },
                      [this] { return random; }};
  }
};

RetryPolicy policy(int64_t timeout_ms, int64_t max_delay_ms) {
  RetryPolicy p;
  p.timeout = std::chrono::milliseconds(timeout_ms);
  p.max_delay = std::chrono::milliseconds(max_delay_ms);
  return p;
}

// Fails retriably `failures` times, then returns how many calls it took.
struct Flaky {
  int failures;
  int calls = 0;
  int operator()() {
    ++calls;
    if (calls <= failures) throw ConnectError("down (call " + std::to_string(calls) + ")", true);
    return calls;
  }
};

}  // namespace

TEST_CASE("retry: the backoff is a uniform draw below 300 ms doubled per attempt and capped by the max delay",
          "[retry]") {
  auto p = policy(-1, 1000);
  CHECK(retry_backoff(p, 1, 0.999).count() == 299);
  CHECK(retry_backoff(p, 2, 0.999).count() == 599);
  CHECK(retry_backoff(p, 3, 0.999).count() == 999);  // 1200 capped at 1000
  CHECK(retry_backoff(p, 60, 0.999).count() == 999);
  CHECK(retry_backoff(p, 3, 0.0).count() == 0);      // full jitter: down to no wait
  CHECK(retry_backoff(p, 2, 0.5).count() == 300);
  CHECK(retry_backoff(policy(-1, 100), 1, 0.999).count() == 99);  // a max below the first cap
}

TEST_CASE("retry: retries a retriable error with growing jittered waits until it succeeds", "[retry]") {
  FakeClock fake;
  Flaky op{5};
  int result = retry(policy(-1, 1000), "test", op, nullptr, nullptr, fake.clock());
  CHECK(result == 6);
  CHECK(fake.sleeps == std::vector<int64_t>{150, 300, 500, 500, 500});
}

TEST_CASE("retry: gives up at errors.retry.timeout with the last error and waits no longer than it", "[retry]") {
  FakeClock fake;
  fake.random = 0.9999;
  Flaky op{1000};
  CHECK_THROWS_WITH(retry(policy(1000, 60000), "test", op, nullptr, nullptr, fake.clock()), "down (call 4)");
  // 299 + 599, then the wait is cut to the deadline (102 ms) for a last try there.
  CHECK(fake.sleeps == std::vector<int64_t>{299, 599, 102});
  CHECK(op.calls == 4);
}

TEST_CASE("retry: errors.retry.timeout 0 runs the operation once", "[retry]") {
  FakeClock fake;
  Flaky op{1};
  CHECK_THROWS_WITH(retry(policy(0, 60000), "test", op, nullptr, nullptr, fake.clock()), "down (call 1)");
  CHECK(op.calls == 1);
  CHECK(fake.sleeps.empty());
}

TEST_CASE("retry: an error that is not retriable is rethrown at once", "[retry]") {
  FakeClock fake;
  int calls = 0;
  auto op = [&] {
    ++calls;
    throw ConnectError("bad request", false);
  };
  CHECK_THROWS_WITH(retry(policy(-1, 60000), "test", op, nullptr, nullptr, fake.clock()), "bad request");
  CHECK(calls == 1);
  CHECK(fake.sleeps.empty());
}

TEST_CASE("retry: returns early with RetryStopped when the task is asked to stop while waiting", "[retry]") {
  FakeClock fake;
  std::atomic<bool> stopping{false};
  fake.stop = &stopping;
  fake.stop_after = 2;  // the third wait sees the stop
  Flaky op{1000};
  CHECK_THROWS_AS(retry(policy(-1, 60000), "test", op, &stopping, nullptr, fake.clock()), RetryStopped);
  CHECK(op.calls == 3);
  CHECK(fake.sleeps.size() == 2);
}

TEST_CASE("retry: a stop requested before the first failure still runs the operation once", "[retry]") {
  FakeClock fake;
  std::atomic<bool> stopping{true};
  Flaky ok{0};
  CHECK(retry(policy(-1, 60000), "test", ok, &stopping, nullptr, fake.clock()) == 1);
  Flaky failing{1};
  CHECK_THROWS_AS(retry(policy(-1, 60000), "test", failing, &stopping, nullptr, fake.clock()), RetryStopped);
  CHECK(failing.calls == 1);
  CHECK(fake.sleeps.empty());
}

TEST_CASE("retry: the real clock's wait returns at once when the stop flag is set", "[retry]") {
  std::atomic<bool> stopping{true};
  // Would wait an hour if it did not look at the flag.
  CHECK_FALSE(RetryClock::real().sleep(std::chrono::hours(1), &stopping));
}

TEST_CASE("retry: TaskContext::retry uses the connector's policy and returns the result", "[retry]") {
  TaskContext ctx;
  std::atomic<bool> stopping{false};
  ctx.stopping = &stopping;
  ctx.retry_policy = policy(0, 1000);
  CHECK(ctx.retry("connect", [] { return std::string("connected"); }) == "connected");
  int calls = 0;
  CHECK_THROWS_AS(ctx.retry("connect", [&] {
    ++calls;
    throw ConnectError("refused", true);
  }),
                  ConnectError);
  CHECK(calls == 1);  // errors.retry.timeout 0: no retry
}
