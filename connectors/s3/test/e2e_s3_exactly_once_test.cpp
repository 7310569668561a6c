// S3Sink exactly once: kill -9 of the real binary at seeded moments, then a
// run to the end, leaves the same objects with the same bytes as a run
// without kills.
#include <catch2/catch.hpp>

#include <signal.h>

#include <filesystem>
#include <map>
#include <random>
#include <thread>

#include <fmt/format.h>

#include "connectors/s3/test/s3_test_support.h"
#include "support.h"

using namespace testsupport;
using namespace s3test;

namespace {
// Every object of `bucket` downloaded into `into`: relative path → bytes.
std::map<std::string, std::string> contents(const S3rverServer& s3, const std::string& bucket, const std::string& into) {
  std::filesystem::create_directories(into);
  s3.s3cmd(fmt::format("get --recursive --force s3://{}/ {}/", bucket, into));
  std::map<std::string, std::string> out;
  for (auto& e : std::filesystem::recursive_directory_iterator(into))
    if (e.is_regular_file()) out[std::filesystem::relative(e.path(), into).string()] = read_file(e.path().string());
  return out;
}
}  // namespace

TEST_CASE("S3Sink crash loop of five seeded kill -9 leaves the objects of a run without kills", "[s3][e2e]") {
  S3rverServer s3({"clean", "crashed"});
  const std::string extra = "    flush.size: 500\n    s3.compression.type: gzip\n";
  std::string input = json_lines(0, 20000);
  TempDir clean, crashed;
  write_file(clean / "in.txt", input);
  write_file(crashed / "in.txt", input);
  write_file(clean / "job.yaml", sink_job(s3, SinkJob{.dir = clean.path(), .bucket = "clean", .sink_extra = extra}));
  write_file(crashed / "job.yaml", sink_job(s3, SinkJob{.dir = crashed.path(), .bucket = "crashed", .sink_extra = extra}));
  auto started = std::chrono::steady_clock::now();
  auto r = run_connectrun({"run", "--once", clean / "job.yaml"}, std::chrono::seconds(120));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  // Kills land at seeded fractions of the time a whole run takes on this
  // machine, so the first one falls mid-run on a fast machine as on a slow one.
  auto whole_ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count();

  std::mt19937 rng(17);
  std::uniform_real_distribution<double> fraction(0.1, 0.6);
  int killed = 0;
  for (int i = 0; i < 5; ++i) {
    Process p({"run", "--once", crashed / "job.yaml"}, crashed / fmt::format("run{}.log", i));
    std::this_thread::sleep_for(std::chrono::milliseconds(static_cast<long>(fraction(rng) * static_cast<double>(whole_ms))));
    p.signal(SIGKILL);
    if (p.wait(std::chrono::seconds(30)) == 128 + SIGKILL) ++killed;
  }
  auto last = run_connectrun({"run", "--once", crashed / "job.yaml"}, std::chrono::seconds(120));
  INFO(last.err);
  REQUIRE(last.exit_code == 0);
  CHECK(killed >= 1);  // at least one kill landed before the run ended

  auto want = contents(s3, "clean", clean / "got");
  auto got = contents(s3, "crashed", crashed / "got");
  CHECK(want.size() == 40);
  REQUIRE(got.size() == want.size());
  for (auto& [name, bytes] : want) {
    INFO(name);
    CHECK(got[name] == bytes);
  }
}
