// FileStreamSource on real files, driven directly as the engine drives it.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <atomic>
#include <map>

#include <fmt/format.h>

#include "connectors/connectors.h"
#include "connectors/file/line_scan.h"
#include "connectors/file/utf8_text.h"
#include "plugin/registry.h"
#include "ops/log.h"
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
  bool tolerate = false;            // errors.tolerance=all
  std::vector<std::string> errors;  // what the task reported to the error policy

  Harness(const std::string& file, bool once, int batch = 2000, Value stored_offset = {},
          const std::map<std::string, std::string>& extra = {}, bool tolerate_all = false)
      : stored(std::move(stored_offset)), tolerate(tolerate_all) {
    const PluginInfo* info = builtin_plugins().find("FileStreamSource", {PluginKind::Source});
    config::RawConfig raw{{"file", {file, {}}}, {"topic", {"t", {}}}, {"batch.size", {std::to_string(batch), {}}}};
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
    ctx.offset_for = [this](const Value&) { return stored; };
    ctx.on_error = [this](const std::string& position, const std::exception& e) {
      errors.push_back(position + ": " + e.what());
      if (!tolerate) throw ConnectError(errors.back());
    };
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
  for (auto& r : rs)
    if (!r.offset_only) out.push_back(r.value.as<std::string>());
  return out;
}

int64_t position(const Record& r) { return r.source_offset.find("position")->as<int64_t>(); }
}  // namespace

TEST_CASE("lines end with LF, CRLF or CR — a last line without one waits", "[file]") {
  TempDir dir;
  write_file(dir / "in.txt", "a\nbb\r\nccc\rdd\r");
  Harness h(dir / "in.txt", true, 1);  // one record per poll: each carries its offset
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
  Harness first(dir / "in.txt", true, 1);
  auto rs = first.poll_all();
  REQUIRE(rs.size() == 3);
  CHECK(position(rs[1]) == 11);
  // A fresh task resumes from the stored position.
  Harness resumed(dir / "in.txt", true, 2000, rs[1].source_offset);
  CHECK(values(resumed.poll_all()) == std::vector<std::string>{"next"});
}

