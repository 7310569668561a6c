// S3Sink faults, each with the error a user sees: wrong credentials, a
// missing bucket, a server that is down (retried within errors.retry.timeout,
// nothing committed), a record without its partition field, null values.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "connectors/s3/test/s3_test_support.h"
#include "servers/test_server.h"
#include "support.h"

using namespace testsupport;
using namespace s3test;

namespace {
RunResult run_job(const TempDir& dir, const std::string& yaml) {
  write_file(dir / "job.yaml", yaml);
  return run_connectrun({"run", "--once", dir / "job.yaml"}, std::chrono::seconds(60));
}
}  // namespace

TEST_CASE("S3Sink reports wrong credentials a missing bucket and a server that is down", "[s3][e2e]") {
  S3rverServer s3;
  TempDir dir;
  write_file(dir / "in.txt", json_lines(0, 3));
  {
    // s3rver checks the access key id but not SigV4 signatures (docs/connectors/s3.md): a wrong key id.
    INFO("wrong access key: 403 naming the bucket and the endpoint");
    auto yaml = sink_job(s3, SinkJob{.dir = dir.path()});
    yaml.replace(yaml.find("aws.access.key.id: S3RVER"), 25, "aws.access.key.id: WRONG");
    auto r = run_job(dir, yaml);
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("bucket 'test-bucket' at endpoint " + s3.url()) &&
                          Catch::Contains("HTTP 403") && Catch::Contains("aws.access.key.id"));
    CHECK(stored_position(dir / "offsets.json") == -1);
  }
  {
    INFO("a bucket that does not exist");
    auto r = run_job(dir, sink_job(s3, SinkJob{.dir = dir.path(), .bucket = "no-such-bucket"}));
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("bucket 'no-such-bucket' at endpoint") && Catch::Contains("does not exist"));
    CHECK(stored_position(dir / "offsets.json") == -1);
  }
  {
    INFO("a server that is down: retried within errors.retry.timeout, then the task fails");
    auto yaml = sink_job(s3, SinkJob{.dir = dir.path(), .sink_extra = "    errors.retry.timeout: 1500\n"
                                                                        "    errors.retry.delay.max.ms: 300\n"
                                                                        "    s3.part.retries: 1\n"});
    std::string down = fmt::format("http://127.0.0.1:{}", free_local_port());
    yaml.replace(yaml.find(s3.url()), s3.url().size(), down);
    auto r = run_job(dir, yaml);
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("reach bucket 'test-bucket' at endpoint " + down));
    CHECK_THAT(r.err, Catch::Contains("retry"));
    CHECK(stored_position(dir / "offsets.json") == -1);
  }
  CHECK(s3.keys("test-bucket").empty());
}

TEST_CASE("S3Sink hands a record without its partition field to the error policy and null values to behavior.on.null.values", "[s3][e2e]") {
  S3rverServer s3;
  std::string input = json_lines(0, 2) + R"({"id":9})" "\n" + json_lines(3, 4) + "null\n" + json_lines(5, 7);
  const std::string field = "    partitioner.class: FieldPartitioner\n    partition.field.name: country\n"
                            "    flush.size: 5\n    behavior.on.null.values: ignore\n";
  {
    TempDir dir;
    write_file(dir / "in.txt", input);
    auto r = run_job(dir, sink_job(s3, SinkJob{.dir = dir.path(), .sink_extra = field}));
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("the value has no field 'country' (partition.field.name)"));
    CHECK(s3.keys("test-bucket").empty());
  }
  {
    TempDir dir;
    write_file(dir / "in.txt", input);
    auto r = run_job(dir, sink_job(s3, SinkJob{.dir = dir.path(), .sink_extra = field + "    errors.tolerance: all\n"
                                                                                        "    topics.dir: tolerant\n"}));
    INFO(r.err);
    CHECK(r.exit_code == 0);
    // 7 records, one skipped by the error policy, one null ignored: 5 written, one object per country.
    auto keys = s3.keys("test-bucket");
    CHECK(keys == std::vector<std::string>{"tolerant/events/country=de/events+0+0000000001.json",
                                           "tolerant/events/country=fr/events+0+0000000000.json",
                                           "tolerant/events/country=it/events+0+0000000005.json"});
    CHECK(s3.get("test-bucket", "tolerant/events/country=fr/events+0+0000000000.json") ==
          json_lines(0, 1) + json_lines(3, 4) + json_lines(6, 7));
  }
  {
    TempDir dir;
    write_file(dir / "in.txt", json_lines(0, 1) + "null\n" + json_lines(2, 3));
    auto r = run_job(dir, sink_job(s3, SinkJob{.dir = dir.path(), .sink_extra = "    topics.dir: nulls\n"}));
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("null value at topic 'events' partition 0 offset 1") &&
                          Catch::Contains("behavior.on.null.values=ignore"));
    CHECK(stored_position(dir / "offsets.json") <= 0);
  }
}
