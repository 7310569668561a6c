// FileTail on real files, driven directly as the engine drives it: records and
// headers, multiline events, lines too long, truncation, a file deleted while
// read, and paths that are no regular file.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <map>

#include <fmt/format.h>

#include "connectors/connectors.h"
#include "ops/log.h"
#include "plugin/registry.h"
#include "support.h"

using namespace connectrun;
using namespace testsupport;
using namespace std::chrono_literals;

namespace {

struct Harness {
  std::unique_ptr<SourceTask> task;
  SourceTaskContext ctx;
  std::atomic<bool> stopping{false};
  std::map<std::string, Value> stored;  // by partition JSON-ish key
  bool tolerate = false;
  std::vector<std::string> errors;

  Harness(const std::string& paths, bool once, const std::map<std::string, std::string>& extra = {},
          bool tolerate_all = false)
      : tolerate(tolerate_all) {
    const PluginInfo* info = builtin_plugins().find("FileTail", {PluginKind::Source});
    REQUIRE(info);
    config::RawConfig raw{{"paths", {paths, {}}}, {"topic", {"t", {}}}};
    for (auto& [k, v] : extra) raw[k] = {v, {}};
    config::Problems problems;
    auto cfg = config::parse(info->spec, raw, "test", problems);
    REQUIRE(problems.empty());
    task = info->make_source();
    task->configure(cfg);
    ctx.connector_name = "test";
    ctx.stop_at_end_of_data = once;
    ctx.log = make_logger("test");
    ctx.stopping = &stopping;
    ctx.offset_for = [this](const Value& p) {
      auto it = stored.find(key(p));
      return it == stored.end() ? Value() : it->second;
    };
    ctx.on_error = [this](const std::string& position, const std::exception& e) {
      errors.push_back(position + ": " + e.what());
      if (!tolerate) throw ConnectError(errors.back());
    };
    task->start(ctx);
  }
  ~Harness() { task->stop(); }

  static std::string key(const Value& p) {
    return fmt::format("{}:{}", p.find("device")->as<int64_t>(), p.find("inode")->as<int64_t>());
  }

  // Polls until Exhausted (--once), storing offsets as the engine would.
  std::vector<Record> poll_all() {
    std::vector<Record> out;
    while (task->poll(out, 10ms) != PollStatus::Exhausted) {
    }
    store(out);
    return out;
  }
  // Polls a few times (not --once).
  std::vector<Record> poll_for(std::chrono::milliseconds d) {
    std::vector<Record> out;
    const auto end = std::chrono::steady_clock::now() + d;
    while (std::chrono::steady_clock::now() < end) task->poll(out, 20ms);
    store(out);
    return out;
  }
  void store(const std::vector<Record>& rs) {
    for (auto& r : rs) {
      if (!r.source_partition) continue;
      if (r.source_offset.is_null()) stored.erase(key(*r.source_partition));
      else stored[key(*r.source_partition)] = r.source_offset;
    }
  }
};

std::vector<std::string> values(const std::vector<Record>& rs) {
  std::vector<std::string> out;
  for (auto& r : rs)
    if (!r.offset_only) out.push_back(r.value.as<std::string>());
  return out;
}

const Value* header(const Record& r, const std::string& k) {
  for (auto& h : r.headers)
    if (h.key == k) return &h.value;
  return nullptr;
}

}  // namespace

TEST_CASE("FileTail reads lines with path name and offset headers and resumes from the stored offset", "[tail]") {
  TempDir dir;
  write_file(dir / "a.log", "one\r\ntwo\nthree\npartial");
  {
    Harness h(dir / "*.log", true, {{"headers.enabled", "true"}});
    auto rs = h.poll_all();
    REQUIRE(values(rs) == std::vector<std::string>{"one", "two", "three"});
    CHECK(header(rs[1], "file.path")->as<std::string>() == dir / "a.log");
    CHECK(header(rs[1], "file.name")->as<std::string>() == "a.log");
    CHECK(header(rs[1], "file.offset")->as<int64_t>() == 5);
    CHECK(rs[2].source_offset.find("position")->as<int64_t>() == 15);
    CHECK(rs[2].source_partition->find("inode"));
    // Resumes after the stored offset; the partial line waited for its end.
    append_file(dir / "a.log", " line\nfour\n");
    Harness again(dir / "*.log", true);
    again.stored = h.stored;
    CHECK(values(again.poll_all()) == std::vector<std::string>{"partial line", "four"});
    Harness bare(dir / "*.log", true);  // headers are off by default
    auto plain = bare.poll_all();
    REQUIRE(!plain.empty());
    CHECK(plain[0].headers.empty());
  }
  SECTION("read.from=end skips what is there at the first scan, not files that appear later") {
    Harness h(dir / "*.log", false, {{"read.from", "end"}, {"glob.interval.ms", "50"}});
    CHECK(values(h.poll_for(200ms)).empty());
    append_file(dir / "a.log", "new\n");
    write_file(dir / "b.log", "b1\n");
    auto got = values(h.poll_for(800ms));
    std::sort(got.begin(), got.end());
    CHECK(got == std::vector<std::string>{"b1", "new"});
  }
}

