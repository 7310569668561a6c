// StringPool and SpareStrings (bus/string_pool.h): the strings sinks hand
// back, their bounds, and a source filling them again; then a real
// FileStreamSource → FileStreamSink job on the in-process bus, whose sink
// hands its values back and whose output is unchanged.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "bus/in_process_bus.h"
#include "bus/string_pool.h"
#include "engine/herder.h"
#include "engine/traffic_bus.h"
#include "offsets/offset_store.h"
#include "support.h"
#include "test_job.h"

using namespace connectrun;
using namespace testsupport;

namespace {
std::string line_of(size_t n, char c) { return std::string(n, c); }

// FileStreamSource (dir/in.txt) → FileStreamSink (dir/out.txt) on `bus`, run to the input's end.
void run_file_job(const TempDir& dir, TopicBus& bus) {
  auto registry = test_registry([](PluginRegistry&) {});
  JobPlan plan = plan_yaml(fmt::format(R"(worker:
  offset.storage.file.filename: {0}/offsets.json
  key.converter: StringConverter
  value.converter: StringConverter
connectors:
  - name: src
    connector.class: FileStreamSource
    file: {0}/in.txt
    topic: lines
    batch.size: 500
  - name: snk
    connector.class: FileStreamSink
    file: {0}/out.txt
    topics: lines
)",
                                       dir.path()),
                           *registry);
  auto store = OffsetStore::open(dir / "offsets.json");
  Herder herder(plan, /*once=*/true, *store, bus);
  herder.start_all();
  herder.join_all();
}
}  // namespace

TEST_CASE("StringPool keeps record-sized strings only, up to its bounds", "[string_pool]") {
  StringPool pool;
  StringPool::Spent spent;
  std::string tiny = "short";                  // lives inside its std::string: nothing to keep
  std::string line = line_of(100, 'a');
  std::string huge = line_of(StringPool::kMaxCapacity + 1, 'b');
  const char* line_memory = line.data();
  spent.gather(tiny);
  spent.gather(line);
  spent.gather(huge);
  REQUIRE(spent.strings.size() == 1);
  CHECK(line.empty());  // moved into the pool's list
  CHECK(tiny == "short");
  CHECK(huge.size() == StringPool::kMaxCapacity + 1);
  pool.give(spent);
  CHECK(spent.strings.empty());
  CHECK(spent.bytes == 0);
  CHECK(pool.kept() == 1);

  std::vector<std::string> taken;
  pool.take(taken);
  REQUIRE(taken.size() == 1);
  CHECK(taken[0].data() == line_memory);  // the same memory, not a copy
  CHECK(pool.kept() == 0);
  CHECK(pool.wants());

  SECTION("at most kMaxKept strings") {
    for (size_t round = 0; round < 2; ++round) {
      for (size_t i = 0; i < StringPool::kMaxKept / 2 + 10; ++i) {
        std::string s = line_of(40, 'c');
        spent.gather(s);
      }
      pool.give(spent);
    }
    CHECK(pool.kept() == StringPool::kMaxKept);
    CHECK_FALSE(pool.wants());
  }
  SECTION("at most kMaxKeptBytes of capacity") {
    const size_t each = StringPool::kMaxCapacity;
    const size_t fit = StringPool::kMaxKeptBytes / each;
    for (size_t i = 0; i < fit + 5; ++i) {
      std::string s;
      s.reserve(each);
      s = line_of(each, 'd');
      spent.gather(s);
    }
    REQUIRE(spent.strings.size() == fit + 5);
    pool.give(spent);
    CHECK(pool.kept() <= fit);
    CHECK(pool.kept() >= fit - 1);
    // A second batch finds no room left for such strings.
    std::string s = line_of(each, 'e');
    spent.gather(s);
    const size_t before = pool.kept();
    pool.give(spent);
    CHECK(pool.kept() == before);
  }
}

