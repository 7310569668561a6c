// The round trip on the Kafka bus (librdkafka's mock cluster): a topic of two
// partitions → S3Sink → S3Source → another topic holds the same records in
// the same partitions and order; kcat checks both ends.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "connectors/s3/test/s3_test_support.h"
#include "kafka/mock_cluster.h"
#include "support.h"

using namespace testsupport;
using namespace s3test;

TEST_CASE("S3Sink then S3Source on the Kafka bus restore each partition record for record", "[s3][kafka]") {
  S3rverServer s3;
  connectrun::MockCluster kafka(1, {{"events", 2}, {"restored", 2}});
  TempDir dir;
  std::string p0 = json_lines(0, 6), p1 = json_lines(6, 12);
  write_file(dir / "p0.txt", p0);
  write_file(dir / "p1.txt", p1);
  int status = -1;
  shell(fmt::format("kcat -b {} -P -t events -p 0 -l {} 2>&1", kafka.bootstrap(), dir / "p0.txt"), &status);
  REQUIRE(status == 0);
  shell(fmt::format("kcat -b {} -P -t events -p 1 -l {} 2>&1", kafka.bootstrap(), dir / "p1.txt"), &status);
  REQUIRE(status == 0);
  const std::string common = fmt::format(R"(worker:
  bootstrap.servers: {0}
  offset.storage.file.filename: {1}/offsets.json
  key.converter: StringConverter
  value.converter: JsonConverter
  value.converter.schemas.enable: false
connectors:
)", kafka.bootstrap(), dir.path());
  const std::string store = fmt::format(R"(    s3.bucket.name: test-bucket
    store.url: {}
    aws.access.key.id: S3RVER
    aws.secret.access.key: S3RVER
    format.class: io.confluent.connect.s3.format.json.JsonFormat
)", s3.url());
  REQUIRE(run_in_process(common + "  - name: archive\n    connector.class: S3Sink\n    topics: events\n    flush.size: 3\n" + store));
  CHECK(s3.keys("test-bucket") == std::vector<std::string>{
                                      "topics/events/partition=0/events+0+0000000000.json",
                                      "topics/events/partition=0/events+0+0000000003.json",
                                      "topics/events/partition=1/events+1+0000000000.json",
                                      "topics/events/partition=1/events+1+0000000003.json"});
  REQUIRE(run_in_process(common + "  - name: restore\n    connector.class: S3Source\n"
                                  "    topic.regex.list: \"restored:events\"\n" + store));
  for (int p = 0; p < 2; ++p) {
    INFO("partition " << p);
    std::string got = shell(fmt::format("kcat -b {} -C -t restored -p {} -e -q 2>/dev/null", kafka.bootstrap(), p));
    CHECK(got == (p == 0 ? p0 : p1));
  }
}
