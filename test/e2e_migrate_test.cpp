// End-to-end: moving from Kafka Connect standalone with the real binary —
// connect-standalone's offsets file imported and exported, Kafka's shipped
// config/ files run unchanged, connector classes connectrun lacks, and
// validation that reports every problem.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "json/json_writer.h"
#include "kafka/mock_cluster.h"
#include "offsets/kafka_offsets_file.h"
#include "support.h"

using namespace testsupport;
using namespace std::chrono_literals;

namespace {
const std::string kSample =
    std::string(CONNECTRUN_SOURCE_DIR) + "/../shared/reference/samples/kafka-connect-3.6.2-standalone.offsets";
const std::string kKafkaConfig = std::string(CONNECTRUN_SOURCE_DIR) + "/test/data/kafka-config";

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

size_t count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

// The sample's two connectors (their files as the sample names them) and a sink.
std::string sample_job(const TempDir& dir) {
  return fmt::format(R"(worker:
  offset.storage.file.filename: {0}/offsets.json
  key.converter: StringConverter
  value.converter: StringConverter
connectors:
  - name: local-file-source
    connector.class: FileStreamSource
    file: /var/log/demo/app.log
    topic: t1
  - name: other-source
    connector.class: FileStreamSource
    file: /var/log/demo/other.log
    topic: t1
  - name: snk
    connector.class: FileStreamSink
    file: {0}/out.txt
    topics: t1
)",
                     dir.path());
}

// Kafka's three files of one version, with only what ties them to a machine
// replaced: the broker address and where offsets are kept.
void kafka_files_for(const std::string& version, const TempDir& dir, const std::string& bootstrap) {
  std::string worker = read_file(kKafkaConfig + "/" + version + "/connect-standalone.properties");
  auto replace_line = [&](const std::string& key, const std::string& value) {
    auto at = worker.find("\n" + key + "=");
    REQUIRE(at != std::string::npos);
    auto end = worker.find('\n', at + 1);
    worker.replace(at + 1, end - at - 1, key + "=" + value);
  };
  replace_line("bootstrap.servers", bootstrap);
  replace_line("offset.storage.file.filename", dir / "connect.offsets");
  write_file(dir / "connect-standalone.properties", worker);
}
}  // namespace

TEST_CASE("offsets import --from-kafka-connect: the 3.6.2 sample is shown then written on --yes", "[migrate][e2e]") {
  TempDir dir;
  write_file(dir / "job.yaml", sample_job(dir));
  // Without a terminal and without --yes: shown, refused, nothing written.
  auto no = run_connectrun({"offsets", "import", "--from-kafka-connect", kSample, dir / "job.yaml"});
  INFO(no.err);
  CHECK(no.exit_code == 2);
  CHECK(has(no.err, "holds 2 source offset(s)"));
  CHECK(has(no.err, R"(local-file-source  {"filename":"/var/log/demo/app.log"}    {"position":270})"));
  CHECK(has(no.err, R"(other-source       {"filename":"/var/log/demo/other.log"}  {"position":4})"));
  CHECK(has(no.err, "pass --yes"));
  CHECK(read_file(dir / "offsets.json").empty());

  auto yes = run_connectrun({"offsets", "import", "--from-kafka-connect", kSample, "--yes", dir / "job.yaml"});
  INFO(yes.err);
  REQUIRE(yes.exit_code == 0);
  CHECK(has(yes.err, "import: 2 source offset(s)"));
  auto list = run_connectrun({"offsets", "list", "--json", "--connector", "local-file-source", dir / "job.yaml"});
  CHECK(list.out == "{\"offsets\":[{\"partition\":{\"filename\":\"/var/log/demo/app.log\"},\"offset\":{\"position\":270}}]}\n");

  // A job whose connector cannot use an entry: nothing imported, the reason named.
  TempDir other;
  std::string job = sample_job(other);
  job.replace(job.find("/var/log/demo/other.log"), 23, "/var/log/demo/renamed.log");
  write_file(other / "job.yaml", job);
  auto bad = run_connectrun({"offsets", "import", "--from-kafka-connect", kSample, "--yes", other / "job.yaml"});
  INFO(bad.err);
  CHECK(bad.exit_code == 2);
  CHECK(has(bad.err, "connector 'other-source' (FileStreamSource) cannot resume"));
  CHECK(has(bad.err, "an offset for '/var/log/demo/other.log' would never be used"));
  CHECK(read_file(other / "offsets.json").empty());

  // Not Kafka's format at all: refused naming what it is not.
  write_file(dir / "not.offsets", "{\"offsets\":[]}");
  auto wrong = run_connectrun({"offsets", "import", "--from-kafka-connect", dir / "not.offsets", "--yes", dir / "job.yaml"});
  CHECK(wrong.exit_code == 2);
  CHECK(has(wrong.err, "not a Java serialization stream"));
}

