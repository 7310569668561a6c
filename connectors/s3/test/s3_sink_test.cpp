// S3Sink against a real S3-compatible server (s3rver), checked with s3cmd:
// Confluent's object names and contents for every format and partitioner,
// the rotation rules, and --once runs that continue the names.
#include <catch2/catch.hpp>

#include <stdlib.h>

#include <fmt/format.h>

#include "connectors/s3/s3_client.h"
#include "connectors/s3/test/s3_test_support.h"
#include "support.h"

using namespace testsupport;
using namespace s3test;

namespace {
std::vector<std::string> under(const std::vector<std::string>& keys, const std::string& prefix) {
  std::vector<std::string> out;
  for (auto& k : keys)
    if (k.rfind(prefix, 0) == 0) out.push_back(k.substr(prefix.size()));
  return out;
}
}  // namespace

TEST_CASE("S3Sink writes Confluent's object names and JSON lines and two once runs continue the names", "[s3]") {
  S3rverServer s3;
  TempDir dir;
  write_file(dir / "in.txt", json_lines(0, 6));
  SinkJob job{.dir = dir.path()};
  REQUIRE(run_in_process(sink_job(s3, job)));
  CHECK(s3.keys("test-bucket") == std::vector<std::string>{"topics/events/partition=0/events+0+0000000000.json",
                                                           "topics/events/partition=0/events+0+0000000003.json"});
  CHECK(s3.get("test-bucket", "topics/events/partition=0/events+0+0000000003.json") == json_lines(3, 6));

  // The second run continues the bus's offsets, so the names go on from 6.
  append_file(dir / "in.txt", json_lines(6, 9));
  REQUIRE(run_in_process(sink_job(s3, job)));
  auto keys = s3.keys("test-bucket");
  REQUIRE(keys.size() == 3);
  CHECK(keys[2] == "topics/events/partition=0/events+0+0000000006.json");
  CHECK(s3.get("test-bucket", keys[2]) == json_lines(6, 9));
}

TEST_CASE("S3Sink gzip and ByteArrayFormat objects and the name keys", "[s3]") {
  S3rverServer s3;
  {
    TempDir dir;
    write_file(dir / "in.txt", json_lines(0, 3));
    SinkJob job{.dir = dir.path(), .sink_extra = "    s3.compression.type: gzip\n    topics.dir: zipped\n"};
    REQUIRE(run_in_process(sink_job(s3, job)));
    auto keys = under(s3.keys("test-bucket"), "zipped/");
    REQUIRE(keys == std::vector<std::string>{"events/partition=0/events+0+0000000000.json.gz"});
    write_file(dir / "got.gz", s3.get("test-bucket", "zipped/" + keys[0]));
    CHECK(shell("gzip -dc " + dir / "got.gz") == json_lines(0, 3));
  }
  {
    TempDir dir;
    write_file(dir / "in.txt", "a\nb\nc\nd\n");
    SinkJob job{.dir = dir.path(), .topic = "raw", .value_converter = "StringConverter",
                .sink_extra = "    format.class: io.confluent.connect.s3.format.bytearray.ByteArrayFormat\n"
                              "    format.bytearray.extension: .txt\n    format.bytearray.separator: \"|\\\\n\"\n"
                              "    flush.size: 2\n    topics.dir: bytes\n    directory.delim: \"#\"\n"
                              "    file.delim: \"-\"\n    filename.offset.zero.pad.width: 4\n"};
    REQUIRE(run_in_process(sink_job(s3, job)));
    auto keys = under(s3.keys("test-bucket"), "bytes#");
    REQUIRE(keys == std::vector<std::string>{"raw#partition=0#raw-0-0000.txt", "raw#partition=0#raw-0-0002.txt"});
    CHECK(s3.get("test-bucket", "bytes#" + keys[1]) == "c|\nd|\n");
  }
}

