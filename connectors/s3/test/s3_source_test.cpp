// S3Source restores what S3Sink archived: topic → S3Sink → S3Source → topic
// equals the original record for record, continuing from its offsets.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "connectors/s3/test/s3_test_support.h"
#include "support.h"

using namespace testsupport;
using namespace s3test;

TEST_CASE("S3Source restores what S3Sink archived record for record and continues from its offsets", "[s3]") {
  S3rverServer s3;
  TempDir archive, restore;
  write_file(archive / "in.txt", json_lines(0, 9));
  REQUIRE(run_in_process(sink_job(s3, SinkJob{.dir = archive.path(), .sink_extra = "    s3.compression.type: gzip\n"})));
  REQUIRE(s3.keys("test-bucket").size() == 3);

  REQUIRE(run_in_process(restore_job(s3, restore.path(), "")));
  CHECK(read_file(restore / "out.txt") == json_lines(0, 9));
  CHECK_THAT(read_file(restore / "offsets.json"), Catch::Contains("events+0+0000000006.json.gz") &&
                                                     Catch::Contains("\"bucket\":\"test-bucket\""));

  // Nothing new: nothing produced again. Then new objects: only they are read.
  REQUIRE(run_in_process(restore_job(s3, restore.path(), "")));
  CHECK(read_file(restore / "out.txt") == json_lines(0, 9));
  append_file(archive / "in.txt", json_lines(9, 12));
  REQUIRE(run_in_process(sink_job(s3, SinkJob{.dir = archive.path(), .sink_extra = "    s3.compression.type: gzip\n"})));
  REQUIRE(run_in_process(restore_job(s3, restore.path(), "")));
  CHECK(read_file(restore / "out.txt") == json_lines(0, 12));
}
