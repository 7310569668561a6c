// FileStreamSource end to end: lines with no end or too long to hold, bytes
// that are not UTF-8, and an input that cannot be read.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "support.h"

using namespace testsupport;
using namespace std::chrono_literals;

namespace {

// Peak resident set of a running process, from /proc (VmHWM), in kB; -1 when unknown.
long peak_rss_kb(pid_t pid) {
  for (auto& line : split_lines(read_file(fmt::format("/proc/{}/status", pid))))
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  return -1;
}

// Memory is a correctness bound here: a line with no end must not be held
// (/dev/zero held would be gigabytes). Under ASan the runtime, its shadow and
// quarantine add a fixed cost that grows with the binary's size (it passed
// 64 MB once the postgres_cdc family and the REST additions were linked), so
// the sanitized build gets twice the room; the normal build keeps 64 MB.
#ifdef CONNECTRUN_SANITIZED
constexpr long kMaxRssKb = 128 * 1024;
#else
constexpr long kMaxRssKb = 64 * 1024;
#endif

#if defined(__SANITIZE_THREAD__)
constexpr bool kThreadSanitizer = true;
#elif defined(__has_feature)
constexpr bool kThreadSanitizer = __has_feature(thread_sanitizer);
#else
constexpr bool kThreadSanitizer = false;
#endif

// The bound holds in the normal build and under ASan; ThreadSanitizer's
// shadow memory is several times the program's own, so there it is not checked.
bool rss_within_bound(long kb) {
  if (kThreadSanitizer) {
    WARN("ThreadSanitizer build: peak RSS " << kb << " kB not checked against the bound");
    return true;
  }
  INFO("peak RSS " << kb << " kB, bound " << kMaxRssKb << " kB");
  return kb > 0 && kb < kMaxRssKb;
}

// ASan keeps freed memory in a quarantine (256 MB by default), which the
// child's peak would count: off for the children of a test that measures them
// (ctest runs each test in a process of its own, so no other test is affected).
void asan_quarantine_off() {
#ifdef CONNECTRUN_SANITIZED
  const char* now = std::getenv("ASAN_OPTIONS");
  std::string options = now ? std::string(now) + ":" : std::string();
  ::setenv("ASAN_OPTIONS", (options + "quarantine_size_mb=0:thread_local_quarantine_size_kb=0").c_str(), 1);
#endif
}

}  // namespace

TEST_CASE("/dev/zero under --once and errors.tolerance=none: a prompt failure naming the key, memory bounded",
          "[e2e][file]") {
  asan_quarantine_off();
  TempDir dir;
  LinesJob job;
  job.in = "/dev/zero";
  write_file(dir / "job.yaml", lines_job(dir.path(), job));
  const auto started = std::chrono::steady_clock::now();
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"}, 30s);
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(std::chrono::steady_clock::now() - started < 10s);
  CHECK(r.err.find("/dev/zero byte 0") != std::string::npos);
  CHECK(r.err.find("longer than max.line.bytes (1048576 bytes) at byte 0 of /dev/zero; raise max.line.bytes") !=
        std::string::npos);
  CHECK(rss_within_bound(r.max_rss_kb));
}

TEST_CASE("/dev/zero under errors.tolerance=all: dropped as read, memory bounded, SIGTERM stops it at once",
          "[e2e][file]") {
  asan_quarantine_off();
  TempDir dir;
  LinesJob job;
  job.in = "/dev/zero";
  job.source_extra = "    errors.tolerance: all\n";
  write_file(dir / "job.yaml", lines_job(dir.path(), job));
  Process p({"run", dir / "job.yaml"}, dir / "log.txt");
  std::this_thread::sleep_for(1s);
  const long rss = peak_rss_kb(p.pid());
  const auto signalled = std::chrono::steady_clock::now();
  p.signal(SIGTERM);
  const int code = p.wait(10s);
  INFO(read_file(dir / "log.txt"));
  CHECK(code == 0);
  CHECK(std::chrono::steady_clock::now() - signalled < 3s);
  CHECK(rss_within_bound(rss));
  CHECK(read_file(dir / "log.txt").find("at byte 0 of /dev/zero") != std::string::npos);
}

