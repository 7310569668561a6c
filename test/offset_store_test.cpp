#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include <fmt/format.h>

#include "json/json_reader.h"
#include "offsets/offset_store.h"
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
}

// connectrun replaces the file whole, so an empty one is never its own: refused
// (it used to mean "no offsets yet", silently re-reading every source).
TEST_CASE("an empty file or a directory or a symbolic link at the offsets path is refused with what to do", "[offsets]") {
  TempDir dir;
  const std::string path = dir / "o.json";
  SECTION("zero bytes") {
    write_file(path, "");
    CHECK_THROWS_WITH(OffsetStore::open(path), Catch::Contains(path + " is empty (0 bytes)") &&
                                                   Catch::Contains("delete it to start every source over"));
    CHECK_THROWS_WITH(OffsetStore::read_only(path), Catch::Contains("is empty"));
  }
  SECTION("whitespace only") {
    write_file(path, " \n\t\n");
    CHECK_THROWS_WITH(OffsetStore::open(path), Catch::Contains("is empty (4 bytes, whitespace only)"));
  }
  SECTION("a directory") {
    REQUIRE(::mkdir(path.c_str(), 0700) == 0);
    CHECK_THROWS_WITH(OffsetStore::open(path), Catch::Contains(path + " is a directory") &&
                                                   Catch::Contains("offset.storage.file.filename must name a file"));
  }
  SECTION("a symbolic link") {
    write_file(dir / "real.json", "{\"offsets\":[]}\n");
    REQUIRE(::symlink((dir / "real.json").c_str(), path.c_str()) == 0);
    CHECK_THROWS_WITH(OffsetStore::open(path), Catch::Contains(path + " is a symbolic link"));
  }
  // A missing file is still an empty store: the first run.
  ::rmdir(path.c_str());
  ::unlink(path.c_str());
  CHECK(OffsetStore::open(path)->entries().empty());
}

namespace {
// The names in `dir`, sorted.
std::vector<std::string> names_in(const std::string& dir) {
  std::vector<std::string> out;
  for (auto& e : std::filesystem::directory_iterator(dir)) out.push_back(e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

unsigned mode_of(const std::string& path) {
  struct stat st {};
  REQUIRE(::lstat(path.c_str(), &st) == 0);
  return st.st_mode & 07777;
}
}  // namespace

// A planted link must not let a (root) cron job write through it: the lock is
// refused, naming what to remove, and the link's target is left as it was.
TEST_CASE("a symbolic link at the lock file's path is refused and its target left untouched", "[offsets][security]") {
  TempDir dir;
  const std::string path = dir / "o.json";
  const std::string lock = path + ".lock";
  SECTION("to an existing file") {
    write_file(dir / "passwd", "root:x:0:0\n");
    REQUIRE(::symlink((dir / "passwd").c_str(), lock.c_str()) == 0);
    CHECK_THROWS_WITH(OffsetStore::open(path), Catch::Contains("lock file " + lock + " is a symbolic link") &&
                                                   Catch::Contains("remove " + lock));
    CHECK(read_file(dir / "passwd") == "root:x:0:0\n");
  }
  SECTION("dangling: nothing is created through it") {
    REQUIRE(::symlink((dir / "created").c_str(), lock.c_str()) == 0);
    CHECK_THROWS_WITH(OffsetStore::open(path), Catch::Contains("is a symbolic link"));
    CHECK_FALSE(std::filesystem::exists(dir / "created"));
  }
  SECTION("a hard link to another file") {
    write_file(dir / "passwd", "root:x:0:0\n");
    REQUIRE(::link((dir / "passwd").c_str(), lock.c_str()) == 0);
    CHECK_THROWS_WITH(OffsetStore::open(path), Catch::Contains("has 2 hard links"));
    CHECK(read_file(dir / "passwd") == "root:x:0:0\n");
  }
  CHECK_FALSE(std::filesystem::exists(path));
}

// The temporary file used to be "<file>.tmp-<pid>", opened with O_CREAT|O_TRUNC:
// a link planted at that predictable name redirected the whole write.
TEST_CASE("symbolic links at the old predictable temporary name receive nothing", "[offsets][security]") {
  TempDir dir;
  const std::string path = dir / "o.json";
  const std::string old_tmp = fmt::format("{}.tmp-{}", path, ::getpid());
  write_file(dir / "passwd", "root:x:0:0\n");
  SECTION("to an existing file") { REQUIRE(::symlink((dir / "passwd").c_str(), old_tmp.c_str()) == 0); }
  SECTION("dangling") { REQUIRE(::symlink((dir / "created").c_str(), old_tmp.c_str()) == 0); }
  {
    auto store = OffsetStore::open(path);
    store->put("c", map1("filename", Value("f")), map1("position", Value(int64_t{7})));
    REQUIRE_FALSE(store->flush());
    store->put("c", map1("filename", Value("f")), map1("position", Value(int64_t{9})));
    REQUIRE_FALSE(store->flush());
  }
  CHECK(read_file(dir / "passwd") == "root:x:0:0\n");
  CHECK_FALSE(std::filesystem::exists(dir / "created"));
  CHECK(OffsetStore::open(path)->get("c", map1("filename", Value("f"))) == map1("position", Value(int64_t{9})));
  // The planted link is still there, unchanged; no temporary file is left behind.
  CHECK(std::filesystem::is_symlink(old_tmp));
  CHECK(names_in(dir.path()) == std::vector<std::string>{"o.json", "o.json.lock", std::filesystem::path(old_tmp).filename().string(), "passwd"});
}

TEST_CASE("the offsets file and its lock are private: mode 0600", "[offsets][security]") {
  TempDir dir;
  const std::string path = dir / "o.json";
  const mode_t old_umask = ::umask(0);  // so that only connectrun's own choice decides
  SECTION("created") {}
  SECTION("left by an older version with mode 0644") {
    write_file(path + ".lock", "");
    REQUIRE(::chmod((path + ".lock").c_str(), 0644) == 0);
    write_file(path, "{\"offsets\":[]}\n");
    REQUIRE(::chmod(path.c_str(), 0644) == 0);
  }
  {
    auto store = OffsetStore::open(path);
    store->put("c", map1("filename", Value("f")), map1("position", Value(int64_t{1})));
    REQUIRE_FALSE(store->flush());
    CHECK(mode_of(path) == 0600);
    CHECK(mode_of(path + ".lock") == 0600);
  }
  ::umask(old_umask);
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