TEST_CASE("offsets import: in place over Kafka's own offsets file with Kafka's worker file", "[migrate][e2e]") {
  TempDir dir;
  // offset.storage.file.filename names connect-standalone's file (a working copy of the sample).
  write_file(dir / "connect.offsets", read_file(kSample));
  write_file(dir / "worker.properties", fmt::format("offset.storage.file.filename={}\nkey.converter=StringConverter\n"
                                                    "value.converter=StringConverter\n", dir / "connect.offsets"));
  write_file(dir / "src.properties", "name=other-source\nconnector.class=FileStreamSource\nfile=/var/log/demo/other.log\n"
                                     "topic=t1\n");
  write_file(dir / "snk.properties", fmt::format("name=snk\nconnector.class=FileStreamSink\nfile={}\ntopics=t1\n",
                                                 dir / "out.txt"));
  std::vector<std::string> files{dir / "worker.properties", dir / "src.properties", dir / "snk.properties"};
  std::vector<std::string> run{"run", "--once"};
  run.insert(run.end(), files.begin(), files.end());
  auto before = run_connectrun(run);
  INFO(before.err);
  CHECK(before.exit_code == 1);  // as for any offsets file it cannot use
  CHECK(has(before.err, "is Kafka Connect's offsets file"));
  CHECK(has(before.err, "connectrun offsets import --from-kafka-connect " + dir / "connect.offsets"));
  CHECK_FALSE(has(before.err, "corrupt"));

  std::vector<std::string> import{"offsets", "import", "--from-kafka-connect", dir / "connect.offsets", "--yes"};
  import.insert(import.end(), files.begin(), files.end());
  auto r = run_connectrun(import);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(has(r.err, "not in this job (kept for it)"));  // local-file-source
  CHECK(read_file(dir / "connect.offsets.kafka-connect") == read_file(kSample));
  auto text = read_file(dir / "connect.offsets");
  CHECK(has(text, R"({"key":["other-source",{"filename":"/var/log/demo/other.log"}],"offset":{"position":4}})"));
  CHECK(has(text, R"({"key":["local-file-source",{"filename":"/var/log/demo/app.log"}],"offset":{"position":270}})"));
}