TEST_CASE("a 3 MB line between short lines: tolerance all skips and counts it — none fails before it", "[e2e][file]") {
  TempDir dir;
  const std::string head = "first\nsecond\n";
  write_file(dir / "in.txt", head + std::string(3 << 20, 'x') + "\nthird\n");
  const long size = static_cast<long>(head.size()) + (3 << 20) + 7;
  SECTION("errors.tolerance=all") {
    LinesJob job;
    job.source_extra = "    errors.tolerance: all\n";
    write_file(dir / "job.yaml", lines_job(dir.path(), job));
    auto r = run_connectrun({"run", "--once", dir / "job.yaml"});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(read_file(dir / "out.txt") == "first\nsecond\nthird\n");
    CHECK(r.err.find("connector 'src': 4 read, 3 written, 1 skipped") != std::string::npos);
    CHECK(r.err.find(fmt::format("at byte {} of {}", head.size(), dir / "in.txt")) != std::string::npos);
    CHECK(stored_position(dir / "offsets.json") == size);
    // Its offset was passed: a second run reads nothing again.
    auto again = run_connectrun({"run", "--once", dir / "job.yaml"});
    CHECK(again.exit_code == 0);
    CHECK(read_file(dir / "out.txt") == "first\nsecond\nthird\n");
    CHECK(again.err.find("connector 'src': 0 read, 0 written, 0 skipped") != std::string::npos);
  }
  SECTION("errors.tolerance=none") {
    write_file(dir / "job.yaml", lines_job(dir.path()));
    auto r = run_connectrun({"run", "--once", dir / "job.yaml"});
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find(fmt::format("{} byte {}", dir / "in.txt", head.size())) != std::string::npos);
    CHECK(r.err.find("raise max.line.bytes") != std::string::npos);
    CHECK(read_file(dir / "out.txt") == head);  // the lines before it were delivered…
    CHECK(stored_position(dir / "offsets.json") == static_cast<long>(head.size()));  // …and the offset stops there
  }
}

TEST_CASE("invalid UTF-8 under JsonConverter: U+FFFD in its place, delivered once, never re-read", "[e2e][file]") {
  TempDir dir;
  write_file(dir / "in.txt", "caf\xe9 ok\nbad \xff\xfe end\nfine\n");
  LinesJob job;
  job.value_converter = "JsonConverter";
  job.worker_extra = "  value.converter.schemas.enable: false\n";
  write_file(dir / "job.yaml", lines_job(dir.path(), job));
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string expected = "caf\xEF\xBF\xBD ok\nbad \xEF\xBF\xBD\xEF\xBF\xBD end\nfine\n";
  CHECK(read_file(dir / "out.txt") == expected);
  CHECK(stored_position(dir / "offsets.json") == static_cast<long>(read_file(dir / "in.txt").size()));
  auto again = run_connectrun({"run", "--once", dir / "job.yaml"});
  INFO(again.err);
  CHECK(again.exit_code == 0);
  CHECK(read_file(dir / "out.txt") == expected);
}

TEST_CASE("a source path that exists but cannot be read fails the connector with the path and the OS error",
          "[e2e][file]") {
  // A directory at the path: read(2) fails with EISDIR, for root too (chmod
  // 000 does not stop root, which the tests may run as).
  TempDir dir;
  LinesJob job;
  job.in = dir / "input-dir";
  write_file(dir / "job.yaml", lines_job(dir.path(), job));
  REQUIRE(shell("mkdir " + dir / "input-dir" + " && echo ok") == "ok\n");
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("cannot read " + dir / "input-dir" + ": Is a directory") != std::string::npos);
}

TEST_CASE("long lines: memory stays within one poll and the bus's bound", "[e2e][file]") {
  asan_quarantine_off();
  // 100 lines of 1 MB: one poll of batch.size lines held them all (and their
  // serialised copies) before batch.max.bytes; now a poll holds about 1 MiB.
  TempDir dir;
  // Appended a line at a time: the child's peak (wait4's ru_maxrss) counts
  // what this process held when it forked.
  const std::string line = std::string(999999, 'x') + "\n";
  write_file(dir / "in.txt", "");
  for (int i = 0; i < 100; ++i) append_file(dir / "in.txt", line);
  write_file(dir / "job.yaml", lines_job(dir.path()));
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(read_file(dir / "out.txt").size() == 100u * line.size());
  CHECK(rss_within_bound(r.max_rss_kb));
}
