// End-to-end: the machine-readable outputs (`plugins --json`, `plugins NAME
// --json`, `validate --json`, `run --dry-run --format json`), each read back
// with the project's JSON reader (and jq, for the pipe).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "data/value.h"
#include "json/base64.h"
#include "json/json_reader.h"
#include "support.h"

using namespace testsupport;
using connectrun::Value;

namespace {

const Value& field(const Value& obj, std::string_view name) {
  const Value* v = obj.find(name);
  INFO("field " << name);
  REQUIRE(v);
  return *v;
}

std::string str(const Value& obj, std::string_view name) { return field(obj, name).as<std::string>(); }

const connectrun::Array& arr(const Value& obj, std::string_view name) { return field(obj, name).as<connectrun::Array>(); }

// The entry of `items` whose `name` is `name`.
const Value* named(const connectrun::Array& items, std::string_view name) {
  for (auto& i : items)
    if (i.find("name") && i.find("name")->as<std::string>() == name) return &i;
  return nullptr;
}

}  // namespace

TEST_CASE("plugins --json lists every plugin and plugins NAME --json its keys", "[e2e][jsonout]") {
  auto all = run_connectrun({"plugins", "--json"});
  INFO(all.err);
  REQUIRE(all.exit_code == 0);
  Value list = connectrun::parse_schemaless_json(all.out);
  const auto& plugins = list.as<connectrun::Array>();
  CHECK(plugins.size() > 30);
  const Value* src = named(plugins, "FileStreamSource");
  REQUIRE(src);
  CHECK(str(*src, "type") == "source");
  CHECK(str(*src, "family") == "file");
  auto& aliases = arr(*src, "aliases");
  CHECK(std::find(aliases.begin(), aliases.end(), Value("org.apache.kafka.connect.file.FileStreamSourceConnector")) !=
        aliases.end());
  CHECK(!str(*src, "description").empty());
  const Value* cast = named(plugins, "Cast$Value");
  REQUIRE(cast);
  CHECK(str(*cast, "type") == "transform");
  CHECK(str(*cast, "family") == "core");
  const Value* json = named(plugins, "JsonConverter");
  REQUIRE(json);
  CHECK(str(*json, "type") == "converter");
  for (auto& p : plugins) {  // every plugin is named with its family: none was registered outside add_family
    INFO(str(p, "name"));
    CHECK(!str(p, "family").empty());
  }

  // By a Java class name, as `plugins NAME` accepts.
  auto one = run_connectrun({"plugins", "org.apache.kafka.connect.file.FileStreamSourceConnector", "--json"});
  INFO(one.err);
  REQUIRE(one.exit_code == 0);
  Value detail = connectrun::parse_schemaless_json(one.out);
  CHECK(str(detail, "name") == "FileStreamSource");
  const auto& keys = arr(detail, "keys");
  const Value* topic = named(keys, "topic");
  REQUIRE(topic);
  CHECK(str(*topic, "type") == "string");
  CHECK(field(*topic, "required").as<bool>());
  CHECK(field(*topic, "default").is_null());
  CHECK(field(*topic, "secret").as<bool>() == false);
  CHECK(!str(*topic, "description").empty());
  const Value* batch = named(keys, "batch.size");
  REQUIRE(batch);
  CHECK(str(*batch, "type") == "int");
  CHECK(field(*batch, "required").as<bool>() == false);
  CHECK(field(*batch, "default").as<int64_t>() == 2000);

  // Valid values and secrets, from a converter and a sink with a password.
  Value conv = connectrun::parse_schemaless_json(run_connectrun({"plugins", "JsonConverter", "--json"}).out);
  const Value* format = named(arr(conv, "keys"), "decimal.format");
  REQUIRE(format);
  CHECK(str(*format, "valid_values").find("NUMERIC") != std::string::npos);
  auto jdbc = run_connectrun({"plugins", "JdbcSink", "--json"});
  if (jdbc.exit_code == 0) {  // the jdbc family may be left out of the build
    Value sink = connectrun::parse_schemaless_json(jdbc.out);  // kept: `password` points into it
    const Value* password = named(arr(sink, "keys"), "connection.password");
    REQUIRE(password);
    CHECK(field(*password, "secret").as<bool>());
  }

  auto unknown = run_connectrun({"plugins", "FileStreamSorce", "--json"});
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.out.empty());
  CHECK(unknown.err.find("did you mean 'FileStreamSource'") != std::string::npos);
}

