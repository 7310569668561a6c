#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <random>

#include "json/json_reader.h"
#include "runtime/offset_store.h"
#include "support.h"

using namespace connectrun;
using namespace testsupport;

namespace {
Value map1(const char* k, Value v) { return Value(MapEntries{{Value(k), std::move(v)}}); }
}  // namespace

TEST_CASE("offsets are stored under Kafka's key and read back", "[offsets]") {
  TempDir dir;
  std::string path = dir / "offsets.json";
  {
    auto store = OffsetStore::open(path);
    store->put("local-file-source", map1("filename", Value("/var/log/a.log")), map1("position", Value(int64_t{270})));
    store->put("other", map1("filename", Value("b")), map1("position", Value(int64_t{4})));
    REQUIRE_FALSE(store->flush());
  }
  std::string text = read_file(path);
  CHECK(text.find(R"({"key":["local-file-source",{"filename":"/var/log/a.log"}],"offset":{"position":270}})") != std::string::npos);
  auto store = OffsetStore::open(path);
  CHECK(store->get("local-file-source", map1("filename", Value("/var/log/a.log"))) == map1("position", Value(int64_t{270})));
  CHECK(store->get("other", map1("filename", Value("zzz"))).is_null());
  // A null offset removes the entry (Kafka's tombstone).
  store->put("other", map1("filename", Value("b")), Value());
  REQUIRE_FALSE(store->flush());
  CHECK(read_file(path).find("\"other\"") == std::string::npos);
}

TEST_CASE("a second open of the same offsets file is refused while the first holds it", "[offsets]") {
  TempDir dir;
  auto first = OffsetStore::open(dir / "o.json");
  CHECK_THROWS_WITH(OffsetStore::open(dir / "o.json"), Catch::Contains("in use by another connectrun process"));
  first.reset();
  CHECK_NOTHROW(OffsetStore::open(dir / "o.json"));
}

TEST_CASE("corrupt offsets files are refused with the reason", "[offsets]") {
  TempDir dir;
  for (const char* bad : {"{", "[]", "{\"offsets\":{}}", "{\"offsets\":[{\"key\":\"x\",\"offset\":{}}]}", "\x01\x02garbage"}) {
    write_file(dir / "o.json", bad);
    INFO(bad);
    CHECK_THROWS_WITH(OffsetStore::open(dir / "o.json"), Catch::Contains("is corrupt"));
  }
  write_file(dir / "o.json", "");
  CHECK(OffsetStore::open(dir / "o.json")->entries().empty());
}

TEST_CASE("a process killed while writing always leaves the old or the new file", "[offsets]") {
  TempDir dir;
  std::string path = dir / "o.json";
  std::mt19937 rng(12345);
  for (int round = 0; round < 20; ++round) {
    pid_t pid = fork();
    if (pid == 0) {
      // Child: rewrite the file as fast as it can with growing content.
      auto store = OffsetStore::open(path);
      for (int64_t i = 0;; ++i) {
        for (int p = 0; p < 50; ++p)
          store->put("c", map1("filename", Value("file-" + std::to_string(p))), map1("position", Value(i)));
        store->flush();
      }
    }
    usleep(2000 + rng() % 20000);
    kill(pid, SIGKILL);
    waitpid(pid, nullptr, 0);
    std::string text = read_file(path);
    if (text.empty()) continue;  // killed before the first rename
    INFO("round " << round);
    Value doc;
    REQUIRE_NOTHROW(doc = parse_schemaless_json(text));
    const Value* list = doc.find("offsets");
    REQUIRE(list);
    // Every flush writes all 50 partitions with one position: a torn file could not hold that.
    REQUIRE(list->as<Array>().size() == 50);
    const Value* first = list->as<Array>()[0].find("offset");
    for (auto& e : list->as<Array>()) REQUIRE(*e.find("offset") == *first);
    REQUIRE_NOTHROW(OffsetStore::open(path));
  }
}