TEST_CASE("offsets export then import: the FileStreamSource resumes at its next line", "[migrate][e2e]") {
  TempDir dir;
  write_file(dir / "in.txt", "a\nb\n");
  write_file(dir / "job.yaml", lines_job(dir.path()));
  REQUIRE(run_connectrun({"run", "--once", dir / "job.yaml"}).exit_code == 0);
  REQUIRE(stored_position(dir / "offsets.json") == 4);

  auto exp = run_connectrun({"offsets", "export", "--to-kafka-connect", dir / "connect.offsets", dir / "job.yaml"});
  INFO(exp.err);
  REQUIRE(exp.exit_code == 0);
  std::string bytes = read_file(dir / "connect.offsets");
  REQUIRE(connectrun::is_java_serialization(bytes));
  auto entries = connectrun::decode_kafka_offsets(bytes);
  REQUIRE(entries.size() == 1);
  CHECK(entries[0].connector == "src");
  CHECK(connectrun::to_schemaless_json(entries[0].offset) == R"({"position":4})");
  // Its own offsets file, or an existing file without --yes: refused.
  auto own = run_connectrun({"offsets", "export", "--to-kafka-connect", dir / "offsets.json", "--yes", dir / "job.yaml"});
  CHECK(own.exit_code == 2);
  CHECK(has(own.err, "is this job's own offsets file"));
  auto over = run_connectrun({"offsets", "export", "--to-kafka-connect", dir / "connect.offsets", dir / "job.yaml"});
  CHECK(over.exit_code == 2);
  CHECK(has(over.err, "the file exists and is replaced"));

  // A new job on the same input with fresh offsets: imported, it reads only what was added.
  TempDir next;
  write_file(next / "job.yaml", lines_job(next.path(), {.in = dir / "in.txt"}));
  auto imp = run_connectrun({"offsets", "import", "--from-kafka-connect", dir / "connect.offsets", "--yes",
                             next / "job.yaml"});
  INFO(imp.err);
  REQUIRE(imp.exit_code == 0);
  append_file(dir / "in.txt", "c\n");
  auto r = run_connectrun({"run", "--once", next / "job.yaml"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(read_file(next / "out.txt") == "c\n");
}

TEST_CASE("offsets import: the sample's app.log position resumes at its fourth line with no duplicates", "[migrate][e2e]") {
  TempDir dir;
  // app.log as connect-standalone read it: the three lines the sample's topic holds (270 bytes).
  std::string app;
  for (int i = 0; i < 3; ++i)
    app += fmt::format(R"({{"id":{0},"user":"user-{0}","amount":{0},"ts":"2026-11-25T10:00:00Z","msg":"lorem ipsum dolor"}})"
                       "\n", i);
  REQUIRE(app.size() == 270);
  write_file(dir / "app.log", app + "{\"id\":3}\n");
  // The sample's bytes with only app.log's path changed to this test's copy (Java's layout otherwise).
  auto pairs = connectrun::read_kafka_offsets_pairs(read_file(kSample));
  for (auto& p : pairs) {
    auto at = p.key->find("/var/log/demo/app.log");
    if (at != std::string::npos) p.key->replace(at, 21, dir / "app.log");
  }
  write_file(dir / "connect.offsets", connectrun::write_kafka_offsets_pairs(pairs));
  write_file(dir / "job.yaml", fmt::format(R"(worker:
  offset.storage.file.filename: {0}/offsets.json
  key.converter: StringConverter
  value.converter: StringConverter
connectors:
  - name: local-file-source
    connector.class: FileStreamSource
    file: {0}/app.log
    topic: t1
  - name: snk
    connector.class: FileStreamSink
    file: {0}/out.txt
    topics: t1
)",
                                           dir.path()));
  auto imp = run_connectrun({"offsets", "import", "--from-kafka-connect", dir / "connect.offsets", "--yes", dir / "job.yaml"});
  INFO(imp.err);
  REQUIRE(imp.exit_code == 0);
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(read_file(dir / "out.txt") == "{\"id\":3}\n");
}

TEST_CASE("Kafka's shipped config files validate and run unchanged", "[migrate][e2e][kafka]") {
  for (std::string version : {"2.8.2", "3.0.2", "3.6.2", "1.1.1"}) {
    INFO("Kafka " << version);
    std::string base = kKafkaConfig + "/" + version + "/";
    std::vector<std::string> files{base + "connect-standalone.properties", base + "connect-file-source.properties",
                                   base + "connect-file-sink.properties"};
    std::vector<std::string> validate{"validate"};
    validate.insert(validate.end(), files.begin(), files.end());
    auto v = run_connectrun(validate);
    INFO(v.err);
    CHECK(v.exit_code == 0);
    std::vector<std::string> strict{"--strict-config"};
    strict.insert(strict.end(), validate.begin(), validate.end());
    auto s = run_connectrun(strict);
    INFO(s.err);
    if (version == "1.1.1") {
      // Its internal.* keys: one warning each, errors under --strict-config.
      CHECK(count(v.err, "has no effect: Kafka's internal converters") == 4);
      CHECK(s.exit_code == 2);
      CHECK(has(s.err, "(--strict-config)"));
    } else {
      CHECK_FALSE(has(v.err, "has no effect"));
      CHECK(s.exit_code == 0);
    }
  }
  // 3.6.2's files run: test.txt (relative, as shipped) → connect-test → test.sink.txt, with JSON envelopes.
  TempDir dir;
  connectrun::MockCluster broker(1, {{"connect-test", 1}});
  kafka_files_for("3.6.2", dir, broker.bootstrap());
  write_file(dir / "test.txt", "hello\nworld\n");
  std::string base = kKafkaConfig + "/3.6.2/";
  auto r = run_connectrun({"run", "--once", dir / "connect-standalone.properties", base + "connect-file-source.properties",
                           base + "connect-file-sink.properties"},
                          120s, dir.path());
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(read_file(dir / "test.sink.txt") == "hello\nworld\n");
}

TEST_CASE("worker keys: Kafka's no-effect keys warn once each and unknown ones warn only in .properties", "[migrate][e2e]") {
  TempDir dir;
  write_file(dir / "worker.properties", fmt::format(R"(offset.storage.file.filename={}
key.converter=org.apache.kafka.connect.storage.StringConverter
key.converter.schemas.enable=false
value.converter=org.apache.kafka.connect.storage.StringConverter
internal.key.converter=org.apache.kafka.connect.json.JsonConverter
internal.key.converter.schemas.enable=false
rest.advertised.host.name=connect-1
rest.host.name=0.0.0.0
rest.port=8083
plugin.path=/usr/share/java
plugin.discovery=hybrid_warn
metric.reporters=org.apache.kafka.common.metrics.JmxReporter
config.providers=file,env
config.providers.file.class=org.apache.kafka.common.config.provider.FileConfigProvider
listeners=HTTP://localhost:0,http://:8084
offset.flush.intervall.ms=1000
)",
                                                    dir / "offsets.json"));
  write_file(dir / "src.properties", fmt::format("name=src\nconnector.class=FileStreamSource\nfile={}\ntopic=t\n", dir / "in.txt"));
  write_file(dir / "snk.properties", fmt::format("name=snk\nconnector.class=FileStreamSink\nfile={}\ntopics=t\n", dir / "out.txt"));
  std::vector<std::string> files{dir / "worker.properties", dir / "src.properties", dir / "snk.properties"};
  std::vector<std::string> args{"validate"};
  args.insert(args.end(), files.begin(), files.end());
  auto r = run_connectrun(args);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  for (std::string key : {"internal.key.converter", "internal.key.converter.schemas.enable", "rest.advertised.host.name",
                          "rest.host.name", "rest.port", "plugin.path", "plugin.discovery", "metric.reporters",
                          "config.providers", "config.providers.file.class"})
    CHECK(count(r.err, "worker key '" + key + "' has no effect") == 1);
  CHECK(count(r.err, "key 'key.converter.schemas.enable' has no effect: StringConverter does not use it") == 1);
  CHECK(has(r.err, "unknown worker key 'offset.flush.intervall.ms' (did you mean 'offset.flush.interval.ms'?); ignored"));
  CHECK(has(r.err, "connectrun serves only http://localhost:0 and not 'http://:8084'"));
  args.insert(args.begin(), "--strict-config");
  auto strict = run_connectrun(args);
  INFO(strict.err);
  CHECK(strict.exit_code == 2);
  CHECK(has(strict.err, "13 problem(s) found (--strict-config)"));

  // In connectrun's YAML an unknown worker key stays an error with "did you mean"; Kafka's no-effect keys warn.
  write_file(dir / "job.yaml", lines_job(dir.path(), {.worker_extra = "  plugin.path: /opt\n  offset.flush.intervall.ms: 5\n"}));
  auto y = run_connectrun({"validate", dir / "job.yaml"});
  INFO(y.err);
  CHECK(y.exit_code == 2);
  CHECK(has(y.err, "unknown worker key (did you mean 'offset.flush.interval.ms'?)"));
  CHECK(has(y.err, "1 problem(s) found"));

  // A provider class connectrun cannot load, an https-only listener, a REST extension: errors.
  write_file(dir / "bad.properties", fmt::format(R"(offset.storage.file.filename={}
key.converter=StringConverter
value.converter=StringConverter
config.providers=vault
config.providers.vault.class=com.bettercloud.vault.VaultConfigProvider
listeners=https://localhost:8443
rest.extension.classes=org.apache.kafka.connect.rest.basic.auth.extension.BasicAuthSecurityRestExtension
)",
                                                 dir / "offsets.json"));
  auto bad = run_connectrun({"validate", dir / "bad.properties", dir / "src.properties", dir / "snk.properties"});
  INFO(bad.err);
  CHECK(bad.exit_code == 2);
  CHECK(has(bad.err, "config provider 'vault' (com.bettercloud.vault.VaultConfigProvider) cannot be loaded"));
  CHECK(has(bad.err, "https listeners are not supported"));
  CHECK(has(bad.err, "Kafka REST extensions are Java classes"));
}

