// End-to-end: bad input and faults get a clear error and lose nothing.
#include <catch2/catch.hpp>

#include <filesystem>
#include <thread>

#include <fmt/format.h>

#include "support.h"

using namespace testsupport;
using namespace std::chrono_literals;

namespace {
std::string job(const TempDir& dir, const std::string& sink_file, const std::string& sink_extra = "",
                const std::string& offsets = "") {
  return lines_job(dir.path(), {.out = sink_file, .offsets = offsets, .sink_extra = sink_extra});
}

}  // namespace

TEST_CASE("a sink path that cannot be written fails the connector with the path and the OS error", "[e2e][errors]") {
  TempDir dir;
  write_file(dir / "in.txt", "a\nb\n");
  write_file(dir / "job.yaml", job(dir, dir / "no-such-dir/out.txt"));
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find(dir / "no-such-dir/out.txt") != std::string::npos);
  CHECK(r.err.find("No such file or directory") != std::string::npos);
  // Nothing was delivered, so nothing was stored: a later run reads everything.
  write_file(dir / "job.yaml", job(dir, dir / "out.txt"));
  auto r2 = run_connectrun({"run", "--once", dir / "job.yaml"});
  INFO(r2.err);
  REQUIRE(r2.exit_code == 0);
  CHECK(read_file(dir / "out.txt") == "a\nb\n");
}

TEST_CASE("a corrupt offsets file is refused, never silently reset", "[e2e][errors]") {
  TempDir dir;
  write_file(dir / "in.txt", "a\n");
  write_file(dir / "offsets.json", "{\"offsets\":[{\"key\":[\"src\",{\"filename\":");
  write_file(dir / "job.yaml", job(dir, dir / "out.txt"));
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("is corrupt") != std::string::npos);
  CHECK(r.err.find(dir / "offsets.json") != std::string::npos);
  CHECK(read_file(dir / "out.txt").empty());
  CHECK(read_file(dir / "offsets.json") == "{\"offsets\":[{\"key\":[\"src\",{\"filename\":");
}

TEST_CASE("a second process on the same offsets file exits at once with a clear message", "[e2e][errors]") {
  TempDir dir;
  write_file(dir / "in.txt", "a\n");
  write_file(dir / "job.yaml", job(dir, dir / "out.txt"));
  Process first({"run", dir / "job.yaml"}, dir / "log.txt");
  REQUIRE(eventually([&] { return read_file(dir / "out.txt") == "a\n"; }));
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"});
  CHECK(r.exit_code == 75);
  CHECK(r.err.find("in use by another connectrun process") != std::string::npos);
  first.signal(SIGTERM);
  CHECK(first.wait(20s) == 0);
}

TEST_CASE("a source file that does not exist yet is waited for, and said so once", "[e2e][errors]") {
  TempDir dir;
  write_file(dir / "job.yaml", job(dir, dir / "out.txt"));
  Process p({"run", dir / "job.yaml"}, dir / "log.txt");
  REQUIRE(eventually([&] { return read_file(dir / "log.txt").find("waiting for it") != std::string::npos; }));
  std::this_thread::sleep_for(1500ms);
  write_file(dir / "in.txt", "late\n");
  REQUIRE(eventually([&] { return read_file(dir / "out.txt") == "late\n"; }));
  p.signal(SIGINT);
  REQUIRE(p.wait(20s) == 0);
  auto log = read_file(dir / "log.txt");
  auto first = log.find("waiting for it");
  CHECK(log.find("waiting for it", first + 1) == std::string::npos);
}

TEST_CASE("a line that is not JSON: tolerance none fails naming the record — all skips and counts it", "[e2e][errors]") {
  TempDir dir;
  write_file(dir / "in.txt", "{\"a\":1}\nnot json\n{\"a\":2}\n");
  std::string sink_json = "    value.converter: JsonConverter\n    value.converter.schemas.enable: false\n";
  SECTION("none") {
    write_file(dir / "job.yaml", job(dir, dir / "out.txt", sink_json));
    auto r = run_connectrun({"run", "--once", dir / "job.yaml"});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("Tolerance exceeded") != std::string::npos);
    CHECK(r.err.find("topic 'lines' partition 0 offset 1") != std::string::npos);
    // Nothing after the failure was stored: the source's offset did not advance.
    CHECK(read_file(dir / "offsets.json").find("\"position\":") == std::string::npos);
  }
  SECTION("all") {
    write_file(dir / "job.yaml", job(dir, dir / "out.txt", sink_json + "    errors.tolerance: all\n    errors.log.enable: true\n"));
    auto r = run_connectrun({"run", "--once", dir / "job.yaml"});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(read_file(dir / "out.txt") == "{\"a\":1}\n{\"a\":2}\n");
    CHECK(r.err.find("1 skipped") != std::string::npos);
    CHECK(r.err.find("Error encountered") != std::string::npos);
  }
}

TEST_CASE("offsets on a full or read-only disk: a clear error, the previous file intact", "[e2e][errors]") {
  TempDir dir;
  SmallTmpfs fs(dir / "offsets-disk", "256k");
  if (!fs.mounted) {
    WARN("cannot mount a tmpfs here (not root?); skipping the full-disk case");
    return;
  }
  std::string offsets = fs.path + "/offsets.json";
  write_file(dir / "in.txt", "a\nb\n");
  write_file(dir / "job.yaml", job(dir, dir / "out.txt", "", offsets));
  REQUIRE(run_connectrun({"run", "--once", dir / "job.yaml"}).exit_code == 0);
  std::string before = read_file(offsets);
  REQUIRE(before.find("\"position\":4") != std::string::npos);

  SECTION("full") {
    fs.fill();
    append_file(dir / "in.txt", "c\n");
    auto r = run_connectrun({"run", "--once", dir / "job.yaml"});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("No space left on device") != std::string::npos);
    CHECK(read_file(offsets) == before);
    // Cleared: nothing lost (c is written again at worst, never skipped).
    fs.remove_fill();
    REQUIRE(run_connectrun({"run", "--once", dir / "job.yaml"}).exit_code == 0);
    auto out = read_lines(dir / "out.txt");
    REQUIRE(out.size() >= 3);
    CHECK(out[0] == "a");
    CHECK(out[1] == "b");
    CHECK(out.back() == "c");
    CHECK(read_file(offsets).find("\"position\":6") != std::string::npos);
  }
  SECTION("read-only") {
    fs.remount_read_only();
    append_file(dir / "in.txt", "c\n");
    auto r = run_connectrun({"run", "--once", dir / "job.yaml"});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("Read-only file system") != std::string::npos);
    CHECK(read_file(offsets) == before);
  }
}
