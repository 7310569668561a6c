// End-to-end: each source connector checks the offsets it is given
// (SourceTask::check_offset, Kafka's SourceConnector.alterOffsets):
// `offsets set` refuses one it cannot use, saying what it expects, and a
// stored offset it cannot use fails the connector instead of starting over.
#include <filesystem>

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "support.h"

using namespace testsupport;

namespace {
bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// One source (its keys after `- name: src`) into a FileStreamSink.
std::string job(const TempDir& dir, const std::string& source) {
  return fmt::format(R"(worker:
  offset.storage.file.filename: {0}/offsets.json
  key.converter: StringConverter
  value.converter: StringConverter
connectors:
  - name: src
{1}  - name: snk
    connector.class: FileStreamSink
    file: {0}/out.txt
    topics: t
)",
                     dir.path(), source);
}

RunResult set(const TempDir& dir, const std::string& partition, const std::string& offset) {
  return run_connectrun({"offsets", "set", "--connector", "src", "--partition", partition, "--offset", offset, "--yes",
                         dir / "job.yaml"});
}
}  // namespace

TEST_CASE("offsets set: each source connector refuses an offset it cannot use", "[migrate][e2e][families]") {
  TempDir dir;
  const std::string in = dir / "in.txt";
  write_file(in, "a\nb\n");
  struct Case {
    std::string source, partition, good, bad, expected;
    std::string bad_partition = {}, partition_expected = {};  // a partition refused with the good offset
  };
  auto jdbc = [&](const std::string& mode, const std::string& columns) {
    return fmt::format("    connector.class: io.confluent.connect.jdbc.JdbcSourceConnector\n    connection.url: "
                       "jdbc:sqlite:{}/db.sqlite\n    mode: {}\n{}    topic.prefix: t-\n",
                       dir.path(), mode, columns);
  };
  const std::string s3 = "    connector.class: S3Source\n    s3.bucket.name: archive\n    store.url: http://127.0.0.1:9\n"
                         "    format.class: io.confluent.connect.s3.format.json.JsonFormat\n";
  std::filesystem::create_directories(dir / "spool/in");
  std::filesystem::create_directories(dir / "spool/finished");
  std::filesystem::create_directories(dir / "spool/error");
  std::vector<Case> cases{
      {fmt::format("    connector.class: FileStreamSource\n    file: {}\n    topic: t\n", in),
       fmt::format(R"({{"filename":"{}"}})", in), R"({"position":2})", R"({"position":"abc"})",
       "\"position\" must be a whole number of bytes (0 or more), got \"abc\""},
      {fmt::format("    connector.class: FileStreamSource\n    file: {}\n    topic: t\n", in),
       fmt::format(R"({{"filename":"{}"}})", in), R"({"position":0})", R"({"pos":1})",
       "an offset is {\"position\":N}"},
      {fmt::format("    connector.class: FileTail\n    paths: {}\n    topic: t\n", in), R"({"device":1,"inode":2})",
       R"({"position":2,"fingerprint":"00112233445566ff","fingerprint.bytes":2})", R"({"position":2})",
       "an offset is {\"position\":BYTES,\"fingerprint\":\"16 hex digits\""},
      {fmt::format("    connector.class: com.github.jcustenborder.kafka.connect.spooldir.SpoolDirLineDelimitedSourceConnector\n    input.path: {0}/spool/in\n"
                   "    finished.path: {0}/spool/finished\n    error.path: {0}/spool/error\n"
                   "    input.file.pattern: '.*'\n    topic: t\n",
                   dir.path()),
       R"({"fileName":"a.txt"})", R"({"offset":3})", R"({"offset":-2})",
       "\"offset\" must be a whole number of records (0 or more), got -2"},
      {"    connector.class: io.confluent.kafka.connect.datagen.DatagenConnector\n    kafka.topic: t\n    quickstart: users\n", R"({"task.id":0})",
       R"({"task.generation":0,"current.iteration":5,"random.seed":-7})", R"({"current.iteration":5})",
       "an offset is {\"task.generation\":N,\"current.iteration\":N,\"random.seed\":LONG}"},
      // JdbcSource: kafka-connect-jdbc's shapes per mode (configure() opens no connection).
      {jdbc("incrementing", "    incrementing.column.name: id\n"), R"({"protocol":"1","table":"items"})",
       R"({"incrementing":42})", R"({"timestamp":1700000000000,"timestamp_nanos":0})",
       "with mode=incrementing an offset is {\"incrementing\":N}: \"timestamp\" is not part of it"},
      {jdbc("timestamp", "    timestamp.column.name: updated\n"), R"({"protocol":"1","table":"items"})",
       R"({"timestamp":1700000000123,"timestamp_nanos":123000000})", R"({"incrementing":42})",
       "with mode=timestamp an offset is {\"timestamp\":EPOCH_MS,\"timestamp_nanos\":0..999999999}"},
      {jdbc("timestamp+incrementing", "    incrementing.column.name: id\n    timestamp.column.name: updated\n"),
       R"({"protocol":"1","table":"items"})", R"({"incrementing":7,"timestamp":1700000000000,"timestamp_nanos":0})",
       R"({"timestamp":1700000000000,"timestamp_nanos":0})",
       "with mode=timestamp+incrementing an offset is {\"incrementing\":N,\"timestamp\":EPOCH_MS,"
       "\"timestamp_nanos\":0..999999999}: \"incrementing\" is missing"},
      {jdbc("timestamp+incrementing", "    incrementing.column.name: id\n    timestamp.column.name: updated\n"),
       R"({"protocol":"1","table":"items"})", R"({"incrementing":7,"timestamp":1700000000000})",
       R"({"incrementing":"7","timestamp":1700000000000})", "\"incrementing\" must be a whole number, got \"7\""},
      {jdbc("incrementing", "    incrementing.column.name: id\n"), R"({"protocol":"1","table":"items"})",
       R"({"incrementing":1})", R"({"incrementing":1})", "", /*bad_partition=*/R"({"table":"items"})",
       "a table's partition is {\"protocol\":\"1\",\"table\":\"TABLE\"}"},
      // S3Source: {bucket, topic, partition} -> {object, line}.
      {s3, R"({"bucket":"archive","topic":"orders","partition":0})",
       R"({"object":"topics/orders/partition=0/orders+0+0000000000.json","line":3})",
       R"({"object":"topics/orders/partition=0/orders+1+0000000000.json","line":3})",
       "\"object\" must be the key of an object of orders-0"},
      {s3, R"({"bucket":"archive","topic":"orders","partition":0})",
       R"({"object":"topics/orders/partition=0/orders+0+0000000000.json","line":0})",
       R"({"object":"topics/orders/partition=0/orders+0+0000000000.json","line":-1})",
       "\"line\" must be a whole number of records (0 or more), got -1"},
      // RabbitMQ and MQTT sources: informative offsets, checked for shape.
      {"    connector.class: com.github.jcustenborder.kafka.connect.rabbitmq.RabbitMQSourceConnector\n"
       "    rabbitmq.queue: events\n    kafka.topic: t\n",
       R"({"routingKey":"events"})", R"({"deliveryTag":12})", R"({"deliveryTag":"x"})",
       "\"deliveryTag\" must be a whole number (0 or more), got \"x\""},
      {"    connector.class: io.confluent.connect.mqtt.MqttSourceConnector\n    mqtt.server.uri: tcp://127.0.0.1:1883\n"
       "    mqtt.topics: sensors/#\n    kafka.topic: t\n",
       R"({"mqtt.server.uri":"tcp://127.0.0.1:1883"})", R"({"messageId":7})", R"({"messageId":70000})",
       "\"messageId\" must be an MQTT packet id (0..65535), got 70000"},
  };
  for (auto& c : cases) {
    INFO(c.source);
    write_file(dir / "job.yaml", job(dir, c.source));
    if (!c.expected.empty()) {
      auto bad = set(dir, c.partition, c.bad);
      INFO(bad.err);
      CHECK(bad.exit_code == 2);
      CHECK(has(bad.err, "--offset: connector 'src'"));
      CHECK(has(bad.err, c.expected));
    }
    if (!c.bad_partition.empty()) {
      auto bad = set(dir, c.bad_partition, c.good);
      INFO(bad.err);
      CHECK(bad.exit_code == 2);
      CHECK(has(bad.err, c.partition_expected));
    }
    auto good = set(dir, c.partition, c.good);
    INFO(good.err);
    CHECK(good.exit_code == 0);
  }
  // A partition the connector never reads is refused too.
  write_file(dir / "job.yaml", job(dir, fmt::format("    connector.class: FileStreamSource\n    file: {}\n    topic: t\n", in)));
  auto other = set(dir, R"({"filename":"/elsewhere.txt"})", R"({"position":1})");
  CHECK(other.exit_code == 2);
  CHECK(has(other.err, "an offset for '/elsewhere.txt' would never be used"));
}