TEST_CASE("FileTail gathers multiline events by a Java start pattern and hands the last on after the timeout",
          "[tail]") {
  TempDir dir;
  write_file(dir / "app.log", "2024-01-01 start\n  at a\n  at b\n2024-01-02 next\n2024-01-03 last\n  tail\n");
  Harness h(dir / "app.log", false, {{"multiline.start.pattern", "^\\d{4}-\\d\\d-\\d\\d"},
                                     {"multiline.timeout.ms", "200"}, {"headers.enabled", "true"}});
  auto rs = h.poll_for(100ms);
  CHECK(values(rs) == std::vector<std::string>{"2024-01-01 start\n  at a\n  at b", "2024-01-02 next"});
  // The offset of an event is the byte after its last line.
  CHECK(rs[0].source_offset.find("position")->as<int64_t>() == 31);
  auto later = h.poll_for(1500ms);
  CHECK(values(later) == std::vector<std::string>{"2024-01-03 last\n  tail"});
  REQUIRE(later.size() == 1);
  REQUIRE(header(later[0], "file.offset"));
  CHECK(header(later[0], "file.offset")->as<int64_t>() == 47);
}

TEST_CASE("FileTail hands a line longer than max.line.bytes to the error policy and never holds it", "[tail]") {
  TempDir dir;
  write_file(dir / "a.log", "short\n" + std::string(5000, 'x') + "\nafter\n");
  SECTION("errors.tolerance=none fails naming the file and byte") {
    Harness h(dir / "a.log", true, {{"max.line.bytes", "100"}});
    std::vector<Record> out;
    CHECK_THROWS_WITH(
        [&] {
          while (h.task->poll(out, 10ms) != PollStatus::Exhausted) {
          }
        }(),
        Catch::Contains(fmt::format("{} byte 6", dir / "a.log")) && Catch::Contains("longer than max.line.bytes (100"));
    CHECK(values(out) == std::vector<std::string>{"short"});
  }
  SECTION("errors.tolerance=all skips it and moves the offset past it") {
    Harness h(dir / "a.log", true, {{"max.line.bytes", "100"}}, true);
    auto rs = h.poll_all();
    CHECK(values(rs) == std::vector<std::string>{"short", "after"});
    REQUIRE(h.errors.size() == 1);
    CHECK_THAT(h.errors[0], Catch::Contains("beginning \"xxxx"));
    REQUIRE(rs.size() == 3);
    CHECK(rs[1].offset_only);
    CHECK(rs[1].source_offset.find("position")->as<int64_t>() == 5007);
  }
}

TEST_CASE("FileTail reads a truncated file again from its start and a file deleted while read to its end", "[tail]") {
  TempDir dir;
  write_file(dir / "a.log", "1\n2\n3\n");
  Harness h(dir / "a.log", false, {{"rotate.wait.ms", "100"}, {"glob.interval.ms", "50"}});
  CHECK(values(h.poll_for(200ms)) == std::vector<std::string>{"1", "2", "3"});
  // Truncated to zero, then written again past the old size: the changed
  // first bytes give it away even though it is not shorter.
  shell(fmt::format("truncate -s 0 {0} && printf 'A-long-line\\nB\\n' >> {0}", dir / "a.log"));
  CHECK(values(h.poll_for(300ms)) == std::vector<std::string>{"A-long-line", "B"});
  // Deleted while being read: the rest is still read, then the identity forgotten.
  std::string big;
  for (int i = 0; i < 50000; ++i) big += fmt::format("line {}\n", i);
  append_file(dir / "a.log", big);
  std::vector<Record> out;
  h.task->poll(out, 10ms);  // starts reading
  ::unlink((dir / "a.log").c_str());
  auto rest = h.poll_for(1500ms);
  out.insert(out.end(), std::make_move_iterator(rest.begin()), std::make_move_iterator(rest.end()));
  auto got = values(out);
  REQUIRE(got.size() == 50000);
  CHECK(got.front() == "line 0");
  CHECK(got.back() == "line 49999");
  REQUIRE(!out.empty());
  CHECK(out.back().offset_only);
  CHECK(out.back().source_offset.is_null());  // forgotten: the offset entry is removed
  h.store(out);
  CHECK(h.stored.empty());
}

TEST_CASE("FileTail says once when nothing matches and skips a directory and a FIFO with a warning", "[tail]") {
  TempDir dir;
  ::mkdir((dir / "adir").c_str(), 0755);
  REQUIRE(::mkfifo((dir / "fifo").c_str(), 0644) == 0);
  write_file(dir / "ok", "fine\n");
  Harness h(fmt::format("{0}/nothing*.log,{0}/adir,{0}/fifo,{0}/ok", dir.path()), true);
  CHECK(values(h.poll_all()) == std::vector<std::string>{"fine"});  // no block on the FIFO, no failure
  // Nothing at all: --once ends at once.
  Harness none(dir / "nothing*.log", true);
  CHECK(values(none.poll_all()).empty());
  Harness waits(dir / "late*.log", false, {{"glob.interval.ms", "50"}});
  CHECK(values(waits.poll_for(200ms)).empty());
  write_file(dir / "late1.log", "arrived\n");
  CHECK(values(waits.poll_for(500ms)) == std::vector<std::string>{"arrived"});
}