// Offsets are stored per poll (connector.h): only a poll's last record carries one.
TEST_CASE("a poll's source offset is on its last record only", "[file]") {
  TempDir dir;
  write_file(dir / "in.txt", "a\nbb\nccc\n");
  Harness h(dir / "in.txt", true);
  std::vector<Record> out;
  h.task->poll(out, 10ms);
  REQUIRE(out.size() == 3);
  CHECK(!out[0].source_partition);
  CHECK(out[0].source_offset.is_null());
  CHECK(!out[1].source_partition);
  REQUIRE(out[2].source_partition);
  CHECK(*out[2].source_partition == Value(MapEntries{{Value("filename"), Value(dir / "in.txt")}}));
  CHECK(position(out[2]) == 9);
  // A poll cut short by batch.size ends with an offset too.
  write_file(dir / "in2.txt", "a\nbb\nccc\n");
  Harness small(dir / "in2.txt", true, 2);
  std::vector<Record> first;
  small.task->poll(first, 10ms);
  REQUIRE(first.size() == 2);
  CHECK(!first[0].source_partition);
  CHECK(position(first[1]) == 5);
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

TEST_CASE("max.line.bytes: a longer line is never held — tolerance none fails at its position, all skips it", "[file]") {
  TempDir dir;
  // Lines of 3, 12 and 4 bytes; the bound is 10 (the buffer never needs more than 12).
  write_file(dir / "in.txt", "abc\n" + std::string(12, 'x') + "\r\nfour\n");
  const std::map<std::string, std::string> bound{{"max.line.bytes", "10"}};
  SECTION("errors.tolerance=none: the line before is returned first, then the task fails naming file, byte and key") {
    Harness h(dir / "in.txt", true, 2000, {}, bound);
    std::vector<Record> out;
    CHECK(h.task->poll(out, 10ms) == PollStatus::Ok);
    REQUIRE(values(out) == std::vector<std::string>{"abc"});
    CHECK(position(out[0]) == 4);
    REQUIRE_THROWS_WITH(h.task->poll(out, 10ms),
                        Catch::Contains(dir / "in.txt byte 4") &&
                            Catch::Contains("longer than max.line.bytes (10 bytes) at byte 4 of " + dir / "in.txt"));
  }
  SECTION("errors.tolerance=all: skipped (reported once), its offset passed, the next line read") {
    Harness h(dir / "in.txt", true, 2000, {}, bound, true);
    auto rs = h.poll_all();
    REQUIRE(rs.size() == 3);
    CHECK(values(rs) == std::vector<std::string>{"abc", "four"});
    CHECK(rs[1].offset_only);
    CHECK(position(rs[1]) == 18);  // after "xxxxxxxxxxxx\r\n"
    CHECK(position(rs[2]) == 23);
    REQUIRE(h.errors.size() == 1);
    CHECK_THAT(h.errors[0], Catch::Contains("byte 4"));
  }
  SECTION("a line of exactly max.line.bytes is read, also with a \\r\\n split across reads") {
    write_file(dir / "exact.txt", std::string(10, 'y') + "\r");
    Harness h(dir / "exact.txt", true, 2000, {}, bound);
    CHECK(h.poll_all().empty());
    append_file(dir / "exact.txt", "\nz\n");
    CHECK(values(h.poll_all()) == std::vector<std::string>{std::string(10, 'y'), "z"});
    CHECK(h.errors.empty());
  }
}

TEST_CASE("a line with no end is dropped as it is read, and a poll returns while it is", "[file]") {
  TempDir dir;
  // 64 MB of one line with no newline (a sparse file, as copytruncate can leave).
  const std::string path = dir / "hole.txt";
  write_file(path, "");
  REQUIRE(::truncate(path.c_str(), 64 << 20) == 0);
  Harness h(path, true, 2000, {}, {}, true);
  std::vector<Record> out;
  int polls = 0;
  while (h.task->poll(out, 10ms) != PollStatus::Exhausted) ++polls;
  CHECK(out.empty());  // the line never ended: nothing to skip past yet
  CHECK(polls >= 12);  // at most 4 MiB per poll, so a stop is seen between them
  CHECK(h.errors.size() == 1);  // reported once, when the line passed the bound
}

TEST_CASE("batch.max.bytes bounds one poll in bytes — at least one line, however long", "[file]") {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 10; ++i) text += std::string(300, static_cast<char>('a' + i)) + "\n";
  write_file(dir / "in.txt", text);
  Harness h(dir / "in.txt", true, 2000, {}, {{"batch.max.bytes", "1000"}, {"max.line.bytes", "500"}});
  std::vector<Record> out;
  h.task->poll(out, 10ms);
  CHECK(out.size() == 3);  // 900 bytes; a fourth line would pass 1000
  Harness one(dir / "in.txt", true, 2000, {}, {{"batch.max.bytes", "1"}});
  std::vector<Record> single;
  one.task->poll(single, 10ms);
  CHECK(single.size() == 1);
}

TEST_CASE("invalid UTF-8 becomes U+FFFD as Java's decoder makes it — positions stay in bytes", "[file]") {
  TempDir dir;
  write_file(dir / "in.txt", "ok \xff\xfe end\n\xe2\x82\nnext\n");
  Harness h(dir / "in.txt", true, 1);
  auto rs = h.poll_all();
  REQUIRE(values(rs) == std::vector<std::string>{"ok \xEF\xBF\xBD\xEF\xBF\xBD end", "\xEF\xBF\xBD", "next"});
  CHECK(position(rs[0]) == 10);
  CHECK(position(rs[1]) == 13);
  CHECK(position(rs[2]) == 18);
}

