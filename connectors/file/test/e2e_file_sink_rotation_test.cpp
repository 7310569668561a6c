// FileStreamSink under logrotate's create mode: the file is renamed while a
// job writes (and a new one created, or not), and the sink goes on in a file
// under its path: every line is in one of the files, none lost, none doubled.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <thread>

#include <fmt/format.h>

#include "support.h"

using namespace testsupport;
using namespace std::chrono_literals;

TEST_CASE("FileStreamSink reopens its file when logrotate renames it or it is deleted", "[e2e][file]") {
  TempDir dir;
  LinesJob job;
  job.worker_extra = "  offset.flush.interval.ms: 200\n";
  write_file(dir / "job.yaml", lines_job(dir.path(), job));
  write_file(dir / "in.txt", "");
  Process p({"run", dir / "job.yaml"}, dir / "connectrun.log");
  std::vector<std::string> input;
  int n = 0;
  auto put = [&](int lines) {
    for (int i = 0; i < lines; ++i, ++n) {
      input.push_back(fmt::format("line {}", n));
      append_file(dir / "in.txt", input.back() + "\n");
      if (i % 50 == 0) std::this_thread::sleep_for(5ms);
    }
  };
  auto count = [&] {
    return read_lines(dir / "out.txt").size() + read_lines(dir / "out.txt.1").size() +
           read_lines(dir / "out.txt.2").size();
  };
  put(1000);
  REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() > 100; }));
  // create mode: rename, then a new empty file made by the rotator.
  shell(fmt::format("mv {0} {0}.1 && touch {0}", dir / "out.txt"));
  put(1000);
  REQUIRE(eventually([&] { return count() == input.size(); }, 30s));
  // Renamed with no new file (or deleted): the sink creates it again.
  shell(fmt::format("mv {0} {0}.2", dir / "out.txt"));
  put(1000);
  REQUIRE(eventually([&] { return count() == input.size(); }, 30s));
  p.signal(SIGTERM);
  REQUIRE(p.wait(30s) == 0);
  auto all = read_lines(dir / "out.txt.1");
  for (auto name : {"out.txt.2", "out.txt"})
    for (auto& l : read_lines(dir / name)) all.push_back(l);
  INFO(read_file(dir / "connectrun.log"));
  CHECK(all == input);  // in order across the files, each line once
  CHECK(!read_lines(dir / "out.txt.1").empty());
  CHECK(!read_lines(dir / "out.txt.2").empty());
  CHECK(!read_lines(dir / "out.txt").empty());
  CHECK(read_file(dir / "connectrun.log").find("under the sink (rotation): reopening it") != std::string::npos);
}

// logrotate's postrotate `kill -HUP`: the sink reopens its file at the next
// write even when the path still names the open file (no rotation to see).
TEST_CASE("FileStreamSink reopens its file on SIGHUP as daemons do", "[e2e][file]") {
  TempDir dir;
  LinesJob job;
  job.worker_extra = "  offset.flush.interval.ms: 200\n";
  write_file(dir / "job.yaml", lines_job(dir.path(), job));
  write_file(dir / "in.txt", "");
  Process p({"run", dir / "job.yaml"}, dir / "connectrun.log");
  std::vector<std::string> input;
  auto put = [&](int lines) {
    for (int i = 0; i < lines; ++i) {
      input.push_back(fmt::format("line {}", input.size()));
      append_file(dir / "in.txt", input.back() + "\n");
    }
  };
  put(500);
  REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() == input.size(); }, 30s));
  CHECK(read_file(dir / "connectrun.log").find("SIGHUP: reopening") == std::string::npos);
  p.signal(SIGHUP);
  REQUIRE(eventually([&] { return read_file(dir / "connectrun.log").find("reload: restarted") != std::string::npos; }, 30s));
  put(500);
  REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() == input.size(); }, 30s));
  p.signal(SIGTERM);
  REQUIRE(p.wait(30s) == 0);
  INFO(read_file(dir / "connectrun.log"));
  CHECK(read_lines(dir / "out.txt") == input);  // each line once, in order, across the reopen
  CHECK(read_file(dir / "connectrun.log").find("SIGHUP: reopening " + (dir / "out.txt")) != std::string::npos);
}
