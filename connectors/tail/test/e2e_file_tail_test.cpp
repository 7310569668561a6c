// FileTail end to end with the real binary: a writer appending while its log
// is rotated (rename, copytruncate, truncation to zero), rotation while
// connectrun was stopped, 200 files by one glob, and kill -9 in the middle.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <map>
#include <string>
#include <thread>

#include <fmt/format.h>

#include "support.h"

using namespace testsupport;
using namespace std::chrono_literals;

namespace {

std::string tail_job(const TempDir& dir, const std::string& paths, const std::string& extra = "") {
  return fmt::format(R"(worker:
  offset.storage.file.filename: {0}/offsets.json
  offset.flush.interval.ms: 200
  key.converter: StringConverter
  value.converter: StringConverter
connectors:
  - name: src
    connector.class: FileTail
    paths: {1}
    topic: lines
    glob.interval.ms: 200
    rotate.wait.ms: 1000
{2}  - name: snk
    connector.class: FileStreamSink
    file: {0}/out.txt
    topics: lines
)",
                     dir.path(), paths, extra);
}

// Output lines are "<stream> <n>": per stream, the numbers in order.
std::map<std::string, std::vector<int>> by_stream(const std::vector<std::string>& lines) {
  std::map<std::string, std::vector<int>> out;
  for (auto& l : lines) {
    auto sp = l.find(' ');
    REQUIRE(sp != std::string::npos);
    out[l.substr(0, sp)].push_back(std::stoi(l.substr(sp + 1)));
  }
  return out;
}

std::vector<int> range(int from, int to) {
  std::vector<int> v;
  for (int i = from; i < to; ++i) v.push_back(i);
  return v;
}

// At least once and in order: each number is the next new one or replays an
// earlier run in order (after kill -9), and all of [0, n) are there.
void check_at_least_once(const std::string& stream, const std::vector<int>& got, int n) {
  INFO("stream " << stream);
  int expect = 0, next_new = 0;
  for (int v : got) {
    if (v != expect) REQUIRE(v < expect);
    expect = v + 1;
    next_new = std::max(next_new, expect);
  }
  CHECK(next_new == n);
}

void write_all(int fd, const std::string& s) {
  REQUIRE(::write(fd, s.data(), s.size()) == static_cast<ssize_t>(s.size()));
}

}  // namespace

TEST_CASE("FileTail under a steady writer through rename rotation copytruncate and truncation to zero loses and "
          "doubles nothing",
          "[e2e][tail]") {
  TempDir dir;
  const std::string log = dir / "app.log";
  write_file(dir / "job.yaml", tail_job(dir, log));
  Process p({"run", dir / "job.yaml"}, dir / "connectrun.log");
  int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  REQUIRE(fd >= 0);
  std::map<std::string, int> written;  // stream → lines written
  int total = 0;
  auto put = [&](const std::string& stream, int lines) {
    for (int i = 0; i < lines; ++i) {
      write_all(fd, fmt::format("{} {}\n", stream, written[stream]++));
      ++total;
      if (i % 20 == 0) std::this_thread::sleep_for(2ms);
    }
  };
  auto all_out = [&] {
    const bool ok =
        eventually([&] { return static_cast<int>(read_lines(dir / "out.txt").size()) >= total; }, 30s);
    if (!ok) {
      p.signal(SIGTERM);
      p.wait(10s);
      UNSCOPED_INFO(read_file(dir / "connectrun.log") << "\n" << read_lines(dir / "out.txt").size() << " of " << total
                    << shell("ls -li " + dir.path() + "; tail -3 " + dir.path() + "/out.txt"));
    }
    return ok;
  };
  put("g0", 300);
  REQUIRE(all_out());  // connectrun follows the file (it started after the writer)
  put("g0", 100);
  // logrotate create: rename, the writer goes on into the renamed file for a
  // while, then reopens its log under the old name.
  REQUIRE(::rename(log.c_str(), (dir / "app.log.1").c_str()) == 0);
  put("g0", 100);
  ::close(fd);
  fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  put("g1", 300);
  // copytruncate: what was read is kept in a copy, the file is cut to zero and
  // the writer goes on (O_APPEND) from its start. Lines written between the
  // copy and the cut exist only in the copy (logrotate's own gap), so the
  // writer pauses there, as logrotate's copytruncate users must accept.
  REQUIRE(all_out());
  shell(fmt::format("cp {0} {0}.2 && truncate -s 0 {0}", log));
  put("g1", 300);
  // Truncation to zero alone, then lines longer than before.
  REQUIRE(all_out());
  REQUIRE(::ftruncate(fd, 0) == 0);
  put("g1", 200);
  ::close(fd);
  REQUIRE(all_out());
  std::this_thread::sleep_for(1500ms);  // nothing more comes (rotate.wait.ms and a glob pass)
  p.signal(SIGTERM);
  REQUIRE(p.wait(30s) == 0);
  const auto out = read_lines(dir / "out.txt");
  INFO(read_file(dir / "connectrun.log"));
  CHECK(static_cast<int>(out.size()) == total);
  auto streams = by_stream(out);
  CHECK(streams["g0"] == range(0, written["g0"]));
  CHECK(streams["g1"] == range(0, written["g1"]));
  const auto err = read_file(dir / "connectrun.log");
  CHECK(err.find("was truncated") != std::string::npos);
  CHECK(err.find("was renamed or deleted") != std::string::npos);
}