TEST_CASE("decode_utf8_line follows sun.nio.cs.UTF_8: one U+FFFD per malformed sequence", "[file]") {
  using connectrun::file::decode_utf8_line;
  const std::string R = "\xEF\xBF\xBD";
  // Valid text, including 4-byte characters, is left as it is.
  CHECK(decode_utf8_line("h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") == "h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  CHECK(decode_utf8_line("\x80") == R);                       // a lone continuation byte
  CHECK(decode_utf8_line("\xc0\xaf") == R + R);              // C0/C1 never start a character
  CHECK(decode_utf8_line("\xc3") == R);                       // cut short by the end of the line
  CHECK(decode_utf8_line("\xe2\x82") == R);                  // a maximal subpart: one replacement
  CHECK(decode_utf8_line("\xe2\x82x") == R + "x");
  CHECK(decode_utf8_line("\xe0\x80\x80") == R + R + R);     // overlong: the lead alone, then each byte
  CHECK(decode_utf8_line("\xed\xa0\x80") == R);             // a surrogate: Java replaces all 3 bytes at once
  CHECK(decode_utf8_line("\xed\xa0x") == R + "x");           // … and 2 when the third is missing
  CHECK(decode_utf8_line("\xf0\x9f\x98") == R);             // 3 of 4 bytes
  CHECK(decode_utf8_line("\xf0\x9f") == R);
  CHECK(decode_utf8_line("\xf0\x80\x80\x80") == R + R + R + R);  // overlong 4-byte
  CHECK(decode_utf8_line("\xf4\x90\x80\x80") == R + R + R + R);  // above U+10FFFF
  CHECK(decode_utf8_line("\xf5\x80") == R + R);
  CHECK(decode_utf8_line("\xff") == R);
  // A bad byte anywhere in a longer line is found (the ASCII check reads words, then the overlapping tail).
  for (size_t at = 0; at < 41; ++at) {
    std::string line(41, 'a');
    line[at] = '\xff';
    std::string expected = std::string(at, 'a') + R + std::string(40 - at, 'a');
    INFO("bad byte at " << at);
    CHECK(decode_utf8_line(line) == expected);
  }
}

TEST_CASE("find_line_end finds the first terminator and whether the line before it is ASCII", "[file]") {
  using connectrun::file::find_line_end;
  using connectrun::file::find_line_end_sse2;
  // The plain byte-by-byte answer, against which the 64- and 32-byte (AVX2, where the
  // CPU has it) and 16-byte scans are checked at every place around their block boundaries.
  struct Expected {
    size_t length, terminator;
    bool ascii;
  };
  auto reference = [](const std::string& s) -> Expected {
    bool ascii = true;
    for (size_t i = 0; i < s.size(); ++i) {
      if (s[i] == '\n') return {i, 1, ascii};
      if (s[i] == '\r') {
        if (i + 1 == s.size()) return {i, 0, ascii};
        return {i, s[i + 1] == '\n' ? size_t{2} : size_t{1}, ascii};
      }
      if (static_cast<unsigned char>(s[i]) >= 0x80) ascii = false;
    }
    return {s.size(), 0, false};
  };
  const std::vector<std::string> ends = {"\n", "\r", "\r\n", ""};
  for (size_t len = 0; len <= 135; ++len) {  // past the 64-byte steps, the 32-byte one and the byte tail
    for (const auto& end : ends) {
      // -1: no byte >= 0x80; else its place, before the terminator or after it.
      for (int high = -1; high <= static_cast<int>(len + end.size() + 1); ++high) {
        std::string s = std::string(len, 'x') + end + "tail of the next line";
        if (high >= 0) s[static_cast<size_t>(high)] = '\xc3';
        if (high >= 0 && static_cast<size_t>(high) >= len && static_cast<size_t>(high) < len + end.size()) continue;
        for (size_t avail : {s.size(), len + end.size()}) {
          const std::string in = s.substr(0, avail);
          const Expected want = reference(in);
          INFO("line of " << len << " bytes, terminator " << end.size() << " bytes, byte 0xc3 at " << high
                          << ", " << avail << " bytes available");
          for (const auto& got : {find_line_end(in.data(), in.size()), find_line_end_sse2(in.data(), in.size())}) {
            CHECK(got.length == want.length);
            CHECK(got.terminator == want.terminator);
            if (want.terminator > 0) CHECK(got.ascii == want.ascii);
          }
        }
      }
    }
  }
  // A '\r' as the last byte available waits: it may begin "\r\n".
  CHECK(find_line_end("abc\r", 4).terminator == 0);
  CHECK(find_line_end("abc\r", 4).length == 3);
  // "\r\n" split across the scans' 16-, 32- and 64-byte blocks.
  for (size_t before : {15, 31, 63, 95}) {
    const std::string split = std::string(before, 'a') + "\r\nb";
    CHECK(find_line_end(split.data(), split.size()).terminator == 2);
    CHECK(find_line_end_sse2(split.data(), split.size()).terminator == 2);
  }
}
