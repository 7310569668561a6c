// OffsetStore over a backing (Kafka Connect's offsets topic, here a fake
// in memory): what is loaded, what a flush writes, and what a failed flush keeps.
#include <catch2/catch.hpp>

#include "json/json_reader.h"
#include "offsets/offset_store.h"
#include "support.h"

using namespace connectrun;

namespace {

// Records as a topic holds them; write() appends, or fails while `fail` is set.
struct FakeBacking : OffsetBackingStore {
  std::vector<OffsetRecord>* log;
  bool* fail;
  FakeBacking(std::vector<OffsetRecord>* l, bool* f) : log(l), fail(f) {}
  std::vector<OffsetRecord> read_to_end() override { return *log; }
  std::optional<std::string> write(const std::vector<OffsetRecord>& records) override {
    if (*fail) return std::string("broker down");
    log->insert(log->end(), records.begin(), records.end());
    return std::nullopt;
  }
  std::string name() const override { return "offsets topic 'fake'"; }
};

Value json(const std::string& s) { return parse_schemaless_json(s); }

}  // namespace

TEST_CASE("backed offsets: the last record of a key wins, a tombstone removes, foreign records are skipped",
          "[offsets]") {
  std::vector<OffsetRecord> log{
      {R"(["src",{"filename":"/a"}])", R"({"position":4})"},
      {R"(["src",{"filename":"/b"}])", R"({"position":1})"},
      {R"(["src",{"filename":"/a"}])", R"({"position":9})"},
      {R"(["src",{"filename":"/b"}])", std::nullopt},
      {"not json", "x"},                                // another tool's record
      {R"(["src",{"filename":"/c"}])", "42"},           // an offset that is not an object
      {R"(["sink-group",0])", R"({"position":1})"},     // a partition that is not an object
      {R"(["src", {"filename": "/d"}])", R"({"position":7})"},  // another writer's spacing
  };
  bool fail = false;
  auto store = OffsetStore::open_backed(std::make_unique<FakeBacking>(&log, &fail), "unused.json");
  CHECK(store->path() == "offsets topic 'fake'");
  CHECK(store->file_path() == "unused.json");
  CHECK(store->get("src", json(R"({"filename":"/a"})")) == json(R"({"position":9})"));
  CHECK(store->get("src", json(R"({"filename":"/b"})")).is_null());
  CHECK(store->get("src", json(R"({"filename":"/d"})")) == json(R"({"position":7})"));
  CHECK(store->entries().size() == 2);
  // Nothing changed: a flush writes nothing.
  REQUIRE(!store->flush());
  CHECK(log.size() == 8);

  // Only what changed is written; a removed entry as a tombstone; a key read
  // in other bytes is written back under those bytes (compaction replaces it).
  store->put("src", json(R"({"filename":"/a"})"), json(R"({"position":10})"));
  store->put("src", json(R"({"filename":"/d"})"), Value());
  store->put("src", json(R"({"filename":"/e"})"), json(R"({"position":0})"));
  REQUIRE(!store->flush());
  REQUIRE(log.size() == 11);
  std::vector<OffsetRecord> written(log.begin() + 8, log.end());
  std::sort(written.begin(), written.end(), [](auto& a, auto& b) { return a.key < b.key; });
  CHECK(written[0].key == R"(["src", {"filename": "/d"}])");
  CHECK(!written[0].value);
  CHECK(written[1].key == R"(["src",{"filename":"/a"}])");
  CHECK(*written[1].value == R"({"position":10})");
  CHECK(written[2].key == R"(["src",{"filename":"/e"}])");
  CHECK(*written[2].value == R"({"position":0})");

  // Read back by another process: the same entries.
  auto again = OffsetStore::open_backed(std::make_unique<FakeBacking>(&log, &fail), "unused.json");
  CHECK(again->get("src", json(R"({"filename":"/a"})")) == json(R"({"position":10})"));
  CHECK(again->get("src", json(R"({"filename":"/d"})")).is_null());
  CHECK(again->entries().size() == 2);
}

TEST_CASE("backed offsets: a failed flush is an error and the entries are written at the next flush", "[offsets]") {
  std::vector<OffsetRecord> log;
  bool fail = true;
  auto store = OffsetStore::open_backed(std::make_unique<FakeBacking>(&log, &fail), "unused.json");
  store->put("src", json(R"({"filename":"/a"})"), json(R"({"position":1})"));
  auto err = store->flush();
  REQUIRE(err);
  CHECK(*err == "broker down");
  CHECK(log.empty());
  store->put("src", json(R"({"filename":"/b"})"), json(R"({"position":2})"));
  fail = false;
  REQUIRE(!store->flush());
  REQUIRE(log.size() == 2);  // the failed flush's entry too
  REQUIRE(!store->flush());
  CHECK(log.size() == 2);
}

TEST_CASE("backed offsets: keys are byte for byte Kafka Connect's (JsonConverter, schemas.enable=false)", "[offsets]") {
  // Kafka Connect 3.6.2's own key and value bytes, from its standalone offsets
  // file (the same converter writes the distributed offsets topic).
  std::string sample = testsupport::read_file(std::string(CONNECTRUN_SOURCE_DIR) +
                                              "/../shared/reference/samples/kafka-connect-3.6.2-standalone.offsets");
  REQUIRE(!sample.empty());
  std::string key = OffsetStore::key_of("local-file-source", json(R"({"filename":"/var/log/demo/app.log"})"));
  CHECK(key == R"(["local-file-source",{"filename":"/var/log/demo/app.log"}])");
  CHECK(sample.find(key) != std::string::npos);
  CHECK(sample.find(OffsetStore::key_of("other-source", json(R"({"filename":"/var/log/demo/other.log"})"))) !=
        std::string::npos);
  CHECK(sample.find(R"({"position":270})") != std::string::npos);
}

TEST_CASE("backed offsets: refresh takes what other processes stored since and keeps what is not stored yet",
          "[offsets][cluster]") {
  std::vector<OffsetRecord> log{{R"(["src",{"task.id":0}])", R"({"n":1})"}, {R"(["src",{"task.id":1}])", R"({"n":1})"}};
  bool fail = false;
  auto store = OffsetStore::open_backed(std::make_unique<FakeBacking>(&log, &fail), "unused.json");
  // Another process of the cluster ran both tasks on and stored their offsets; this one changed task 1 itself.
  log.push_back({R"(["src",{"task.id":0}])", R"({"n":5})"});
  log.push_back({R"(["src",{"task.id":1}])", R"({"n":6})"});
  log.push_back({R"(["src",{"task.id":2}])", R"({"n":3})"});
  store->put("src", json(R"({"task.id":1})"), json(R"({"n":2})"));
  store->refresh();
  CHECK(store->get("src", json(R"({"task.id":0})")) == json(R"({"n":5})"));
  CHECK(store->get("src", json(R"({"task.id":2})")) == json(R"({"n":3})"));
  CHECK(store->get("src", json(R"({"task.id":1})")) == json(R"({"n":2})"));  // not stored yet: kept
  // What was read is not written back; the change made here still is.
  const size_t before = log.size();
  REQUIRE(!store->flush());
  REQUIRE(log.size() == before + 1);
  CHECK(log.back().key == R"(["src",{"task.id":1}])");
  CHECK(log.back().value == std::optional<std::string>(R"({"n":2})"));
}