TEST_CASE("FileTail over 200 files by one glob survives kill -9 and rotation while stopped", "[e2e][tail]") {
  TempDir dir;
  ::mkdir((dir / "logs").c_str(), 0755);
#ifdef CONNECTRUN_SANITIZED
  constexpr int kFiles = 200, kLines = 300;  // the sanitized binary runs several times slower
  constexpr auto kRunTimeout = 240s;
#else
  constexpr int kFiles = 200, kLines = 1500;
  constexpr auto kRunTimeout = 60s;
#endif
  for (int f = 0; f < kFiles; ++f) {
    std::string s;
    for (int i = 0; i < kLines; ++i) s += fmt::format("f{} {}\n", f, i);
    write_file(dir / fmt::format("logs/f{}.log", f), s);
  }
  write_file(dir / "logs/skip.gz", "not read\n");
  write_file(dir / "job.yaml", tail_job(dir, dir / "logs/*", "    exclude: \"*.gz\"\n    batch.size: 100\n"));
  {
    // kill -9 in the middle, then a restart reads the rest.
    Process p({"run", dir / "job.yaml"}, dir / "connectrun.log");
    REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() >= static_cast<size_t>(kFiles * kLines / 10); }, 60s));
    p.signal(SIGKILL);
    p.wait(10s);
    CHECK(read_lines(dir / "out.txt").size() < static_cast<size_t>(kFiles * kLines));  // killed in the middle
  }
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"}, kRunTimeout);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto out = read_lines(dir / "out.txt");
  {
    auto streams = by_stream(out);
    CHECK(streams.size() == kFiles);
    for (auto& [s, got] : streams) check_at_least_once(s, got, kLines);
  }
  const size_t before = out.size();
  // While stopped: f0.log is rotated (renamed out of the glob) after more lines,
  // and a new f0.log created; f1.log is truncated and written again.
  {
    std::string more, fresh, again;
    for (int i = kLines; i < kLines + 100; ++i) more += fmt::format("f0 {}\n", i);
    for (int i = 0; i < 50; ++i) fresh += fmt::format("f0b {}\n", i);
    for (int i = 0; i < 20; ++i) again += fmt::format("f1b {}\n", i);
    append_file(dir / "logs/f0.log", more);
    REQUIRE(::rename((dir / "logs/f0.log").c_str(), (dir / "logs/f0.log.1.gz").c_str()) == 0);
    write_file(dir / "logs/f0.log", fresh);
    write_file(dir / "logs/f1.log", again);  // truncated and written (same inode)
  }
  r = run_connectrun({"run", "--once", dir / "job.yaml"}, kRunTimeout);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  out = read_lines(dir / "out.txt");
  const std::vector<std::string> added(out.begin() + static_cast<long>(before), out.end());
  auto streams = by_stream(added);
  CHECK(added.size() == 170);  // exactly the new lines, once each
  CHECK(streams["f0"] == range(kLines, kLines + 100));
  CHECK(streams["f0b"] == range(0, 50));
  CHECK(streams["f1b"] == range(0, 20));
  CHECK(r.err.find("rotated while connectrun was stopped") != std::string::npos);
  // The rotated file's identity was let go: 200 identities remain stored.
  const auto offsets = read_file(dir / "offsets.json");
  size_t n = 0;
  for (size_t at = offsets.find("\"inode\""); at != std::string::npos; at = offsets.find("\"inode\"", at + 1)) ++n;
  CHECK(n == kFiles);
}

TEST_CASE("FileTail run as an unprivileged user skips a file it may not read with one warning", "[e2e][tail]") {
  // As root, chmod 000 denies nothing (CAP_DAC_OVERRIDE): the binary runs as
  // nobody, so the permission check is the kernel's.
  TempDir dir;
  REQUIRE(::chmod(dir.path().c_str(), 0777) == 0);
  write_file(dir / "ok.log", "readable 0\nreadable 1\n");
  write_file(dir / "secret.log", "hidden\n");
  REQUIRE(::chmod((dir / "secret.log").c_str(), 0) == 0);
  write_file(dir / "job.yaml", tail_job(dir, dir / "*.log"));
  int status = -1;
  const auto err = shell(fmt::format("setpriv --reuid=65534 --regid=65534 --clear-groups {} run --once {} 2>&1",
                                     CONNECTRUN_BINARY, dir / "job.yaml"),
                         &status);
  INFO(err);
  CHECK(status == 0);
  CHECK(err.find(fmt::format("cannot open {}: Permission denied; skipped until it can be read", dir / "secret.log")) !=
        std::string::npos);
  CHECK(read_lines(dir / "out.txt") == std::vector<std::string>{"readable 0", "readable 1"});
}

TEST_CASE("FileTail says once that its glob matches nothing yet and reads the file that appears", "[e2e][tail]") {
  TempDir dir;
  write_file(dir / "job.yaml", tail_job(dir, dir / "late*.log"));
  Process p({"run", dir / "job.yaml"}, dir / "connectrun.log");
  std::this_thread::sleep_for(1500ms);  // several glob passes with nothing
  write_file(dir / "late1.log", "first\nsecond\n");
  REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() == 2; }, 20s));
  p.signal(SIGTERM);
  REQUIRE(p.wait(30s) == 0);
  const auto log = read_file(dir / "connectrun.log");
  INFO(log);
  size_t said = 0;
  for (size_t at = log.find("yet; waiting for one"); at != std::string::npos; at = log.find("yet; waiting for one", at + 1))
    ++said;
  CHECK(said == 1);
  CHECK(read_lines(dir / "out.txt") == std::vector<std::string>{"first", "second"});
}
