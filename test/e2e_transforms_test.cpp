// End-to-end: a YAML job with transform chains on both sides, compared byte
// for byte with an expected output file.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "support.h"

using namespace testsupport;

namespace {
std::string data(const std::string& name) { return std::string(CONNECTRUN_SOURCE_DIR) + "/test/data/transform-chain/" + name; }

std::string job_in(const TempDir& dir) {
  std::string yaml = read_file(data("job.yaml"));
  for (size_t pos; (pos = yaml.find("@DIR@")) != std::string::npos;) yaml.replace(pos, 5, dir.path());
  return yaml;
}
}  // namespace

TEST_CASE("a transform chain with predicates and negate gives the expected file", "[e2e][transform]") {
  TempDir dir;
  write_file(dir / "input.txt", read_file(data("input.txt")));
  write_file(dir / "job.yaml", job_in(dir));
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(read_file(dir / "output.txt") == read_file(data("expected.txt")));
}

TEST_CASE("a record a transform cannot handle: none fails naming the transform, all skips it", "[e2e][transform]") {
  TempDir dir;
  write_file(dir / "input.txt", "{\"n\":\"1\"}\n{\"n\":\"abc\"}\n{\"n\":\"3\"}\n");
  std::string yaml = fmt::format(R"(worker:
  offset.storage.file.filename: {0}/offsets.json
  key.converter: StringConverter
  value.converter: StringConverter
connectors:
  - name: src
    connector.class: FileStreamSource
    file: {0}/input.txt
    topic: t
  - name: snk
    connector.class: FileStreamSink
    file: {0}/output.txt
    topics: t
    value.converter: JsonConverter
    value.converter.schemas.enable: false
    transforms: toInt
    transforms.toInt.type: Cast$Value
    transforms.toInt.spec: n:int32
)",
                                 dir.path());
  SECTION("none") {
    write_file(dir / "job.yaml", yaml);
    auto r = run_connectrun({"run", "--once", dir / "job.yaml"});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("TRANSFORMATION 'toInt' (Cast$Value)") != std::string::npos);
    CHECK(r.err.find("topic 't' partition 0 offset 1") != std::string::npos);
  }
  SECTION("all") {
    write_file(dir / "job.yaml", yaml + "    errors.tolerance: all\n");
    auto r = run_connectrun({"run", "--once", dir / "job.yaml"});
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(read_file(dir / "output.txt") == "{\"n\":1}\n{\"n\":3}\n");
  }
}

// FileStreamSource sets the offset on each poll's last record only (connector.h):
// a record before it is named by the offset that covers it.
TEST_CASE("a source-side transform failure names the record's place in the file", "[e2e][transform][errors]") {
  TempDir dir;
  write_file(dir / "input.txt", "1\nabc\n3\n");  // one poll: "abc" is not its last record
  std::string yaml = fmt::format(R"(worker:
  offset.storage.file.filename: {0}/offsets.json
  key.converter: StringConverter
  value.converter: StringConverter
connectors:
  - name: src
    connector.class: FileStreamSource
    file: {0}/input.txt
    topic: t
    transforms: toInt
    transforms.toInt.type: Cast$Value
    transforms.toInt.spec: int32
  - name: snk
    connector.class: FileStreamSink
    file: {0}/output.txt
    topics: t
)",
                                 dir.path());
  write_file(dir / "job.yaml", yaml);
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("topic 't' (a record before source offset {\"position\":8})") != std::string::npos);
  // Nothing of the failed poll was stored.
  CHECK(stored_position(dir / "offsets.json") == -1);

  write_file(dir / "input.txt", "1\n2\nabc\n");  // the failing record is the poll's last: its own offset
  auto last = run_connectrun({"run", "--once", dir / "job.yaml"});
  INFO(last.err);
  CHECK(last.exit_code == 1);
  CHECK(last.err.find("topic 't' source offset {\"position\":8}") != std::string::npos);
}

TEST_CASE("bad transform configuration is a validation error with location", "[validate][transform]") {
  TempDir dir;
  write_file(dir / "job.yaml", R"(worker:
  offset.storage.file.filename: /tmp/o.json
  key.converter: StringConverter
  value.converter: StringConverter
connectors:
  - name: snk
    connector.class: FileStreamSink
    topics: t
    transforms: a
    transforms.a.type: InsertFeld$Value
)");
  auto r = run_connectrun({"validate", dir / "job.yaml"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find(dir / "job.yaml:10:24") != std::string::npos);
  CHECK(r.err.find("did you mean") != std::string::npos);
}
