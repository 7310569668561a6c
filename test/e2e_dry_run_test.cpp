// End-to-end: `run --dry-run` shows records as they would be written, and
// writes nothing: no sink output, no offsets.
#include <catch2/catch.hpp>

#include <filesystem>

#include <fmt/format.h>

#include "support.h"

using namespace testsupport;
using namespace std::chrono_literals;

namespace {
std::string dry_job(const TempDir& dir, const std::string& source_extra = "") {
  return lines_job(dir.path(), {.value_converter = "JsonConverter",
                                .worker_extra = "  value.converter.schemas.enable: false\n",
                                .source_extra = source_extra});
}
}  // namespace

TEST_CASE("dry run: records through transforms and converters, nothing written or stored", "[e2e][dryrun]") {
  TempDir dir;
  write_file(dir / "in.txt", "one\ntwo\nthree\n");
  write_file(dir / "job.yaml", dry_job(dir, R"(    transforms: hoist,route,hdr
    transforms.hoist.type: HoistField$Value
    transforms.hoist.field: line
    transforms.route.type: RegexRouter
    transforms.route.regex: lines
    transforms.route.replacement: routed
    transforms.hdr.type: InsertHeader
    transforms.hdr.header: origin
    transforms.hdr.value.literal: dry
)"));
  auto r = run_connectrun({"run", "--dry-run", "--max-records", "2", dir / "job.yaml"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("topic=routed partition=- key=null value={\"line\":\"one\"} headers=[origin=dry]\n") != std::string::npos);
  CHECK(r.out.find("value={\"line\":\"two\"}") != std::string::npos);
  CHECK(r.out.find("three") == std::string::npos);  // --max-records 2
  CHECK(r.out.find("# connector 'src': 2 pulled, 2 shown") != std::string::npos);
  CHECK(!std::filesystem::exists(dir / "out.txt"));
  CHECK(!std::filesystem::exists(dir / "offsets.json"));
}

TEST_CASE("dry run resumes from the stored offsets and leaves them as they were", "[e2e][dryrun]") {
  TempDir dir;
  write_file(dir / "in.txt", "a\nb\n");
  write_file(dir / "job.yaml", dry_job(dir));
  REQUIRE(run_connectrun({"run", "--once", dir / "job.yaml"}).exit_code == 0);
  append_file(dir / "in.txt", "c\n");
  std::string before = read_file(dir / "offsets.json");
  auto r = run_connectrun({"run", "--dry-run", dir / "job.yaml"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("value=\"c\"") != std::string::npos);
  CHECK(r.out.find("value=\"a\"") == std::string::npos);
  CHECK(read_file(dir / "offsets.json") == before);
  CHECK(read_file(dir / "out.txt") == "a\nb\n");  // the first run only
}

TEST_CASE("dry run escapes bytes that are not printable", "[e2e][dryrun]") {
  TempDir dir;
  write_file(dir / "in.txt", std::string("tab\there\\\x01\n"));
  write_file(dir / "job.yaml", dry_job(dir, "    value.converter: StringConverter\n"));
  auto r = run_connectrun({"run", "--dry-run", dir / "job.yaml"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("value=tab\\x09here\\\\\\x01 headers=[]") != std::string::npos);
}

TEST_CASE("dry run: a record failing under errors.tolerance=none exits 1 naming the stage", "[e2e][dryrun]") {
  TempDir dir;
  write_file(dir / "in.txt", "a\n");
  write_file(dir / "job.yaml", dry_job(dir, R"(    transforms: cast
    transforms.cast.type: Cast$Value
    transforms.cast.spec: int32
)"));
  auto r = run_connectrun({"run", "--dry-run", dir / "job.yaml"});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("TRANSFORMATION") != std::string::npos);
  CHECK(!std::filesystem::exists(dir / "offsets.json"));
}

TEST_CASE("dry run: --max-records needs --dry-run and a positive count", "[e2e][dryrun]") {
  TempDir dir;
  write_file(dir / "job.yaml", dry_job(dir));
  CHECK(run_connectrun({"run", "--max-records", "5", dir / "job.yaml"}).exit_code == 2);
  CHECK(run_connectrun({"run", "--dry-run", "--max-records", "0", dir / "job.yaml"}).exit_code == 2);
}