TEST_CASE("validate --json gives each problem with its line and suggestion", "[e2e][jsonout]") {
  TempDir dir;
  write_file(dir / "in.txt", "a\n");
  write_file(dir / "job.yaml", fmt::format(R"(worker:
  offset.storage.file.filename: {0}/offsets.json
  key.converter: StringConverter
  value.converter: StringConverter
connectors:
  - name: src
    connector.class: FileStreamSource
    file: {0}/in.txt
    topic: lines
    batch.sise: 10
    tasks.max: many
  - name: snk
    connector.class: FileStreamSinkk
    topics: lines
)",
                                           dir.path()));
  auto r = run_connectrun({"validate", "--json", dir / "job.yaml"});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 2);
  Value doc = connectrun::parse_schemaless_json(r.out);  // stdout holds the JSON document and nothing else
  CHECK(field(doc, "valid").as<bool>() == false);
  const auto& problems = arr(doc, "problems");
  REQUIRE(problems.size() == 3);
  const std::string file = dir / "job.yaml";
  for (auto& p : problems) {
    CHECK(str(p, "file") == file);
    CHECK(str(p, "severity") == "error");
    CHECK(!str(p, "message").empty());
  }
  // Unknown key with a suggestion (line 10, the value's column).
  CHECK(field(problems[0], "line").as<int64_t>() == 10);
  CHECK(field(problems[0], "column").as<int64_t>() == 17);
  CHECK(str(problems[0], "connector") == "src");
  CHECK(str(problems[0], "key") == "batch.sise");
  CHECK(str(problems[0], "suggestion") == "batch.size");
  CHECK(arr(problems[0], "suggestions").size() == 1);
  // Wrong type.
  CHECK(field(problems[1], "line").as<int64_t>() == 11);
  CHECK(str(problems[1], "key") == "tasks.max");
  CHECK(field(problems[1], "suggestion").is_null());
  // Unknown plugin, with the class it was probably meant to be.
  CHECK(field(problems[2], "line").as<int64_t>() == 13);
  CHECK(str(problems[2], "connector") == "snk");
  CHECK(str(problems[2], "key") == "connector.class");
  CHECK(str(problems[2], "suggestion") == "FileStreamSink");

  // A valid job: exit 0, valid true; its warnings (a Kafka key with no effect, a client override
  // with no broker) come with severity warning.
  write_file(dir / "ok.yaml", fmt::format(R"(worker:
  offset.storage.file.filename: {0}/offsets.json
  key.converter: StringConverter
  value.converter: StringConverter
  plugin.path: /usr/share/java
connectors:
  - name: src
    connector.class: FileStreamSource
    file: {0}/in.txt
    topic: lines
    producer.override.linger.ms: 5
  - name: snk
    connector.class: FileStreamSink
    file: {0}/out.txt
    topics: lines
)",
                                          dir.path()));
  auto ok = run_connectrun({"validate", "--json", dir / "ok.yaml"});
  INFO(ok.out << ok.err);
  CHECK(ok.exit_code == 0);
  Value okdoc = connectrun::parse_schemaless_json(ok.out);
  CHECK(field(okdoc, "valid").as<bool>());
  const auto& warnings = arr(okdoc, "problems");
  REQUIRE(warnings.size() == 2);
  CHECK(str(warnings[0], "severity") == "warning");
  CHECK(field(warnings[0], "line").as<int64_t>() == 5);
  CHECK(field(warnings[0], "connector").is_null());  // the worker section
  CHECK(str(warnings[0], "key") == "plugin.path");
  CHECK(str(warnings[1], "severity") == "warning");
  CHECK(field(warnings[1], "line").as<int64_t>() == 11);
  CHECK(str(warnings[1], "connector") == "src");
  CHECK(str(warnings[1], "key") == "producer.override.linger.ms");

  // Under --strict-config the Kafka key with no effect is an error: invalid, exit 2.
  auto strict = run_connectrun({"validate", "--json", "--strict-config", dir / "ok.yaml"});
  CHECK(strict.exit_code == 2);
  Value sdoc = connectrun::parse_schemaless_json(strict.out);
  CHECK(field(sdoc, "valid").as<bool>() == false);
  REQUIRE(arr(sdoc, "problems").size() == 2);
  CHECK(str(arr(sdoc, "problems")[0], "severity") == "error");
  CHECK(str(arr(sdoc, "problems")[1], "severity") == "warning");
}

