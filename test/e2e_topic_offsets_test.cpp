// End-to-end: the in-process bus's record offsets continue across runs, and a
// record read again after kill -9 gets the offset it had (bus/topic_offsets.h).
// The sink shows each record's offset with InsertField$Value offset.field.
#include <catch2/catch.hpp>

#include <regex>

#include <fmt/format.h>

#include "support.h"

using namespace testsupport;
using namespace std::chrono_literals;

namespace {
// {"n":i} lines; the sink writes them back as JSON with the record's offset in "off".
std::string offsets_job(const TempDir& dir, const std::string& worker_extra = "") {
  LinesJob job;
  job.worker_extra = worker_extra;
  job.sink_extra =
      "    value.converter: JsonConverter\n"
      "    value.converter.schemas.enable: false\n"
      "    transforms: offset\n"
      "    transforms.offset.type: InsertField$Value\n"
      "    transforms.offset.offset.field: off\n";
  return lines_job(dir.path(), job);
}

std::string json_lines(int from, int to) {
  std::string s;
  for (int i = from; i < to; ++i) s += fmt::format("{{\"n\":{}}}\n", i);
  return s;
}

// (n, off) of each output line.
std::vector<std::pair<int, long>> records_of(const std::string& path) {
  std::vector<std::pair<int, long>> out;
  static const std::regex line(R"(\{"n":(\d+),"off":(\d+)\})");
  for (auto& l : read_lines(path)) {
    std::smatch m;
    INFO(l);
    REQUIRE(std::regex_match(l, m, line));
    out.emplace_back(std::stoi(m[1]), std::stol(m[2]));
  }
  return out;
}

std::vector<std::pair<int, long>> numbered(int from, int to, long first_offset) {
  std::vector<std::pair<int, long>> out;
  for (int i = from; i < to; ++i) out.emplace_back(i, first_offset + (i - from));
  return out;
}
}  // namespace

TEST_CASE("in-process bus offsets continue from one --once run to the next", "[e2e][topic-offsets]") {
  TempDir dir;
  write_file(dir / "job.yaml", offsets_job(dir));
  write_file(dir / "in.txt", json_lines(0, 3));
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(records_of(dir / "out.txt") == numbered(0, 3, 0));
  CHECK(read_file(dir / "offsets.json").find(R"({"topic":"lines","partition":0,"next_offset":3})") != std::string::npos);

  append_file(dir / "in.txt", json_lines(3, 5));
  r = run_connectrun({"run", "--once", dir / "job.yaml"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(records_of(dir / "out.txt") == numbered(0, 5, 0));

  // The topic offsets are no source's: the listing shows the source's offset only.
  r = run_connectrun({"offsets", "list", "--json", dir / "job.yaml"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("next_offset") == std::string::npos);
  CHECK(r.out.find("topic_offsets") == std::string::npos);
  CHECK(r.out.find("\"position\"") != std::string::npos);
}

TEST_CASE("records read again after kill -9 get the offsets they had", "[e2e][topic-offsets]") {
  TempDir dir;
  write_file(dir / "in.txt", json_lines(0, 3));
  write_file(dir / "job.yaml", offsets_job(dir));
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const long stored = stored_position(dir / "offsets.json");
  REQUIRE(stored > 0);

  // Offsets are written only at shutdown (an hour's flush interval): killed
  // once the sink wrote the new records, the run leaves their source offsets unstored.
  append_file(dir / "in.txt", json_lines(3, 7));
  write_file(dir / "job.yaml", offsets_job(dir, "  offset.flush.interval.ms: 3600000\n"));
  {
    Process p({"run", dir / "job.yaml"}, dir / "log.txt");
    REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() == 7; }));
    p.signal(SIGKILL);
    REQUIRE(p.wait(10s) == 128 + SIGKILL);
  }
  REQUIRE(stored_position(dir / "offsets.json") == stored);  // the window: produced, not stored
  CHECK(records_of(dir / "out.txt") == numbered(0, 7, 0));

  write_file(dir / "job.yaml", offsets_job(dir));
  r = run_connectrun({"run", "--once", dir / "job.yaml"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto out = records_of(dir / "out.txt");
  REQUIRE(out.size() == 11);
  // The replayed records 3..6: the same offsets 3..6 as before the crash.
  CHECK(std::vector(out.begin() + 7, out.end()) == numbered(3, 7, 3));

  // And the next new record continues after them.
  append_file(dir / "in.txt", json_lines(7, 8));
  r = run_connectrun({"run", "--once", dir / "job.yaml"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  out = records_of(dir / "out.txt");
  REQUIRE(out.size() == 12);
  CHECK(out.back() == std::pair<int, long>{7, 7});
}

TEST_CASE("dead letter topic offsets on the in-process bus continue from one run to the next", "[e2e][topic-offsets]") {
  TempDir dir;
  // snk dead-letters lines that are not JSON; dlq-snk shows their offsets in the dead letter topic.
  LinesJob job;
  job.sink_extra =
      "    value.converter: JsonConverter\n"
      "    value.converter.schemas.enable: false\n"
      "    errors.tolerance: all\n"
      "    errors.deadletterqueue.topic.name: dlq\n"
      "  - name: dlq-snk\n"
      "    connector.class: FileStreamSink\n"
      "    file: " + dir / "dlq.txt" + "\n"
      "    topics: dlq\n"
      "    transforms: hoist,offset\n"
      "    transforms.hoist.type: HoistField$Value\n"
      "    transforms.hoist.field: line\n"
      "    transforms.offset.type: InsertField$Value\n"
      "    transforms.offset.offset.field: off\n";
  write_file(dir / "job.yaml", lines_job(dir.path(), job));
  write_file(dir / "in.txt", "{\"n\":0}\nbad a\n{\"n\":2}\nbad b\n");
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  append_file(dir / "in.txt", "bad c\n{\"n\":5}\n");
  r = run_connectrun({"run", "--once", dir / "job.yaml"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  INFO(read_file(dir / "dlq.txt"));
  CHECK(read_lines(dir / "dlq.txt") ==
        std::vector<std::string>{R"({"line":"bad a","off":0})", R"({"line":"bad b","off":1})", R"({"line":"bad c","off":2})"});
  const std::string offsets = read_file(dir / "offsets.json");
  INFO(offsets);
  CHECK(offsets.find(R"({"topic":"dlq","partition":0,"next_offset":3})") != std::string::npos);
  CHECK(offsets.find(R"({"topic":"lines","partition":0,"next_offset":6})") != std::string::npos);
}
