// S3Sink's AvroFormat against a real S3-compatible server (s3rver): the
// objects are Avro object container files that Apache Avro's own Python
// implementation (Debian's python3-avro, connectors/s3/test/avro_file_check.py)
// reads back record for record, with AvroData's schema; S3Source restores
// them; what cannot be written or read is refused with the key or object named.
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "connectors/s3/test/s3_test_support.h"
#include "support.h"

#ifdef CONNECTRUN_WITH_AVRO  // AvroFormat needs the avro family

using namespace testsupport;
using namespace s3test;

namespace {

// JsonConverter envelopes of a struct {id int32, name string, score optional double}.
std::string struct_lines(int from, int to) {
  std::string out;
  for (int i = from; i < to; ++i) {
    std::string score = i % 2 ? "null" : fmt::format("{}.5", i);
    out += fmt::format(R"({{"schema":{{"type":"struct","fields":[{{"field":"id","type":"int32"}},)"
                       R"({{"field":"name","type":"string"}},{{"field":"score","type":"double","optional":true}}]}},)"
                       R"("payload":{{"id":{},"name":"n{}","score":{}}}}})",
                       i, i, score) +
           "\n";
  }
  return out;
}

// The records as Avro's Python reader prints them (sorted keys; the optional double as its union's value).
std::string avro_records(int from, int to) {
  std::string out;
  for (int i = from; i < to; ++i)
    out += fmt::format(R"({{"id":{},"name":"n{}","score":{}}})", i, i, i % 2 ? "null" : fmt::format("{}.5", i)) + "\n";
  return out;
}

// AvroData's schema of that struct, as Avro's Python reader gives it back (compact, keys sorted).
const std::string kSchema =
    R"({"fields":[{"name":"id","type":"int"},{"name":"name","type":"string"},)"
    R"({"default":null,"name":"score","type":["null","double"]}],"name":"ConnectDefault",)"
    R"("namespace":"io.confluent.connect.avro","type":"record"})";

// Apache Avro's Python reader on object `key`: codec, schema, records (or its error).
std::string read_with_python(const S3rverServer& s3, const TempDir& dir, const std::string& key) {
  write_file(dir / "object.avro", s3.get("test-bucket", key));
  return shell(fmt::format("/usr/bin/python3 {}/connectors/s3/test/avro_file_check.py {} 2>&1", CONNECTRUN_SOURCE_DIR,
                           dir / "object.avro"));
}

const std::string kAvroClass = "io.confluent.connect.s3.format.avro.AvroFormat";
std::string restore_avro(const S3rverServer& s3, const std::string& dir, const std::string& topics_dir) {
  return restore_job(s3, dir, "    topics.dir: " + topics_dir, kAvroClass);
}

const std::string kAvro = "    format.class: " + kAvroClass + "\n";

}  // namespace

TEST_CASE("S3Sink AvroFormat writes container files Apache Avro reads back, with null and deflate codecs", "[s3]") {
  S3rverServer s3;
  TempDir dir;
  write_file(dir / "in.txt", struct_lines(0, 5));
  SinkJob job{.dir = dir.path(), .schemas = true, .sink_extra = kAvro + "    topics.dir: plain\n"};
  REQUIRE(run_in_process(sink_job(s3, job)));
  auto keys = s3.keys("test-bucket");
  REQUIRE(keys == std::vector<std::string>{"plain/events/partition=0/events+0+0000000000.avro",
                                           "plain/events/partition=0/events+0+0000000003.avro"});
  CHECK(read_with_python(s3, dir, keys[0]) == "null\n" + kSchema + "\n" + avro_records(0, 3));
  CHECK(read_with_python(s3, dir, keys[1]) == "null\n" + kSchema + "\n" + avro_records(3, 5));

  // deflate, and records enough for several blocks (a block is written every ~64,000 bytes).
  TempDir big;
  write_file(big / "in.txt", struct_lines(0, 3000));
  SinkJob deflated{.dir = big.path(), .schemas = true,
                   .sink_extra = kAvro + "    avro.codec: deflate\n    flush.size: 3000\n    topics.dir: deflated\n"};
  REQUIRE(run_in_process(sink_job(s3, deflated)));
  const std::string key = "deflated/events/partition=0/events+0+0000000000.avro";
  const std::string bytes = s3.get("test-bucket", key);
  CHECK(bytes.size() < 3000 * 20);  // compressed: the records alone take ~25 bytes each
  CHECK(read_with_python(s3, big, key) == "deflate\n" + kSchema + "\n" + avro_records(0, 3000));

  // The same records give the same object, byte for byte (the sync marker comes from the content): a replay
  // after a crash rewrites what was there.
  TempDir again;
  write_file(again / "in.txt", struct_lines(0, 3000));
  SinkJob replay = deflated;
  replay.dir = again.path();
  replay.sink_extra = kAvro + "    avro.codec: deflate\n    flush.size: 3000\n    topics.dir: replayed\n";
  REQUIRE(run_in_process(sink_job(s3, replay)));
  CHECK(s3.get("test-bucket", "replayed/events/partition=0/events+0+0000000000.avro") == bytes);
}

