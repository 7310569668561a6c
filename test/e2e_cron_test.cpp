// End-to-end: what a cron job relies on — --wait-lock, exit codes (3 with
// --strict) and the summary line per connector.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <thread>

#include <fmt/format.h>

#include "offsets/offset_store.h"
#include "support.h"

using namespace testsupport;
using namespace std::chrono_literals;

namespace {
std::string cron_job(const TempDir& dir, const std::string& sink_extra = "") {
  return lines_job(dir.path(), {.sink_extra = sink_extra});
}
const std::string kJsonSinkTolerant =
    "    value.converter: JsonConverter\n    value.converter.schemas.enable: false\n    errors.tolerance: all\n";
}  // namespace

TEST_CASE("cron: --wait-lock gives up with exit 75 naming the holder pid", "[e2e][cron]") {
  TempDir dir;
  write_file(dir / "in.txt", "a\n");
  write_file(dir / "job.yaml", cron_job(dir));
  connectrun::FileLock held(dir / "offsets.json");  // this test process holds the offsets file
  auto r = run_connectrun({"run", "--once", "--wait-lock", "0.5", dir / "job.yaml"});
  CHECK(r.exit_code == 75);
  CHECK(r.err.find(fmt::format("(pid {})", ::getpid())) != std::string::npos);
  CHECK(r.err.find("gave up after waiting 0.5 s") != std::string::npos);
  CHECK(read_file(dir / "out.txt").empty());
}

TEST_CASE("cron: without --wait-lock a locked offsets file exits 75 at once", "[e2e][cron]") {
  TempDir dir;
  write_file(dir / "in.txt", "a\n");
  write_file(dir / "job.yaml", cron_job(dir));
  connectrun::FileLock held(dir / "offsets.json");
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"});
  CHECK(r.exit_code == 75);
  CHECK(r.err.find("in use by another connectrun process") != std::string::npos);
  CHECK(r.err.find("waiting") == std::string::npos);
}

TEST_CASE("cron: --wait-lock runs once the other process releases the offsets file", "[e2e][cron]") {
  TempDir dir;
  write_file(dir / "in.txt", "a\nb\n");
  write_file(dir / "job.yaml", cron_job(dir));
  auto held = std::make_unique<connectrun::FileLock>(dir / "offsets.json");
  Process p({"run", "--once", "--wait-lock", "120", dir / "job.yaml"}, dir / "log.txt");
  REQUIRE(eventually([&] { return read_file(dir / "log.txt").find("waiting up to 120 s") != std::string::npos; }));
  CHECK(read_file(dir / "out.txt").empty());
  held.reset();  // released: the waiting run proceeds
  INFO(read_file(dir / "log.txt"));
  REQUIRE(p.wait(60s) == 0);
  CHECK(read_file(dir / "out.txt") == "a\nb\n");
}

TEST_CASE("cron: --wait-lock with a bad value is a usage error", "[e2e][cron]") {
  TempDir dir;
  write_file(dir / "job.yaml", cron_job(dir));
  auto r = run_connectrun({"run", "--once", "--wait-lock", "soon", dir / "job.yaml"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--wait-lock") != std::string::npos);
}

TEST_CASE("cron: skipped records exit 0 by default and 3 with --strict", "[e2e][cron]") {
  TempDir dir;
  write_file(dir / "in.txt", "{\"a\":1}\nnot json\n{\"a\":2}\n");
  write_file(dir / "job.yaml", cron_job(dir, kJsonSinkTolerant));
  SECTION("default") {
    auto r = run_connectrun({"run", "--once", dir / "job.yaml"});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.err.find("connector 'snk': 3 read, 2 written, 1 skipped, 0 dead-lettered, ") != std::string::npos);
  }
  SECTION("strict") {
    auto r = run_connectrun({"run", "--once", "--strict", dir / "job.yaml"});
    INFO(r.err);
    CHECK(r.exit_code == 3);
    CHECK(read_file(dir / "out.txt") == "{\"a\":1}\n{\"a\":2}\n");  // everything else was delivered
  }
}

TEST_CASE("cron: --strict exits 0 when nothing was skipped", "[e2e][cron]") {
  TempDir dir;
  write_file(dir / "in.txt", "{\"a\":1}\n");
  write_file(dir / "job.yaml", cron_job(dir, kJsonSinkTolerant));
  auto r = run_connectrun({"run", "--once", "--strict", dir / "job.yaml"});
  INFO(r.err);
  CHECK(r.exit_code == 0);
}

TEST_CASE("cron: a dead-lettered record is counted in the summary and exits 3 with --strict", "[e2e][cron]") {
  TempDir dir;
  write_file(dir / "in.txt", "{\"a\":1}\nnot json\n");
  write_file(dir / "job.yaml", cron_job(dir, kJsonSinkTolerant + "    errors.deadletterqueue.topic.name: dlq\n") +
                                   fmt::format(R"(  - name: dlq-sink
    connector.class: FileStreamSink
    file: {}/dlq.txt
    topics: dlq
)", dir.path()));
  auto r = run_connectrun({"run", "--once", "--strict", dir / "job.yaml"});
  INFO(r.err);
  CHECK(r.exit_code == 3);
  CHECK(r.err.find("connector 'snk': 2 read, 1 written, 0 skipped, 1 dead-lettered, ") != std::string::npos);
  CHECK(read_file(dir / "dlq.txt") == "not json\n");
}

TEST_CASE("cron: a failed connector exits 1 even with --strict", "[e2e][cron]") {
  TempDir dir;
  write_file(dir / "in.txt", "not json\n");
  write_file(dir / "job.yaml", cron_job(dir, "    value.converter: JsonConverter\n"));
  auto r = run_connectrun({"run", "--once", "--strict", dir / "job.yaml"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("FAILED") != std::string::npos);
}

TEST_CASE("cron: the run help documents the exit codes", "[e2e][cron]") {
  auto r = run_connectrun({"run", "--help"});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("3 (only with --strict)") != std::string::npos);
  CHECK(r.out.find("75 the offsets file is in use") != std::string::npos);
}