#ifdef CONNECTRUN_WITH_DATAGEN  // the source that makes structs with bytes; the family may be left out
TEST_CASE("dry run --format json prints one JSON object per record for jq", "[e2e][jsonout]") {
  TempDir dir;
  // A struct value with bytes and a timestamp, no key field (a null key), and datagen's headers plus one more.
  const std::string schema =
      R"({"type":"record","name":"thing","fields":[)"
      R"({"name":"id","type":{"type":"int","arg.properties":{"iteration":{"start":7}}}},)"
      R"({"name":"name","type":{"type":"string","arg.properties":{"options":["alpha"]}}},)"
      R"({"name":"data","type":{"type":"bytes","arg.properties":{"length":4}}},)"
      R"({"name":"at","type":{"type":"long","logicalType":"timestamp-millis","arg.properties":{"options":[1700000000000]}}}]})";
  write_file(dir / "job.yaml", fmt::format(R"(worker:
  offset.storage.file.filename: {0}/offsets.json
  key.converter: StringConverter
  value.converter: org.apache.kafka.connect.storage.StringConverter
connectors:
  - name: gen
    connector.class: DatagenConnector
    schema.string: '{1}'
    max.interval: 0
    iterations: 3
    kafka.topic: things
    transforms: hdr
    transforms.hdr.type: InsertHeader
    transforms.hdr.header: origin
    transforms.hdr.value.literal: dry
)",
                                           dir.path(), schema));
  auto r = run_connectrun({"run", "--dry-run", "--format", "json", dir / "job.yaml"});
  INFO(r.out << r.err);
  REQUIRE(r.exit_code == 0);
  auto lines = split_lines(r.out);
  REQUIRE(lines.size() == 3);  // records only: the connector's summary went to stderr
  CHECK(r.err.find("3 pulled, 3 shown") != std::string::npos);
  for (size_t i = 0; i < lines.size(); ++i) {
    Value rec = connectrun::parse_schemaless_json(lines[i]);
    CHECK(str(rec, "connector") == "gen");
    CHECK(str(rec, "topic") == "things");
    CHECK(field(rec, "partition").is_null());
    CHECK(field(rec, "key").is_null());
    const Value& value = field(rec, "value");  // JsonConverter (schemas.enable=false), whatever the job's converter
    CHECK(field(value, "id").as<int64_t>() == 7 + static_cast<int64_t>(i));
    CHECK(str(value, "name") == "alpha");
    CHECK(connectrun::base64::decode(str(value, "data")).value_or("").size() == 4);
    CHECK(field(value, "at").as<int64_t>() == 1700000000000);
    const auto& headers = arr(rec, "headers");
    REQUIRE(!headers.empty());
    CHECK(str(headers.back(), "key") == "origin");
    CHECK(str(headers.back(), "value") == "dry");
    CHECK(field(rec, "timestamp").is_null());  // datagen sets none
    CHECK(field(field(rec, "offset"), "current.iteration").as<int64_t>() == static_cast<int64_t>(i) + 1);
  }
  CHECK(!std::filesystem::exists(dir / "offsets.json"));

  // Piped to jq, as a script would.
  int status = -1;
  std::string ids = shell(fmt::format("'{}' run --dry-run --format json '{}' 2>/dev/null | jq -c .value.id",
                                      CONNECTRUN_BINARY, dir / "job.yaml"),
                          &status);
  CHECK(status == 0);
  CHECK(ids == "7\n8\n9\n");

  // Without --format the text output is as before.
  auto text = run_connectrun({"run", "--dry-run", dir / "job.yaml"});
  CHECK(text.out.find("# connector 'gen': 3 pulled, 3 shown") != std::string::npos);
  CHECK(run_connectrun({"run", "--dry-run", "--format", "yaml", dir / "job.yaml"}).exit_code == 2);
}
#endif
