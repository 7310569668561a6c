// connectors/common's Batcher: records, bytes and linger limits, on a clock the test moves.
#include <catch2/catch.hpp>

#include <stdexcept>
#include <string>

#include "connectors/common/batcher.h"

using namespace connectrun::common;
using namespace std::chrono_literals;
using Clock = BatchState::Clock;

TEST_CASE("a batcher is full at max.records and the next item does not fit", "[batcher]") {
  Batcher<int> b({.max_records = 3, .max_bytes = 0, .linger = 1h});
  const auto t0 = Clock::time_point{} + 1h;
  CHECK_FALSE(b.due(t0));  // empty: never due
  for (int i = 0; i < 3; ++i) {
    REQUIRE(b.fits(10));
    CHECK_FALSE(b.full());
    b.add(i, 10, t0);
  }
  CHECK(b.full());
  CHECK(b.due(t0));
  CHECK_FALSE(b.fits(1));
  CHECK(b.take() == std::vector<int>{0, 1, 2});
  CHECK(b.empty());
  CHECK(b.bytes() == 0);
  CHECK(b.fits(10));
}

TEST_CASE("a batcher closes a batch before max.bytes would be passed and takes a large item alone", "[batcher]") {
  Batcher<std::string> b({.max_records = 0, .max_bytes = 10, .linger = 1h});
  const auto t0 = Clock::time_point{} + 1h;
  b.add("aaaa", 4, t0);
  CHECK(b.fits(6));
  CHECK_FALSE(b.fits(7));
  b.add("bbbbbb", 6, t0);
  CHECK(b.full());  // exactly at the limit
  CHECK(b.take().size() == 2);
  // Larger than max.bytes: it fits an empty batch, alone, and fills it.
  REQUIRE(b.fits(25));
  b.add(std::string(25, 'x'), 25, t0);
  CHECK(b.full());
  CHECK_FALSE(b.fits(1));
}

TEST_CASE("a batcher is due once its first item has waited the linger time", "[batcher]") {
  Batcher<int> b({.max_records = 100, .max_bytes = 1000, .linger = 50ms});
  const auto t0 = Clock::time_point{} + 1h;
  CHECK_FALSE(b.deadline());
  b.add(1, 1, t0);
  b.add(2, 1, t0 + 40ms);  // a later item does not move the deadline
  REQUIRE(b.deadline());
  CHECK(*b.deadline() == t0 + 50ms);
  CHECK_FALSE(b.due(t0 + 49ms));
  CHECK(b.due(t0 + 50ms));
  CHECK_FALSE(b.full());
  b.clear();
  CHECK_FALSE(b.due(t0 + 1h));
  // A new first item starts a new wait.
  b.add(3, 1, t0 + 2h);
  CHECK(*b.deadline() == t0 + 2h + 50ms);
  // linger 0: due as soon as it holds anything.
  Batcher<int> eager({.max_records = 100, .max_bytes = 1000, .linger = 0ms});
  eager.add(1, 1, t0);
  CHECK(eager.due(t0));
}

TEST_CASE("a batcher keeps its batch when the write fails and empties it when the write succeeds", "[batcher]") {
  Batcher<int> b({});
  b.add(1, 1);
  b.add(2, 1);
  CHECK_THROWS_AS(b.write_with([](std::vector<int>&) { throw std::runtime_error("down"); }), std::runtime_error);
  CHECK(b.items() == std::vector<int>{1, 2});
  std::vector<int> written;
  b.write_with([&](std::vector<int>& items) { written = items; });
  CHECK(written == std::vector<int>{1, 2});
  CHECK(b.empty());
  bool called = false;
  b.write_with([&](std::vector<int>&) { called = true; });  // nothing to write: not called
  CHECK_FALSE(called);
}

TEST_CASE("batch limits report a negative linger time as a problem", "[batcher]") {
  CHECK_FALSE(BatchLimits{}.problem());
  CHECK(BatchLimits{.linger = -1ms}.problem());
}