TEST_CASE("a connector class connectrun lacks: one problem naming it with its classes closest first", "[migrate][e2e][families]") {
  TempDir dir;
  write_file(dir / "job.yaml", fmt::format(R"(worker:
  offset.storage.file.filename: {0}/offsets.json
  key.converter: StringConverter
  value.converter: StringConverter
connectors:
  - name: es
    connector.class: io.confluent.connect.elasticsearch.ElasticsearchSinkConnector
    topics: t
    connection.url: http://localhost:9200
    type.name: _doc
    key.ignore: true
  - name: spool
    connector.class: com.github.jcustenborder.kafka.connect.spooldir.SpoolDirCsvSourceConnectorr
    topic: t
)",
                                           dir.path()));
  auto r = run_connectrun({"validate", dir / "job.yaml"});
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(has(r.err, "2 problem(s) found"));
  CHECK(has(r.err, "unknown connector 'io.confluent.connect.elasticsearch.ElasticsearchSinkConnector'"));
  CHECK(count(r.err, "connectrun runs its own native connectors only and loads no JARs") == 2);
  CHECK(has(r.err, "closest first: SpoolDirCsvSource,"));
  CHECK_FALSE(has(r.err, "connection.url"));
  CHECK_FALSE(has(r.err, "unknown key"));
}