TEST_CASE("SpareStrings fills strings the pool took back, and makes new ones without one", "[string_pool]") {
  SECTION("no pool (a producer without one: exactly-once, dry runs)") {
    SpareStrings spare;
    CHECK(spare.make("hello") == "hello");
    CHECK(spare.make(line_of(200, 'x')) == line_of(200, 'x'));
  }
  SECTION("a pool with strings") {
    StringPool pool;
    StringPool::Spent spent;
    std::string a = line_of(120, 'a');
    const char* memory = a.data();
    spent.gather(a);
    pool.give(spent);
    SpareStrings spare(&pool);
    const std::string text = "a line read again, " + line_of(60, 'z');
    std::string made = spare.make(text);
    CHECK(made == text);
    CHECK(made.data() == memory);  // filled in place
    CHECK(pool.kept() == 0);
    // A longer text than the spare's room still comes out whole, in a string of its own
    // size: the spare grown would have twice its capacity (240), and pooled strings would
    // drift to twice their lines' length.
    std::string b = line_of(120, 'b');
    REQUIRE(b.capacity() < 150);
    spent.gather(b);
    pool.give(spent);
    SpareStrings other(&pool);
    const std::string longer = line_of(150, 'q');
    std::string grown = other.make(longer);
    CHECK(grown == longer);
    CHECK(grown.capacity() < 200);
    CHECK(pool.kept() == 0);
  }
  SECTION("an empty pool is asked again only after a while (it takes a lock)") {
    StringPool pool;
    SpareStrings spare(&pool);
    CHECK(spare.make("first") == "first");  // asked: nothing there
    StringPool::Spent spent;
    std::string s = line_of(100, 's');
    spent.gather(s);
    pool.give(spent);
    CHECK(spare.make("second") == "second");
    CHECK(pool.kept() == 1);  // not asked yet
    for (int i = 0; i < 300 && pool.kept() == 1; ++i) (void)spare.make("more");
    CHECK(pool.kept() == 0);  // asked again, and took it
  }
}

TEST_CASE("A file job on the in-process bus hands its sink's values back to the bus's pool, output unchanged",
          "[string_pool]") {
  TempDir dir;
  std::string input;
  for (int i = 0; i < 3000; ++i) input += fmt::format("line {} {}\n", i, line_of(static_cast<size_t>(40 + i % 50), 'v'));
  write_file(dir / "in.txt", input);
  InProcessBus bus;
  REQUIRE(bus.string_pool() != nullptr);
  run_file_job(dir, bus);
  CHECK(read_file(dir / "out.txt") == input);
  // The last batches' lines are in the pool (the source took the earlier ones to fill again).
  CHECK(bus.string_pool()->kept() > 0);
  // Sources take from the pool the sinks fill: their producers hand out the bus's.
  CHECK(bus.producer("src")->spare_strings() == bus.string_pool());
}

namespace {
// A stand-in producer with a pool of its own around the in-process bus's (as a
// Kafka source task's producer has): which pool does the source fill from?
class OwnPoolProducer : public BusProducer {
 public:
  OwnPoolProducer(std::unique_ptr<BusProducer> inner, StringPool* pool) : inner_(std::move(inner)), pool_(pool) {}
  using BusProducer::send;
  void send(std::vector<BusRecord>&& batch, DeliveryCallback done, std::vector<NextOffset>* numbered) override {
    inner_->send(std::move(batch), std::move(done), numbered);
  }
  bool await_room(std::chrono::milliseconds wait) override { return inner_->await_room(wait); }
  StringPool* spare_strings() override { return pool_; }
  void close() override { inner_->close(); }

 private:
  std::unique_ptr<BusProducer> inner_;
  StringPool* pool_;
};

class OwnPoolBus : public TrafficBus {
 public:
  OwnPoolBus(TopicBus& inner, StringPool* pool) : TrafficBus(inner), pool_(pool) {}
  std::unique_ptr<BusProducer> producer(const std::string& connector) override {
    return std::make_unique<OwnPoolProducer>(TrafficBus::producer(connector), pool_);
  }

 private:
  StringPool* pool_;
};
}  // namespace

TEST_CASE("A source fills its lines from its producer's pool, not the bus's", "[string_pool]") {
  TempDir dir;
  std::string input;
  for (int i = 0; i < 500; ++i) input += fmt::format("line {} {}\n", i, line_of(60, 'v'));
  write_file(dir / "in.txt", input);
  // The producer's pool starts with 100 spare strings, room for any line of the input.
  StringPool own;
  StringPool::Spent spent;
  for (int i = 0; i < 100; ++i) {
    std::string s = line_of(200, 's');
    spent.gather(s);
  }
  own.give(spent);
  REQUIRE(own.kept() == 100);
  InProcessBus inner;
  OwnPoolBus bus(inner, &own);
  run_file_job(dir, bus);
  CHECK(read_file(dir / "out.txt") == input);
  CHECK(own.kept() == 0);  // the source took them all, at its first line
}