TEST_CASE("a stored offset a source cannot use fails it clearly instead of reading from byte 0", "[migrate][e2e][families]") {
  TempDir dir;
  const std::string in = dir / "in.txt";
  write_file(in, "a\nb\n");
  write_file(dir / "job.yaml", job(dir, fmt::format("    connector.class: FileStreamSource\n    file: {}\n    topic: t\n", in)));
  write_file(dir / "offsets.json",
             fmt::format(R"({{"offsets":[{{"key":["src",{{"filename":"{}"}}],"offset":{{"pos":1}}}}]}})", in));
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(has(r.err, "an offset is {\"position\":N}"));
  CHECK(has(r.err, "offsets reset --connector src"));
  CHECK(read_file(dir / "out.txt").empty());

  // JdbcSource: an incrementing-mode offset stored for a timestamp-mode table.
  int status = -1;
  shell(fmt::format("sqlite3 {}/db.sqlite 'CREATE TABLE items (id INTEGER PRIMARY KEY AUTOINCREMENT, "
                    "updated TIMESTAMP NOT NULL); INSERT INTO items (updated) VALUES (\"2024-01-01 00:00:00\");'",
                    dir.path()),
        &status);
  REQUIRE(status == 0);
  std::string jdbc_job = job(dir, fmt::format("    connector.class: io.confluent.connect.jdbc.JdbcSourceConnector\n    connection.url: "
                                  "jdbc:sqlite:{}/db.sqlite\n    mode: timestamp\n    timestamp.column.name: updated\n"
                                  "    topic.prefix: t\n    table.whitelist: items\n",
                                  dir.path()));
  jdbc_job.replace(jdbc_job.find("topics: t"), 9, "topics: titems");  // topic.prefix + the table
  write_file(dir / "job.yaml", jdbc_job);
  write_file(dir / "offsets.json",
             R"({"offsets":[{"key":["src",{"protocol":"1","table":"items"}],"offset":{"incrementing":5}}]})");
  auto j = run_connectrun({"run", "--once", dir / "job.yaml"});
  INFO(j.err);
  CHECK(j.exit_code == 1);
  CHECK(has(j.err, "with mode=timestamp an offset is {\"timestamp\":EPOCH_MS"));
  CHECK(has(j.err, "offsets reset --connector src"));
  CHECK(read_file(dir / "out.txt").empty());
}