TEST_CASE("validate: a structural error does not hide the others and all come in line order", "[migrate][e2e]") {
  TempDir dir;
  write_file(dir / "dup.yaml", fmt::format(R"(worker:
  offset.storage.file.filename: {0}/offsets.json
  key.converter: StringConverter
  value.converter: StringConverter
  offset.flush.interval.ms: often
connectors:
  - name: a
    connector.class: FileStreamSource
    file: {0}/in.txt
    topic: t
  - name: a
    connector.class: FileStreamSink
    file: {0}/out.txt
    topics: t
    flie: x
)",
                                           dir.path()));
  auto r = run_connectrun({"validate", dir / "dup.yaml"});
  INFO(r.err);
  CHECK(r.exit_code == 2);
  CHECK(has(r.err, "3 problem(s) found"));
  auto interval = r.err.find("offset.flush.interval.ms");
  auto dup = r.err.find("duplicate connector name 'a'");
  auto flie = r.err.find("flie");
  REQUIRE(interval != std::string::npos);
  REQUIRE(dup != std::string::npos);
  REQUIRE(flie != std::string::npos);
  CHECK(interval < dup);
  CHECK(dup < flie);

  // `connector:` for `connectors:`: said once, with the worker's own problem, and no "missing connectors".
  write_file(dir / "typo.yaml", fmt::format(R"(worker:
  offset.storage.file.filename: {0}/offsets.json
  key.converter: StringConverter
  value.converter: StringConverter
  offset.flush.interval.ms: often
connector:
  - name: a
    connector.class: FileStreamSource
)",
                                            dir.path()));
  auto t = run_connectrun({"validate", dir / "typo.yaml"});
  INFO(t.err);
  CHECK(t.exit_code == 2);
  CHECK(has(t.err, "2 problem(s) found"));
  CHECK(has(t.err, "unknown top-level key 'connector' (did you mean 'connectors'?)"));
  CHECK(t.err.find("offset.flush.interval.ms") < t.err.find("unknown top-level key"));
}
