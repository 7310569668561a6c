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
  };
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
  };
  for (auto& c : cases) {
    INFO(c.source);
    write_file(dir / "job.yaml", job(dir, c.source));
    auto bad = set(dir, c.partition, c.bad);
    INFO(bad.err);
    CHECK(bad.exit_code == 2);
    CHECK(has(bad.err, "--offset: connector 'src'"));
    CHECK(has(bad.err, c.expected));
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

TEST_CASE("a stored offset a source cannot use fails it clearly instead of reading from byte 0", "[migrate][e2e]") {
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
}