TEST_CASE("S3Source restores AvroFormat objects, schemaless ones as Confluent's Anything record", "[s3]") {
  S3rverServer s3;
  {
    TempDir archive, restore;
    write_file(archive / "in.txt", struct_lines(0, 7));
    REQUIRE(run_in_process(sink_job(s3, SinkJob{.dir = archive.path(), .schemas = true,
                                                 .sink_extra = kAvro + "    topics.dir: typed\n"})));
    REQUIRE(run_in_process(restore_avro(s3, restore.path(), "typed")));
    std::string want;
    for (int i = 0; i < 7; ++i)
      want += fmt::format(R"({{"id":{},"name":"n{}","score":{}}})", i, i, i % 2 ? "null" : fmt::format("{}.5", i)) + "\n";
    CHECK(read_file(restore / "out.txt") == want);
    CHECK_THAT(read_file(restore / "offsets.json"), Catch::Contains("events+0+0000000006.avro"));
  }
  {
    // Schemaless JSON values: written with the Anything schema, read back as the same values.
    TempDir archive, restore;
    write_file(archive / "in.txt", json_lines(0, 4));
    REQUIRE(run_in_process(sink_job(s3, SinkJob{.dir = archive.path(), .sink_extra = kAvro + "    topics.dir: loose\n"})));
    auto printed = read_with_python(s3, archive, "loose/events/partition=0/events+0+0000000000.avro");
    CHECK_THAT(printed, Catch::Contains("\"name\":\"Anything\""));
    REQUIRE(run_in_process(restore_avro(s3, restore.path(), "loose")));
    CHECK(read_file(restore / "out.txt") == json_lines(0, 4));
  }
}

TEST_CASE("AvroFormat refuses codecs it cannot write and objects it cannot read, naming them", "[s3]") {
  S3rverServer s3;
  TempDir dir;
  CHECK_THAT(plan_problems(sink_job(s3, SinkJob{.dir = dir.path(), .sink_extra = kAvro + "    avro.codec: snappy\n"})),
             Catch::Contains("avro.codec snappy is not supported by connectrun: use null or deflate"));
  CHECK_THAT(plan_problems(sink_job(s3, SinkJob{.dir = dir.path(), .sink_extra = kAvro + "    avro.codec: lz4\n"})),
             Catch::Contains("avro.codec"));
  // An object named like an Avro file that is not one: the source fails, naming it.
  write_file(dir / "fake.avro", "{\"not\":\"avro\"}\n");
  s3.s3cmd("put " + dir / "fake.avro" + " s3://test-bucket/bad/events/partition=0/events+0+0000000000.avro");
  TempDir restore;
  write_file(restore / "job.yaml", restore_avro(s3, restore.path(), "bad"));
  auto r = run_connectrun({"run", "--once", restore / "job.yaml"}, std::chrono::seconds(60));
  CHECK(r.exit_code != 0);
  CHECK_THAT(r.err, Catch::Contains("object bad/events/partition=0/events+0+0000000000.avro: not an Avro object "
                                    "container file connectrun can read"));
}

#endif  // CONNECTRUN_WITH_AVRO