TEST_CASE("S3Sink field and time-based partitioners name the folders as Confluent does", "[s3]") {
  S3rverServer s3;
  struct Case {
    std::string name, extra;
    std::vector<std::string> keys;
  };
  std::vector<Case> cases = {
      {"field", "    partitioner.class: io.confluent.connect.storage.partitioner.FieldPartitioner\n"
                "    partition.field.name: country\n    flush.size: 6\n",
       {"events/country=de/events+0+0000000001.json", "events/country=fr/events+0+0000000000.json",
        "events/country=it/events+0+0000000002.json"}},
      {"hourly", "    partitioner.class: io.confluent.connect.storage.partitioner.HourlyPartitioner\n"
                 "    timestamp.extractor: RecordField\n    timestamp.field: ts\n    locale: en-US\n"
                 "    timezone: UTC\n    flush.size: 6\n",
       {"events/year=2026/month=01/day=01/hour=00/events+0+0000000000.json",
        "events/year=2026/month=01/day=01/hour=01/events+0+0000000002.json",
        "events/year=2026/month=01/day=01/hour=02/events+0+0000000004.json"}},
      {"daily", "    partitioner.class: DailyPartitioner\n    timestamp.extractor: RecordField\n"
                "    timestamp.field: ts\n    locale: en-US\n    timezone: America/New_York\n    flush.size: 6\n",
       {"events/year=2025/month=12/day=31/events+0+0000000000.json"}},
      {"timebased", "    partitioner.class: io.confluent.connect.storage.partitioner.TimeBasedPartitioner\n"
                    "    path.format: \"'dt'=YYYY-MM-dd/'h'=HH\"\n    partition.duration.ms: 7200000\n"
                    "    timestamp.extractor: RecordField\n    timestamp.field: ts\n    locale: en-US\n"
                    "    timezone: UTC\n    flush.size: 6\n",
       {"events/dt=2026-01-01/h=00/events+0+0000000000.json", "events/dt=2026-01-01/h=02/events+0+0000000004.json"}},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    TempDir dir;
    write_file(dir / "in.txt", json_lines(0, 6));
    SinkJob job{.dir = dir.path(), .sink_extra = c.extra + "    topics.dir: " + c.name + "\n"};
    REQUIRE(run_in_process(sink_job(s3, job)));
    CHECK(under(s3.keys("test-bucket"), c.name + "/") == c.keys);
  }
  // Every record in its folder: the field partitioner's "fr" object holds ids 0 and 3.
  CHECK(s3.get("test-bucket", "field/events/country=fr/events+0+0000000000.json") ==
        json_lines(0, 1) + json_lines(3, 4));
}

TEST_CASE("S3Sink rotates on rotate.interval.ms of record time and on a schema change", "[s3]") {
  S3rverServer s3;
  {
    // Half an hour between records, rotation every hour of record time, flush.size out of reach.
    TempDir dir;
    write_file(dir / "in.txt", json_lines(0, 5));
    SinkJob job{.dir = dir.path(), .sink_extra = "    flush.size: 1000\n    rotate.interval.ms: 3600000\n"
                                                 "    timestamp.extractor: RecordField\n    timestamp.field: ts\n"
                                                 "    topics.dir: interval\n"};
    // Records 0-1 and 2-3 rotate by record time; record 4 is completed by the end of the --once run.
    CHECK(run_in_process(sink_job(s3, job)));
    CHECK(under(s3.keys("test-bucket"), "interval/events/partition=0/") ==
          std::vector<std::string>{"events+0+0000000000.json", "events+0+0000000002.json", "events+0+0000000004.json"});
    CHECK(s3.get("test-bucket", "interval/events/partition=0/events+0+0000000002.json") == json_lines(2, 4));
    CHECK(s3.get("test-bucket", "interval/events/partition=0/events+0+0000000004.json") == json_lines(4, 5));
  }
  {
    TempDir dir;
    std::string a = R"({"schema":{"type":"struct","fields":[{"field":"id","type":"int32"}]},"payload":{"id":1}})";
    std::string b = R"({"schema":{"type":"struct","fields":[{"field":"id","type":"int32"},)"
                    R"({"field":"name","type":"string","optional":true}]},"payload":{"id":2,"name":"x"}})";
    write_file(dir / "in.txt", a + "\n" + a + "\n" + b + "\n" + b + "\n" + b + "\n");
    SinkJob job{.dir = dir.path(), .schemas = true, .sink_extra = "    topics.dir: schema\n"};
    REQUIRE(run_in_process(sink_job(s3, job)));
    CHECK(under(s3.keys("test-bucket"), "schema/events/partition=0/") ==
          std::vector<std::string>{"events+0+0000000000.json", "events+0+0000000002.json"});
    CHECK(s3.get("test-bucket", "schema/events/partition=0/events+0+0000000000.json") == "{\"id\":1}\n{\"id\":1}\n");
    CHECK(s3.get("test-bucket", "schema/events/partition=0/events+0+0000000002.json") ==
          std::string("{\"id\":2,\"name\":\"x\"}\n{\"id\":2,\"name\":\"x\"}\n{\"id\":2,\"name\":\"x\"}\n"));
  }
}

