// S3Source restores what S3Sink archived: topic → S3Sink → S3Source → topic
// equals the original record for record, continuing from its offsets.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "connectors/s3/test/s3_test_support.h"
#include "support.h"

using namespace testsupport;
using namespace s3test;

namespace {
// S3Source (renaming events → restored) into FileStreamSink out.txt.
std::string restore_job(const S3rverServer& s3, const std::string& dir, const std::string& extra) {
  return fmt::format(R"(worker:
  offset.storage.file.filename: {0}/offsets.json
  key.converter: StringConverter
  value.converter: JsonConverter
  value.converter.schemas.enable: false
connectors:
  - name: restore
    connector.class: io.confluent.connect.s3.source.S3SourceConnector
    s3.bucket.name: test-bucket
    store.url: {1}
    aws.access.key.id: S3RVER
    aws.secret.access.key: S3RVER
    format.class: io.confluent.connect.s3.format.json.JsonFormat
    topic.regex.list: "restored:ev.*"
    record.batch.max.size: 4
{2}
  - name: out
    connector.class: FileStreamSink
    topics: restored
    file: {0}/out.txt
)",
                     dir, s3.url(), extra);
}
}  // namespace

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
