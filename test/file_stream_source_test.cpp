// FileStreamSource on real files, driven directly as the engine drives it.
#include <catch2/catch.hpp>

#include <atomic>

#include <fmt/format.h>

#include "plugin/registry.h"
#include "runtime/log.h"
#include "support.h"

using namespace connectrun;
using namespace testsupport;
using namespace std::chrono_literals;

namespace {
struct Harness {
  std::unique_ptr<SourceTask> task;
  SourceTaskContext ctx;
  std::atomic<bool> stopping{false};
  Value stored;

  Harness(const std::string& file, bool once, int batch = 2000, Value stored_offset = {}) : stored(std::move(stored_offset)) {
    const PluginInfo* info = builtin_plugins().find("FileStreamSource", {PluginKind::Source});
    config::RawConfig raw{{"file", {file, {}}}, {"topic", {"t", {}}}, {"batch.size", {std::to_string(batch), {}}}};
    config::Problems problems;
    auto cfg = config::parse(info->spec, raw, "test", problems);
    REQUIRE(problems.empty());
    task = info->make_source();
    task->configure(cfg);
    ctx.connector_name = "test";
    ctx.once = once;
    ctx.log = make_logger("test");
    ctx.stopping = &stopping;
    ctx.offset_for = [this](const Value&) { return stored; };
    task->start(ctx);
  }

  std::vector<Record> poll_all() {
    std::vector<Record> out;
    while (task->poll(out, 10ms) != PollStatus::Exhausted) {
    }
    return out;
  }
};

std::vector<std::string> values(const std::vector<Record>& rs) {
  std::vector<std::string> out;
  for (auto& r : rs) out.push_back(r.value.as<std::string>());
  return out;
}

int64_t position(const Record& r) { return r.source_offset.find("position")->as<int64_t>(); }
}  // namespace

TEST_CASE("lines end with LF, CRLF or CR — a last line without one waits", "[file]") {
  TempDir dir;
  write_file(dir / "in.txt", "a\nbb\r\nccc\rdd\r");
  Harness h(dir / "in.txt", true);
  auto rs = h.poll_all();
  REQUIRE(values(rs) == std::vector<std::string>{"a", "bb", "ccc"});  // "dd\r" may be "dd\r\n": wait
  CHECK(position(rs[0]) == 2);
  CHECK(position(rs[1]) == 6);
  CHECK(position(rs[2]) == 10);
  CHECK(*rs[0].source_partition == Value(MapEntries{{Value("filename"), Value(dir / "in.txt")}}));
  CHECK(rs[0].value_schema->type == Type::String);
  CHECK(rs[0].topic == "t");
  append_file(dir / "in.txt", "\nlast-no-newline");
  auto more = h.poll_all();
  REQUIRE(values(more) == std::vector<std::string>{"dd"});
  CHECK(position(more[0]) == 14);
}

TEST_CASE("positions are bytes, so resuming after multi-byte text is exact", "[file]") {
  TempDir dir;
  write_file(dir / "in.txt", "h\xc3\xa9llo\n\xe2\x82\xac\nnext\n");
  Harness first(dir / "in.txt", true);
  auto rs = first.poll_all();
  REQUIRE(rs.size() == 3);
  CHECK(position(rs[1]) == 11);
  // A fresh task resumes from the stored position.
  Harness resumed(dir / "in.txt", true, 2000, rs[1].source_offset);
  CHECK(values(resumed.poll_all()) == std::vector<std::string>{"next"});
}

TEST_CASE("batch.size bounds one poll — a file that shrank is read from the start", "[file]") {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 10; ++i) text += fmt::format("l{}\n", i);
  write_file(dir / "in.txt", text);
  Harness h(dir / "in.txt", true, 3);
  std::vector<Record> out;
  h.task->poll(out, 10ms);
  CHECK(out.size() == 3);
  Harness stale(dir / "in.txt", true, 2000, Value(MapEntries{{Value("position"), Value(int64_t{1000})}}));
  CHECK(stale.poll_all().size() == 10);
}

TEST_CASE("a missing file is exhausted under --once and waited for otherwise", "[file]") {
  TempDir dir;
  Harness once(dir / "missing.txt", true);
  std::vector<Record> out;
  CHECK(once.task->poll(out, 10ms) == PollStatus::Exhausted);
  Harness tail(dir / "missing.txt", false);
  CHECK(tail.task->poll(out, 10ms) == PollStatus::Ok);
  CHECK(out.empty());
  write_file(dir / "missing.txt", "x\n");
  tail.task->poll(out, 10ms);
  CHECK(values(out) == std::vector<std::string>{"x"});
}