TEST_CASE("S3Sink refuses what it does not implement with the key named", "[s3]") {
  S3rverServer s3;
  TempDir dir;
  auto problems = [&](const std::string& extra) {
    return plan_problems(sink_job(s3, SinkJob{.dir = dir.path(), .sink_extra = extra}));
  };
  CHECK_THAT(problems("    format.class: io.confluent.connect.s3.format.parquet.ParquetFormat\n"),
             Catch::Contains("ParquetFormat is not supported by connectrun"));
  CHECK_THAT(problems("    s3.sse.kms.key.id: my-key\n"), Catch::Contains("s3.sse.kms.key.id is not supported by connectrun"));
  CHECK_THAT(problems("    partitioner.class: FieldPartitioner\n"), Catch::Contains("needs partition.field.name"));
  CHECK_THAT(problems("    partitioner.class: HourlyPartitioner\n    locale: en-US\n"), Catch::Contains("needs timezone"));
  CHECK_THAT(problems("    partitioner.class: DailyPartitioner\n    locale: en-US\n    timezone: Mars/Olympus\n"),
             Catch::Contains("unknown time zone 'Mars/Olympus'"));
  CHECK(problems("    partitioner.class: DailyPartitioner\n    locale: en-US\n    timezone: Europe/Paris\n").empty());
}

TEST_CASE("S3Sink uploads an object larger than s3.part.size as a multipart upload", "[s3]") {
  S3rverServer s3;
  TempDir dir;
  std::string input = json_lines(0, 120000);  // 5.6 MB: a part of 5 MiB and the rest
  write_file(dir / "in.txt", input);
  SinkJob job{.dir = dir.path(), .sink_extra = "    flush.size: 120000\n    s3.part.size: 5242880\n"};
  REQUIRE(run_in_process(sink_job(s3, job)));
  REQUIRE(s3.keys("test-bucket") == std::vector<std::string>{"topics/events/partition=0/events+0+0000000000.json"});
  CHECK(s3.get("test-bucket", "topics/events/partition=0/events+0+0000000000.json") == input);
}

TEST_CASE("S3 credentials come from the keys then the environment then the shared credentials file", "[s3]") {
  using connectrun::s3::resolve_credentials;
  TempDir dir;
  write_file(dir / "credentials", "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = filesecret\n"
                                  "[other]\naws_access_key_id = OTHERKEY\naws_secret_access_key = othersecret\n"
                                  "aws_session_token = tok\n");
  ::unsetenv("AWS_ACCESS_KEY_ID");
  ::unsetenv("AWS_SECRET_ACCESS_KEY");
  ::unsetenv("AWS_PROFILE");
  ::setenv("AWS_SHARED_CREDENTIALS_FILE", (dir / "credentials").c_str(), 1);
  CHECK(resolve_credentials("", "").access_key == "FILEKEY");
  ::setenv("AWS_PROFILE", "other", 1);
  auto other = resolve_credentials("", "");
  CHECK(other.access_key == "OTHERKEY");
  CHECK(other.session_token == "tok");
  ::setenv("AWS_ACCESS_KEY_ID", "ENVKEY", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "envsecret", 1);
  CHECK(resolve_credentials("", "").access_key == "ENVKEY");
  CHECK(resolve_credentials("KEY", "secret").secret_key == "secret");
  CHECK_THROWS_WITH(resolve_credentials("KEY", ""), Catch::Contains("set both aws.access.key.id and aws.secret.access.key"));
  ::unsetenv("AWS_ACCESS_KEY_ID");
  ::unsetenv("AWS_SECRET_ACCESS_KEY");
  ::setenv("AWS_PROFILE", "missing", 1);
  CHECK_THROWS_WITH(resolve_credentials("", ""), Catch::Contains("profile [missing] in " + dir / "credentials"));
  ::unsetenv("AWS_PROFILE");
  ::unsetenv("AWS_SHARED_CREDENTIALS_FILE");
}
