// End-to-end: `connectrun test TESTFILE.yaml` (docs/config-tests.md).
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "support.h"

using namespace testsupport;

namespace {
const std::string kSourceDir = CONNECTRUN_SOURCE_DIR;

// A job with one source (JSON values, a field renamed) and one sink (JSON in, a field masked).
std::string tested_job(const TempDir& dir) {
  return fmt::format(R"(worker:
  offset.storage.file.filename: {0}/offsets.json
  key.converter: StringConverter
  value.converter: JsonConverter
  value.converter.schemas.enable: false
connectors:
  - name: src
    connector.class: FileStreamSource
    file: {0}/in.txt
    topic: orders
    transforms: rename
    transforms.rename.type: ReplaceField$Value
    transforms.rename.renames: amt:amount
  - name: snk
    connector.class: FileStreamSink
    file: {0}/out.txt
    topics: orders
    transforms: mask
    transforms.mask.type: MaskField$Value
    transforms.mask.fields: card
)",
                     dir.path());
}
}  // namespace

TEST_CASE("config test: the example in examples/tests passes", "[e2e][configtest]") {
  auto r = run_connectrun({"test", kSourceDir + "/examples/tests/quickstart-test.yaml"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("3 case(s): 3 passed, 0 failed") != std::string::npos);
  auto inline_job = run_connectrun({"test", kSourceDir + "/examples/tests/inline-test.yaml"});
  INFO(inline_job.out << inline_job.err);
  CHECK(inline_job.exit_code == 0);
  CHECK(inline_job.out.find("2 case(s): 2 passed, 0 failed") != std::string::npos);
}

TEST_CASE("config test: a passing source case with a schema exits 0", "[e2e][configtest]") {
  TempDir dir;
  write_file(dir / "job.yaml", tested_job(dir));
  write_file(dir / "t.yaml", R"(job: job.yaml
connector: src
cases:
  - name: renamed
    input:
      topic: orders
      value: {id: 7, amt: 12}
      value_schema:
        type: struct
        fields:
          - {field: id, type: int32}
          - {field: amt, type: int64}
    expect:
      value: {id: 7, amount: 12}
      value_bytes: '{"id":7,"amount":12}'
      conditions:
        value.amount: {equals: 12}
        value.amt: {exists: false}
)");
  auto r = run_connectrun({"test", dir / "t.yaml"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("PASS  renamed") != std::string::npos);
}

TEST_CASE("config test: a failing case prints a diff and exits 1", "[e2e][configtest]") {
  TempDir dir;
  write_file(dir / "job.yaml", tested_job(dir));
  write_file(dir / "t.yaml", R"(job: job.yaml
connector: snk
cases:
  - name: card is masked
    input:
      topic: orders
      value: '{"id":1,"card":"4111"}'
    expect:
      value: {id: 1, card: ""}
  - name: wrong expectation
    input:
      topic: orders
      value: {id: 2, card: "4222"}
    expect:
      value: {id: 2, card: "4222"}
      conditions:
        value.id: {matches: '[0-9]{3}'}
)");
  auto r = run_connectrun({"test", dir / "t.yaml"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("PASS  card is masked") != std::string::npos);
  CHECK(r.out.find(fmt::format("FAIL  wrong expectation ({}:10:5)", dir / "t.yaml")) != std::string::npos);
  CHECK(r.out.find("  - value: {\"id\":2,\"card\":\"4222\"}\n  + value: {\"id\":2,\"card\":\"\"}\n") != std::string::npos);
  CHECK(r.out.find("  - value.id: (matches /[0-9]{3}/)\n  + value.id: 2\n") != std::string::npos);
  CHECK(r.out.find("2 case(s): 1 passed, 1 failed") != std::string::npos);
}

TEST_CASE("config test: a record failing a stage is shown in the diff", "[e2e][configtest]") {
  TempDir dir;
  write_file(dir / "job.yaml", tested_job(dir));
  write_file(dir / "t.yaml", R"(job: job.yaml
connector: snk
cases:
  - input: {topic: orders, value: 'not json'}
    expect: {value: x}
)");
  auto r = run_connectrun({"test", dir / "t.yaml"});
  CHECK(r.exit_code == 1);
  CHECK(r.out.find("+ record: (error) VALUE_CONVERTER 'JsonConverter' failed") != std::string::npos);
}

TEST_CASE("config test: a malformed test file exits 2 naming line and column", "[e2e][configtest]") {
  TempDir dir;
  write_file(dir / "job.yaml", tested_job(dir));
  SECTION("YAML syntax") {
    write_file(dir / "t.yaml", "job: job.yaml\nconnector: src\ncases:\n  - input: {topic: [x\n");
    auto r = run_connectrun({"test", dir / "t.yaml"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(dir / "t.yaml:") != std::string::npos);
  }
  SECTION("unknown key") {
    write_file(dir / "t.yaml", "job: job.yaml\nconnector: src\ncases:\n  - input: {topic: t}\n    expcet: {}\n");
    auto r = run_connectrun({"test", dir / "t.yaml"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(fmt::format("{}:5:5: unknown key 'expcet' in a case (did you mean 'expect'?)", dir / "t.yaml")) !=
          std::string::npos);
  }
  SECTION("bad regex") {
    write_file(dir / "t.yaml", "job: job.yaml\nconnector: src\ncases:\n  - input: {topic: t}\n    expect:\n"
                               "      conditions:\n        topic: {matches: '(['}\n");
    auto r = run_connectrun({"test", dir / "t.yaml"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(fmt::format("{}:7:26: 'matches' is not a valid regular expression", dir / "t.yaml")) != std::string::npos);
  }
  SECTION("unknown connector") {
    write_file(dir / "t.yaml", "job: job.yaml\nconnector: scr\ncases:\n  - input: {topic: t}\n    expect: {}\n");
    auto r = run_connectrun({"test", dir / "t.yaml"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(fmt::format("{}:2:12: no connector 'scr' in the job (did you mean 'src'?)", dir / "t.yaml")) !=
          std::string::npos);
  }
  SECTION("missing file") {
    auto r = run_connectrun({"test", dir / "nope.yaml"});
    CHECK(r.exit_code == 2);
    CHECK(r.err.find("cannot read the test file") != std::string::npos);
  }
}

TEST_CASE("config test: an inline job is tested as a job file would be", "[e2e][configtest]") {
  TempDir dir;
  write_file(dir / "t.yaml", R"(job:
  worker:
    offset.storage.file.filename: offsets.json
    key.converter: StringConverter
    value.converter: JsonConverter
    value.converter.schemas.enable: false
  connectors:
    - name: src
      connector.class: FileStreamSource
      file: in.txt
      topic: orders
      transforms: hoist
      transforms.hoist.type: HoistField$Value
      transforms.hoist.field: line
connector: src
cases:
  - name: hoisted
    input: {topic: orders, value: hello}
    expect:
      value: {line: hello}
      value_bytes: '{"line":"hello"}'
)");
  auto r = run_connectrun({"test", dir / "t.yaml"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("PASS  hoisted") != std::string::npos);
  CHECK(r.out.find("1 case(s): 1 passed, 0 failed") != std::string::npos);
}

TEST_CASE("config test: an invalid inline job exits 2 with locations in the test file", "[e2e][configtest]") {
  TempDir dir;
  const std::string cases = "connector: src\ncases:\n  - input: {topic: t}\n    expect: {}\n";
  SECTION("an unknown connector key, with a suggestion") {
    write_file(dir / "t.yaml", "job:\n  connectors:\n    - name: src\n      connector.class: FileStreamSource\n"
                               "      topic: t\n      fiel: in.txt\n" + cases);
    auto r = run_connectrun({"test", dir / "t.yaml"});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(fmt::format("{}:6:13: connector 'src': key 'fiel'", dir / "t.yaml")) != std::string::npos);
    CHECK(r.err.find("did you mean 'file'?") != std::string::npos);
    CHECK(r.out.find("case(s)") == std::string::npos);
  }
  SECTION("a flow-style job missing its connectors") {
    write_file(dir / "t.yaml", "job: {worker: {offset.flush.interval.ms: 5}}\n" + cases);
    auto r = run_connectrun({"test", dir / "t.yaml"});
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(fmt::format("{}:1:6: worker: missing required top-level key 'connectors'", dir / "t.yaml")) !=
          std::string::npos);
  }
  SECTION("an unknown top-level key of the job") {
    write_file(dir / "t.yaml", "job:\n  conectors: []\n" + cases);
    auto r = run_connectrun({"test", dir / "t.yaml"});
    INFO(r.err);
    CHECK(r.exit_code == 2);
    CHECK(r.err.find(fmt::format("{}:2:3: worker: unknown top-level key 'conectors' (did you mean 'connectors'?)",
                                 dir / "t.yaml")) != std::string::npos);
  }
}
