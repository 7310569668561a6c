// The in-process bus's record offsets: numbered per topic partition, reported
// per sent batch, restored from and stored in the offsets file.
#include <catch2/catch.hpp>

#include <atomic>

#include "bus/in_process_bus.h"
#include "bus/topic_offsets.h"
#include "offsets/offset_store.h"
#include "support.h"

using namespace connectrun;
using namespace testsupport;
using namespace std::chrono_literals;

namespace {
BusRecord record(const std::string& topic, std::optional<int32_t> partition = std::nullopt) {
  BusRecord r;
  r.topic = topic;
  r.partition = partition;
  r.value.emplace(1, 'v');  // not = "v": GCC 12 gives a false -Wrestrict there (GCC bug 105329)
  return r;
}
Value map1(const char* k, Value v) { return Value(MapEntries{{Value(k), std::move(v)}}); }
}  // namespace

TEST_CASE("topic offsets number each topic partition on its own and report where a batch left them", "[bus][topic-offsets]") {
  TopicOffsets offsets;
  offsets.restore({{"t", 0, 10}, {"u", 1, 3}});
  offsets.restore({{"t", 0, 4}});  // never moves back
  TopicOffsets::Numbering n(offsets);
  CHECK(n.next("t", 0) == 10);
  CHECK(n.next("t", 0) == 11);
  CHECK(n.next("u", 1) == 3);
  CHECK(n.next("new", 0) == 0);
  CHECK(n.next("t", 0) == 12);
  CHECK(n.next("t", 1) == 0);
  CHECK(n.numbered() == std::vector<NextOffset>{{"u", 1, 4}, {"new", 0, 1}, {"t", 0, 13}, {"t", 1, 1}});
  CHECK(offsets.next_offsets({"t"}) == std::vector<NextOffset>{{"t", 0, 13}, {"t", 1, 1}});
  CHECK(offsets.next_offsets({"none"}).empty());
  TopicOffsets::Numbering later(offsets);
  CHECK(later.numbered().empty());
  CHECK(later.next("t", 0) == 13);
}

TEST_CASE("the in-process bus continues restored offsets and reports them before the batch is delivered", "[bus][topic-offsets]") {
  InProcessBus bus;
  bus.restore_offsets({{"t", 0, 100}});
  auto c = bus.consumer("snk", {{"t", "u"}, ""});
  auto p = bus.producer("src");
  std::vector<NextOffset> numbered;
  std::atomic<bool> delivered{false};
  std::vector<BusRecord> batch;
  batch.push_back(record("t"));
  batch.push_back(record("u"));
  batch.push_back(record("t"));
  p->send(std::move(batch), [&](std::optional<std::string> e) {
    CHECK_FALSE(e);
    // The numbering is known when the delivery is: the source stores both together.
    CHECK(numbered == std::vector<NextOffset>{{"u", 0, 1}, {"t", 0, 102}});
    delivered = true;
  }, &numbered);
  std::vector<BusRecord> got;
  REQUIRE(c->poll(got, 100ms) == ConsumeStatus::Ok);
  REQUIRE(got.size() == 3);
  CHECK(got[0].offset == 100);
  CHECK(got[1].offset == 0);
  CHECK(got[2].offset == 101);
  c->commit();
  CHECK(delivered);
  CHECK(bus.next_offsets({"t"}) == std::vector<NextOffset>{{"t", 0, 102}});
  // Without the out-parameter (dead letters, tests) nothing is reported, numbering goes on.
  p->send(std::vector<BusRecord>{record("t")}, [](std::optional<std::string>) {});
  got.clear();
  REQUIRE(c->poll(got, 100ms) == ConsumeStatus::Ok);
  CHECK(got.at(0).offset == 102);
  c->commit();
}

TEST_CASE("topic offsets are stored beside the source offsets and hidden from their listing", "[offsets][topic-offsets]") {
  TempDir dir;
  std::string path = dir / "offsets.json";
  {
    auto store = OffsetStore::open(path);
    {
      auto held = store->hold_flush();
      store->put("src", map1("filename", Value("a")), map1("position", Value(int64_t{12})));
      store->put_next_offsets({{"lines", 0, 7}, {"other \"q\"", 2, 1}});
    }
    store->put_next_offsets({{"lines", 0, 5}});  // an older report: kept at 7
    REQUIRE_FALSE(store->flush());
  }
  std::string text = read_file(path);
  CHECK(text.find(R"({"key":["src",{"filename":"a"}],"offset":{"position":12}})") != std::string::npos);
  CHECK(text.find(R"("topic_offsets":[)") != std::string::npos);
  CHECK(text.find(R"({"topic":"lines","partition":0,"next_offset":7})") != std::string::npos);
  auto store = OffsetStore::open(path);
  REQUIRE(store->entries().size() == 1);
  CHECK(store->entries()[0].connector == "src");
  CHECK(store->next_offsets() == std::vector<NextOffset>{{"lines", 0, 7}, {"other \"q\"", 2, 1}});
  // A store with no topic offsets (the Kafka bus) writes the file as before.
  TempDir other;
  auto plain = OffsetStore::open(other / "o.json");
  plain->put("src", map1("filename", Value("a")), map1("position", Value(int64_t{1})));
  REQUIRE_FALSE(plain->flush());
  CHECK(read_file(other / "o.json").find("topic_offsets") == std::string::npos);
}

TEST_CASE("an offsets file written before topic offsets were kept still loads and numbering starts at 0", "[offsets][topic-offsets]") {
  TempDir dir;
  write_file(dir / "o.json", "{\"offsets\":[\n  {\"key\":[\"src\",{\"filename\":\"a\"}],\"offset\":{\"position\":3}}\n]}\n");
  auto store = OffsetStore::open(dir / "o.json");
  CHECK(store->entries().size() == 1);
  CHECK(store->next_offsets().empty());
}

TEST_CASE("damaged topic offsets are refused as a corrupt offsets file", "[offsets][topic-offsets]") {
  TempDir dir;
  for (const char* bad : {R"({"offsets":[],"topic_offsets":{}})", R"({"offsets":[],"topic_offsets":[{"topic":"t"}]})",
                          R"({"offsets":[],"topic_offsets":[{"topic":"t","partition":0,"next_offset":-1}]})",
                          R"({"offsets":[],"topic_offsets":[{"topic":1,"partition":0,"next_offset":1}]})"}) {
    write_file(dir / "o.json", bad);
    INFO(bad);
    CHECK_THROWS_WITH(OffsetStore::open(dir / "o.json"), Catch::Contains("is corrupt"));
  }
}
