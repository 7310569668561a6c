// The end of a --once run: S3Sink completes the objects still open (a
// difference from Confluent's connector, which has no end of input), named by
// their first record's offset, so the run commits everything and exits 0, and
// the next --once run's names continue after them.
#include <catch2/catch.hpp>

#include <filesystem>

#include "connectors/s3/test/s3_test_support.h"
#include "support.h"

using namespace testsupport;
using namespace s3test;

namespace {
RunResult run_once(const TempDir& dir, const std::string& yaml) {
  write_file(dir / "job.yaml", yaml);
  return run_connectrun({"run", "--once", dir / "job.yaml"}, std::chrono::seconds(60));
}

std::vector<std::string> under(const std::vector<std::string>& keys, const std::string& prefix) {
  std::vector<std::string> out;
  for (auto& k : keys)
    if (k.rfind(prefix, 0) == 0) out.push_back(k.substr(prefix.size()));
  return out;
}
}  // namespace

TEST_CASE("S3Sink completes open objects at the end of a once run and the next run continues the names", "[s3][e2e]") {
  S3rverServer s3;
  {
    INFO("default partitioner: 5 then 4 records with flush.size 3");
    TempDir dir;
    write_file(dir / "in.txt", json_lines(0, 5));
    auto yaml = sink_job(s3, SinkJob{.dir = dir.path(), .sink_extra = "    topics.dir: plain\n"});
    auto r = run_once(dir, yaml);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.err.find("without committing") == std::string::npos);
    const std::string p = "plain/events/partition=0/";
    CHECK(under(s3.keys("test-bucket"), p) == std::vector<std::string>{"events+0+0000000000.json", "events+0+0000000003.json"});
    CHECK(s3.get("test-bucket", p + "events+0+0000000003.json") == json_lines(3, 5));
    CHECK(stored_position(dir / "offsets.json") == static_cast<long>(std::filesystem::file_size(dir / "in.txt")));

    append_file(dir / "in.txt", json_lines(5, 9));
    r = run_once(dir, yaml);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(under(s3.keys("test-bucket"), p) == std::vector<std::string>{"events+0+0000000000.json", "events+0+0000000003.json",
                                                                       "events+0+0000000005.json", "events+0+0000000008.json"});
    std::string all;
    for (auto& k : under(s3.keys("test-bucket"), p)) all += s3.get("test-bucket", p + k);
    CHECK(all == json_lines(0, 9));  // every record once, in order
    CHECK(stored_position(dir / "offsets.json") == static_cast<long>(std::filesystem::file_size(dir / "in.txt")));

    INFO("a third run with nothing new writes nothing");
    r = run_once(dir, yaml);
    REQUIRE(r.exit_code == 0);
    CHECK(under(s3.keys("test-bucket"), p).size() == 4);
  }
  {
    INFO("field partitioner: every open object of the partition is completed, gzip on");
    TempDir dir;
    write_file(dir / "in.txt", json_lines(0, 4));
    auto yaml = sink_job(s3, SinkJob{.dir = dir.path(),
                                     .sink_extra = "    topics.dir: field\n    partitioner.class: FieldPartitioner\n"
                                                   "    partition.field.name: country\n    flush.size: 10\n"
                                                   "    s3.compression.type: gzip\n"});
    auto r = run_once(dir, yaml);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(under(s3.keys("test-bucket"), "field/events/") ==
          std::vector<std::string>{"country=de/events+0+0000000001.json.gz", "country=fr/events+0+0000000000.json.gz",
                                   "country=it/events+0+0000000002.json.gz"});
    write_file(dir / "fr.gz", s3.get("test-bucket", "field/events/country=fr/events+0+0000000000.json.gz"));
    CHECK(shell("gzip -dc " + dir / "fr.gz") == json_lines(0, 1) + json_lines(3, 4));

    append_file(dir / "in.txt", json_lines(4, 6));
    r = run_once(dir, yaml);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(under(s3.keys("test-bucket"), "field/events/") ==
          std::vector<std::string>{"country=de/events+0+0000000001.json.gz", "country=de/events+0+0000000004.json.gz",
                                   "country=fr/events+0+0000000000.json.gz", "country=it/events+0+0000000002.json.gz",
                                   "country=it/events+0+0000000005.json.gz"});
  }
}
