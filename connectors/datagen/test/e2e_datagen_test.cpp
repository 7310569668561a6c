// DataGen end to end, running the connectrun binary: the same seed gives the
// same bytes, --once ends after `iterations`, a restart continues the
// sequence, and a bad configuration is refused naming its key.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <set>
#include <string>

#include "support.h"

using namespace testsupport;

namespace {

// DataGen → FileStreamSink (JsonConverter with schemas for values, StringConverter for keys).
std::string datagen_job(const TempDir& dir, const std::string& out, const std::string& source_keys,
                        const std::string& offsets = "offsets.json") {
  return fmt::format(R"(worker:
  offset.storage.file.filename: {0}
  key.converter: StringConverter
  value.converter: JsonConverter
connectors:
  - name: gen
    connector.class: io.confluent.kafka.connect.datagen.DatagenConnector
    kafka.topic: generated
    max.interval: 0
{1}  - name: snk
    connector.class: FileStreamSink
    file: {2}
    topics: generated
)",
                     dir / offsets, source_keys, dir / out);
}

}  // namespace

TEST_CASE("the same random.seed gives byte-identical output across runs and another seed differs",
          "[e2e][datagen]") {
  TempDir dir;
  const std::string keys = "    quickstart: orders\n    iterations: 500\n    random.seed: 42\n";
  write_file(dir / "a.yaml", datagen_job(dir, "a.txt", keys, "a.offsets.json"));
  write_file(dir / "b.yaml", datagen_job(dir, "b.txt", keys, "b.offsets.json"));
  write_file(dir / "c.yaml",
             datagen_job(dir, "c.txt", "    quickstart: orders\n    iterations: 500\n    random.seed: 43\n", "c.offsets.json"));
  for (const char* job : {"a.yaml", "b.yaml", "c.yaml"}) {
    auto r = run_connectrun({"run", "--once", dir / job});
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  }
  const std::string a = read_file(dir / "a.txt");
  CHECK(read_lines(dir / "a.txt").size() == 500);
  CHECK(a == read_file(dir / "b.txt"));
  CHECK(a != read_file(dir / "c.txt"));
  // The iteration field counts from 0 whatever the seed.
  CHECK(read_lines(dir / "a.txt").front().find("\"orderid\":0,") != std::string::npos);
  CHECK(read_lines(dir / "c.txt").back().find("\"orderid\":499,") != std::string::npos);
}

TEST_CASE("DataGen under --once ends after iterations and a restart continues the same sequence", "[e2e][datagen]") {
  TempDir dir;
  // One run of 40 records…
  write_file(dir / "whole.yaml",
             datagen_job(dir, "whole.txt", "    quickstart: pageviews\n    iterations: 40\n    random.seed: 7\n",
                         "whole.offsets.json"));
  auto whole = run_connectrun({"run", "--once", dir / "whole.yaml"});
  INFO(whole.err);
  REQUIRE(whole.exit_code == 0);
  REQUIRE(read_lines(dir / "whole.txt").size() == 40);

  // …equals a run of 15 then, from its offsets, a run up to 40.
  write_file(dir / "part1.yaml",
             datagen_job(dir, "parts.txt", "    quickstart: pageviews\n    iterations: 15\n    random.seed: 7\n"));
  auto r1 = run_connectrun({"run", "--once", dir / "part1.yaml"});
  INFO(r1.err);
  REQUIRE(r1.exit_code == 0);
  CHECK(read_lines(dir / "parts.txt").size() == 15);
  // Run again with the same iterations: the count is in the offset, nothing more.
  auto again = run_connectrun({"run", "--once", dir / "part1.yaml"});
  REQUIRE(again.exit_code == 0);
  CHECK(read_lines(dir / "parts.txt").size() == 15);
  write_file(dir / "part2.yaml",
             datagen_job(dir, "parts.txt", "    quickstart: pageviews\n    iterations: 40\n    random.seed: 7\n"));
  auto r2 = run_connectrun({"run", "--once", dir / "part2.yaml"});
  INFO(r2.err);
  REQUIRE(r2.exit_code == 0);
  CHECK(read_file(dir / "parts.txt") == read_file(dir / "whole.txt"));
  // The stored offset is DatagenTask's: the next state under partition {"task.id":0}.
  const std::string offsets = read_file(dir / "offsets.json");
  CHECK(offsets.find("task.id") != std::string::npos);
  CHECK(offsets.find("\"current.iteration\":40") != std::string::npos);
  CHECK(offsets.find("\"task.generation\":2") != std::string::npos);
}

TEST_CASE("a bad DataGen configuration is refused naming the key", "[e2e][datagen]") {
  TempDir dir;
  write_file(dir / "keyfield.yaml",
             datagen_job(dir, "out.txt", "    quickstart: users\n    schema.keyfield: nosuchfield\n"));
  auto r = run_connectrun({"run", "--once", dir / "keyfield.yaml"});
  CHECK(r.exit_code != 0);
  CHECK(r.err.find("schema.keyfield") != std::string::npos);
  CHECK(r.err.find("The schema does not contain the field provided in 'schema.keyfield' (\"nosuchfield\")") !=
        std::string::npos);

  write_file(dir / "regex.yaml",
             datagen_job(dir, "out.txt",
                         "    schema.string: '{\"type\":\"record\",\"name\":\"r\",\"fields\":[{\"name\":\"code\",\"type\":"
                         "{\"type\":\"string\",\"arg.properties\":{\"regex\":\"(?<=a)b\"}}}]}'\n"));
  auto v = run_connectrun({"validate", dir / "regex.yaml"});
  CHECK(v.exit_code != 0);
  const std::string all = v.out + v.err;
  INFO(all);
  CHECK(all.find("schema.string") != std::string::npos);
  CHECK(all.find("field r.code: the regex \"(?<=a)b\"") != std::string::npos);
}

TEST_CASE("tasks.max 2 runs two tasks that each generate iterations records of their own", "[e2e][datagen]") {
  TempDir dir;
  write_file(dir / "job.yaml",
             datagen_job(dir, "out.txt",
                         "    tasks.max: 2\n    quickstart: users\n    iterations: 50\n    random.seed: 5\n"));
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto lines = read_lines(dir / "out.txt");
  CHECK(lines.size() == 100);
  // Task 1 advances the seed once first, so the tasks' records differ.
  const std::set<std::string> distinct(lines.begin(), lines.end());
  CHECK(distinct.size() > 90);
  const std::string offsets = read_file(dir / "offsets.json");
  CHECK(offsets.find("{\"task.id\":0}") != std::string::npos);
  CHECK(offsets.find("{\"task.id\":1}") != std::string::npos);
}
