// End-to-end: records a converter cannot write or read never wedge a pipeline.
#include <catch2/catch.hpp>

#include "support.h"

using namespace testsupport;

// The case: a line that is not valid UTF-8, JsonConverter on both sides.
// The source used to write the raw bytes into a JSON string, the sink refused
// them, and both connectors failed on every run with the offset stuck.
TEST_CASE("a line that is not UTF-8 crosses JsonConverter as U+FFFD — the pipeline never wedges", "[e2e][errors][utf8]") {
  TempDir dir;
  const std::string input = "ok\ncaf\xE9\nend\n";  // Latin-1 'é': a lead byte without its continuation
  write_file(dir / "in.txt", input);
  write_file(dir / "job.yaml", lines_job(dir.path(), {.value_converter = "JsonConverter",
                                                       .worker_extra = "  value.converter.schemas.enable: false\n"}));
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(read_file(dir / "out.txt") == "ok\ncaf\xEF\xBF\xBD\nend\n");
  CHECK(stored_position(dir / "offsets.json") == static_cast<long>(input.size()));
  // Nothing is left behind: a second run has nothing to do.
  auto again = run_connectrun({"run", "--once", dir / "job.yaml"});
  CHECK(again.exit_code == 0);
  CHECK(read_file(dir / "out.txt") == "ok\ncaf\xEF\xBF\xBD\nend\n");
}

TEST_CASE("a record the sink's converter cannot read is skipped under errors.tolerance=all and the source offset advances",
          "[e2e][errors]") {
  TempDir dir;
  const std::string input = "{\"a\":1}\nnot json\n{\"a\":2}\n";
  write_file(dir / "in.txt", input);
  write_file(dir / "job.yaml",
             lines_job(dir.path(), {.sink_extra = "    value.converter: JsonConverter\n"
                                                  "    value.converter.schemas.enable: false\n"
                                                  "    errors.tolerance: all\n"}));
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(read_file(dir / "out.txt") == "{\"a\":1}\n{\"a\":2}\n");
  CHECK(r.err.find("1 skipped") != std::string::npos);
  // The skipped record's offset is stored with the rest: the next run does not meet it again.
  CHECK(stored_position(dir / "offsets.json") == static_cast<long>(input.size()));
  auto again = run_connectrun({"run", "--once", dir / "job.yaml"});
  INFO(again.err);
  CHECK(again.exit_code == 0);
  CHECK(again.err.find("1 skipped") == std::string::npos);
  CHECK(read_file(dir / "out.txt") == "{\"a\":1}\n{\"a\":2}\n");
}
