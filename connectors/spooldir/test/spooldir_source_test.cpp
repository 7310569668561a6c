// The SpoolDir* source tasks driven directly through the task API, as the
// engine drives them: records, headers and offsets as kafka-connect-spooldir
// makes them, a file finished only after commit_record of its last record,
// resuming after a stored offset, and every kind of bad input.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <map>

#include <spdlog/spdlog.h>

#include "config/spec.h"
#include "connectors/connectors.h"
#include "json/json_writer.h"
#include "support.h"

using namespace connectrun;
using namespace testsupport;
namespace fs = std::filesystem;

namespace {

const std::string kData = std::string(CONNECTRUN_SOURCE_DIR) + "/connectors/spooldir/test/data/";

const std::string kKeySchema = R"({"name":"com.example.users.UserKey","type":"STRUCT","isOptional":false,"fieldSchemas":{"id":{"type":"INT64","isOptional":false}}})";
const std::string kValueSchema =
    R"({"name":"com.example.users.User","type":"STRUCT","isOptional":false,"fieldSchemas":{"id":{"type":"INT64","isOptional":false},)"
    R"("first_name":{"type":"STRING","isOptional":true},"email":{"type":"STRING","isOptional":true},)"
    R"("last_login":{"name":"org.apache.kafka.connect.data.Timestamp","type":"INT64","version":1,"isOptional":true},)"
    R"("account_balance":{"name":"org.apache.kafka.connect.data.Decimal","type":"BYTES","version":1,"parameters":{"scale":"2"},"isOptional":true}}})";

// A spool directory (in/, finished/, error/) and one task of `plugin` on it.
struct Spool {
  TempDir dir;
  std::unique_ptr<SourceTask> task;
  SourceTaskContext ctx;
  std::atomic<bool> stopping{false};
  std::map<std::string, Value> stored;  // fileName -> stored offset

  std::string in() const { return dir / "in"; }
  std::string fin() const { return dir / "finished"; }
  std::string err() const { return dir / "error"; }

  Spool() {
    fs::create_directories(in());
    fs::create_directories(fin());
    fs::create_directories(err());
  }

  config::ConfigValues values(const std::string& plugin, std::map<std::string, std::string> keys) {
    const PluginInfo* p = builtin_plugins().find(plugin, {PluginKind::Source});
    REQUIRE(p);
    keys.emplace("topic", "users");
    keys.emplace("input.path", in());
    keys.emplace("finished.path", fin());
    keys.emplace("error.path", err());
    keys.emplace("input.file.pattern", ".*");
    config::RawConfig raw;
    for (auto& [k, v] : keys) raw[k] = config::RawEntry{v, {}, {}, {}};
    config::Problems problems;
    auto values = config::parse(p->spec, raw, "spool", problems);
    std::string all;
    for (auto& pr : problems.list()) all += pr.str() + "\n";
    INFO(all);
    REQUIRE(problems.empty());
    return values;
  }

  void start(const std::string& plugin, std::map<std::string, std::string> keys) {
    auto cfg = values(plugin, std::move(keys));
    task = builtin_plugins().find(plugin, {PluginKind::Source})->make_source();
    task->configure(cfg);
    ctx.connector_name = "spool";
    ctx.log = std::make_shared<spdlog::logger>("spool");
    ctx.stop_at_end_of_data = true;
    ctx.stopping = &stopping;
    ctx.offset_for = [this](const Value& partition) {
      auto it = stored.find(partition.find("fileName")->as<std::string>());
      return it == stored.end() ? Value() : it->second;
    };
    task->start(ctx);
    REQUIRE(task->wants_commit_record());
  }

  // Polls until the task is exhausted.
  std::vector<Record> poll_all() {
    std::vector<Record> all;
    for (int i = 0; i < 1000; ++i) {
      std::vector<Record> batch;
      auto st = task->poll(batch, std::chrono::milliseconds(10));
      for (auto& r : batch) all.push_back(std::move(r));
      if (st == PollStatus::Exhausted) return all;
    }
    FAIL("the task never said it was exhausted");
    return all;
  }

  void commit(const std::vector<Record>& records) {
    RecordMetadata md{"users", -1, -1};
    for (auto& r : records) task->commit_record(r, &md);
  }
};

std::string json(const Value& v) { return to_schemaless_json(v); }

std::string header(const Record& r, const std::string& key) {
  for (auto& h : r.headers)
    if (h.key == key) return json(h.value);
  return "<none>";
}

}  // namespace

TEST_CASE("SpoolDirCsvSource: Struct key and value and headers and offsets and the file moved only after its last commit",
          "[spooldir]") {
  Spool s;
  fs::copy_file(kData + "users.csv", s.in() + "/users.csv");
  s.start("com.github.jcustenborder.kafka.connect.spooldir.SpoolDirCsvSourceConnector",
          {{"key.schema", kKeySchema}, {"value.schema", kValueSchema}, {"csv.first.row.as.header", "true"},
           {"csv.null.field.indicator", "EMPTY_SEPARATORS"}, {"batch.size", "2"}});
  auto records = s.poll_all();
  REQUIRE(records.size() == 3);
  CHECK(json(records[0].value) == R"({"id":1,"first_name":"Jack","email":"jgarcia0@shop-pro.jp","last_login":1443626943000,"account_balance":347.77})");
  CHECK(json(records[1].value) == R"({"id":2,"first_name":"Kim, John","email":"jkim1@miibeian.gov.cn","last_login":1447497249000,"account_balance":251.24})");
  CHECK(json(records[2].value) == R"({"id":3,"first_name":"Ashley","email":"aaustin2@hatena.ne.jp","last_login":null,"account_balance":819.47})");
  CHECK(json(records[2].key) == R"({"id":3})");
  CHECK(*records[0].key_schema->name == "com.example.users.UserKey");
  CHECK(*records[0].value_schema->name == "com.example.users.User");
  CHECK(records[0].topic == "users");
  CHECK_FALSE(records[0].timestamp);  // PROCESS_TIME: the producer's time
  for (size_t i = 0; i < 3; ++i) {
    CHECK(json(*records[i].source_partition) == R"({"fileName":"users.csv"})");
    CHECK(json(records[i].source_offset) == fmt::format(R"({{"offset":{}}})", i + 1));
  }
  std::vector<std::string> keys;
  for (auto& h : records[1].headers) keys.push_back(h.key);
  CHECK(keys == std::vector<std::string>{"file.name", "file.name.without.extension", "file.path", "file.parent.dir.name",
                                         "file.length", "file.offset", "file.last.modified"});
  CHECK(header(records[1], "file.name") == "\"users.csv\"");
  CHECK(header(records[1], "file.name.without.extension") == "\"users\"");
  CHECK(header(records[1], "file.path") == "\"" + s.in() + "/users.csv\"");
  CHECK(header(records[1], "file.parent.dir.name") == "\"in\"");
  CHECK(header(records[1], "file.length") == std::to_string(fs::file_size(kData + "users.csv")));
  CHECK(header(records[1], "file.offset") == "2");
  CHECK(schemas::is_logical(*records[1].headers[6].schema, schemas::kTimestampName));

  // Read to its end, but not delivered: still in input.path, with its marker.
  CHECK(fs::exists(s.in() + "/users.csv"));
  CHECK(read_file(s.in() + "/users.csv.PROCESSING").find("connectrun pid=") == 0);
  s.commit({records[0], records[1]});
  CHECK(fs::exists(s.in() + "/users.csv"));
  s.commit({records[2]});
  CHECK_FALSE(fs::exists(s.in() + "/users.csv"));
  CHECK_FALSE(fs::exists(s.in() + "/users.csv.PROCESSING"));
  CHECK(read_file(s.fin() + "/users.csv") == read_file(kData + "users.csv"));
  s.task->stop();
}

TEST_CASE("SpoolDirCsvSource resumes after the stored offset and takes over the marker of a process that is gone",
          "[spooldir]") {
  Spool s;
  fs::copy_file(kData + "users.csv", s.in() + "/users.csv");
  write_file(s.in() + "/users.csv.PROCESSING", "connectrun pid=999999999 connector=spool task=0\n");
  s.stored["users.csv"] = Value(MapEntries{{Value("offset"), Value(int64_t{2})}});
  s.start("SpoolDirCsvSource", {{"key.schema", kKeySchema}, {"value.schema", kValueSchema}, {"csv.first.row.as.header", "true"},
                                {"csv.null.field.indicator", "EMPTY_SEPARATORS"}});
  auto records = s.poll_all();
  REQUIRE(records.size() == 1);
  CHECK(json(records[0].key) == R"({"id":3})");
  CHECK(json(records[0].source_offset) == R"({"offset":3})");
  s.commit(records);
  CHECK(fs::exists(s.fin() + "/users.csv"));
}

TEST_CASE("a marker written by another reader keeps the file from being read", "[spooldir]") {
  Spool s;
  fs::copy_file(kData + "lines.txt", s.in() + "/lines.txt");
  write_file(s.in() + "/lines.txt.PROCESSING", "");  // kafka-connect-spooldir's empty marker
  s.start("SpoolDirLineDelimitedSource", {});
  CHECK(s.poll_all().empty());
  CHECK(fs::exists(s.in() + "/lines.txt"));
}

TEST_CASE("SpoolDirJsonSource and SpoolDirSchemaLessJsonSource and SpoolDirLineDelimitedSource records and offsets",
          "[spooldir]") {
  SECTION("JSON with value.schema") {
    Spool s;
    fs::copy_file(kData + "users.json", s.in() + "/users.json");
    const std::string value =
        R"({"name":"U","type":"STRUCT","isOptional":false,"fieldSchemas":{"id":{"type":"INT32","isOptional":false},)"
        R"("first_name":{"type":"STRING","isOptional":true},"tags":{"type":"ARRAY","isOptional":false,"valueSchema":{"type":"STRING","isOptional":false}},)"
        R"("last_login":{"name":"org.apache.kafka.connect.data.Timestamp","type":"INT64","version":1,"isOptional":true},)"
        R"("account_balance":{"name":"org.apache.kafka.connect.data.Decimal","type":"BYTES","version":1,"parameters":{"scale":"2"},"isOptional":true}}})";
    s.start("com.github.jcustenborder.kafka.connect.spooldir.SpoolDirJsonSourceConnector",
            {{"key.schema", R"({"type":"STRUCT","isOptional":false,"fieldSchemas":{"id":{"type":"INT32","isOptional":false}}})"},
             {"value.schema", value}, {"cleanup.policy", "DELETE"}});
    auto records = s.poll_all();
    REQUIRE(records.size() == 3);
    CHECK(json(records[0].value) == R"({"id":1,"first_name":"Jack","tags":["a","b"],"last_login":1443626943000,"account_balance":347.77})");
    CHECK(json(records[1].value) == R"({"id":2,"first_name":"John","tags":[],"last_login":1447497249000,"account_balance":251.24})");
    CHECK(json(records[2].value) == R"({"id":3,"first_name":null,"tags":["c"],"last_login":null,"account_balance":819.47})");
    CHECK(json(records[2].key) == R"({"id":3})");
    for (size_t i = 0; i < 3; ++i) CHECK(json(records[i].source_offset) == fmt::format(R"({{"offset":{}}})", i));
    s.commit(records);
    CHECK_FALSE(fs::exists(s.in() + "/users.json"));  // DELETE
    CHECK(fs::is_empty(s.fin()));
  }
  SECTION("schemaless JSON") {
    Spool s;
    fs::copy_file(kData + "schemaless.json", s.in() + "/s.json");
    s.stored["s.json"] = Value(MapEntries{{Value("offset"), Value(int64_t{0})}});
    s.start("SpoolDirSchemaLessJsonSourceConnector", {{"cleanup.policy", "NONE"}});
    auto records = s.poll_all();
    REQUIRE(records.size() == 2);  // record 0 was delivered before
    CHECK(records[0].value == Value(R"("just a string")"));
    CHECK(records[1].value == Value(R"({"nested":{"x":1000.0}})"));
    CHECK(records[1].value_schema->type == Type::String);
    CHECK_FALSE(records[1].key_schema);
    CHECK(json(records[1].source_offset) == R"({"offset":2})");
    s.commit(records);
    CHECK(fs::exists(s.in() + "/s.json"));  // NONE: left in place…
    CHECK(s.poll_all().empty());            // …and not read again
  }
  SECTION("line delimited") {
    Spool s;
    fs::copy_file(kData + "lines.txt", s.in() + "/lines.txt");
    s.start("SpoolDirLineDelimitedSource", {{"timestamp.mode", "FILE_TIME"}});
    auto records = s.poll_all();
    REQUIRE(records.size() == 4);
    CHECK(records[1].value == Value("second, with a comma"));
    CHECK(records[2].value == Value(""));
    for (size_t i = 0; i < 4; ++i) CHECK(json(records[i].source_offset) == fmt::format(R"({{"offset":{}}})", i + 1));
    CHECK(records[0].timestamp);
  }
}

TEST_CASE("schema generation: optional STRING fields from the CSV header and from the first JSON object", "[spooldir]") {
  SECTION("CSV") {
    Spool s;
    fs::copy_file(kData + "users.csv", s.in() + "/users.csv");
    s.start("SpoolDirCsvSource", {{"schema.generation.enabled", "true"}, {"csv.first.row.as.header", "true"},
                                  {"schema.generation.key.fields", "id"}});
    auto records = s.poll_all();
    REQUIRE(records.size() == 3);
    CHECK(json(records[0].value) == R"({"id":"1","first_name":"Jack","email":"jgarcia0@shop-pro.jp","last_login":"2015-09-30T15:29:03Z","account_balance":"347.77"})");
    CHECK(json(records[0].key) == R"({"id":"1"})");
    CHECK(*records[0].value_schema->name == "com.github.jcustenborder.kafka.connect.model.Value");
    CHECK(records[0].value_schema->fields[3].schema->optional);
  }
  SECTION("JSON") {
    Spool s;
    write_file(s.in() + "/g.json", R"({"a":1,"b":"x"} {"a":2,"b":null})");
    s.start("SpoolDirJsonSource", {{"schema.generation.enabled", "true"}});
    auto records = s.poll_all();
    REQUIRE(records.size() == 2);
    CHECK(json(records[0].value) == R"({"a":"1","b":"x"})");
    CHECK(json(records[1].value) == R"({"a":"2","b":null})");
  }
}

TEST_CASE("bad input: the file goes to error.path with its .error file after the records before it were delivered",
          "[spooldir]") {
  const std::map<std::string, std::string> csv = {{"key.schema", kKeySchema}, {"value.schema", kValueSchema},
                                                  {"csv.first.row.as.header", "true"}, {"csv.null.field.indicator", "EMPTY_SEPARATORS"}};
  SECTION("a CSV row with the wrong number of fields: halt.on.error fails the task once the rows before it are delivered") {
    Spool s;
    write_file(s.in() + "/a.csv", "id,first_name\n1,Ann\n2,Bo,extra\n3,Cy\n");
    s.start("SpoolDirCsvSource", csv);
    std::vector<Record> got;
    s.task->poll(got, std::chrono::milliseconds(10));
    REQUIRE(got.size() == 1);
    CHECK(fs::exists(s.in() + "/a.csv"));  // not before its first row is delivered
    REQUIRE_THROWS_WITH(s.commit(got), Catch::Contains("cannot read " + s.in() + "/a.csv: line 3: the row has 3 fields but the header row has 2") &&
                                           Catch::Contains("halt.on.error=true"));
    CHECK(fs::exists(s.err() + "/a.csv"));
    const std::string report = read_file(s.err() + "/a.csv.error");
    CHECK(report.find("at: line 3\n") != std::string::npos);
    CHECK(report.find("error: the row has 3 fields but the header row has 2\n") != std::string::npos);
    CHECK(report.find("records delivered before it: 1\n") != std::string::npos);
    CHECK_FALSE(fs::exists(s.in() + "/a.csv.PROCESSING"));
  }
  SECTION("a value that does not fit its declared type: halt.on.error=false goes on with the next file") {
    Spool s;
    write_file(s.in() + "/a.csv", "id,first_name\nabc,Ann\n");
    write_file(s.in() + "/b.csv", "id,first_name\n7,Bo\n");
    auto keys = csv;
    keys["halt.on.error"] = "false";
    s.start("SpoolDirCsvSource", keys);
    auto records = s.poll_all();
    REQUIRE(records.size() == 1);
    CHECK(json(records[0].key) == R"({"id":7})");
    CHECK(read_file(s.err() + "/a.csv.error").find("error: field 'id': cannot read 'abc' as int64\n") != std::string::npos);
    s.commit(records);
    CHECK(fs::exists(s.fin() + "/b.csv"));
  }
  SECTION("a required field left empty") {
    Spool s;
    write_file(s.in() + "/a.csv", "id,first_name\n,Ann\n");
    s.start("SpoolDirCsvSource", csv);
    std::vector<Record> got;
    REQUIRE_THROWS_WITH(s.task->poll(got, std::chrono::milliseconds(10)),
                        Catch::Contains("line 2: field 'id' is required (value.schema) but its column is empty"));
    CHECK(fs::exists(s.err() + "/a.csv.error"));
  }
  SECTION("a JSON line that is not JSON") {
    Spool s;
    write_file(s.in() + "/a.json", "{\"a\":\"1\"}\nnot json\n{\"a\":\"2\"}\n");
    s.start("SpoolDirSchemaLessJsonSource", {{"halt.on.error", "false"}});
    auto records = s.poll_all();
    REQUIRE(records.size() == 1);
    s.commit(records);
    const std::string report = read_file(s.err() + "/a.json.error");
    INFO(report);
    CHECK(report.find("at: record 1 (line 2)\n") != std::string::npos);
    CHECK(report.find("error: not valid JSON") != std::string::npos);
  }
  SECTION("an unclosed string: the values before it are delivered and the error names its line") {
    Spool s;
    write_file(s.in() + "/a.json", "{\"a\":\"1\"}\n{\n  \"a\": \"2\"\n}\n{\"a\":\"3}\n{\"a\":\"4\"}\n");
    s.start("SpoolDirSchemaLessJsonSource", {{"halt.on.error", "false"}});
    auto records = s.poll_all();
    REQUIRE(records.size() == 2);
    CHECK(records[1].value == Value(R"({"a":"2"})"));
    s.commit(records);
    const std::string report = read_file(s.err() + "/a.json.error");
    INFO(report);
    CHECK(report.find("at: record 2 (line 5)\n") != std::string::npos);
  }
  SECTION("a compressed file") {
    Spool s;
    write_file(s.in() + "/a.csv.gz", "\x1f\x8b");
    s.start("SpoolDirLineDelimitedSource", {{"halt.on.error", "false"}});
    CHECK(s.poll_all().empty());
    CHECK(read_file(s.err() + "/a.csv.gz.error").find("compressed files (.gz) are not supported by connectrun") != std::string::npos);
  }
  SECTION("a CSV file that ends inside a quoted field") {
    Spool s;
    write_file(s.in() + "/a.csv", "id,first_name\n1,\"Ann\n");
    auto keys = csv;
    keys["halt.on.error"] = "false";
    s.start("SpoolDirCsvSource", keys);
    CHECK(s.poll_all().empty());
    CHECK(read_file(s.err() + "/a.csv.error").find("the file ends inside a quoted field") != std::string::npos);
  }
}

TEST_CASE("file.minimum.age.ms leaves a file still being written alone until it is old enough", "[spooldir]") {
  Spool s;
  write_file(s.in() + "/young.txt", "a\nb\n");
  s.start("SpoolDirLineDelimitedSource", {{"file.minimum.age.ms", "60000"}});
  CHECK(s.poll_all().empty());
  CHECK_FALSE(fs::exists(s.in() + "/young.txt.PROCESSING"));
  // Last written two minutes ago: old enough now.
  struct timespec times[2];
  clock_gettime(CLOCK_REALTIME, &times[0]);
  times[0].tv_sec -= 120;
  times[1] = times[0];
  REQUIRE(utimensat(AT_FDCWD, (s.in() + "/young.txt").c_str(), times, 0) == 0);
  CHECK(s.poll_all().size() == 2);
}

TEST_CASE("input.path.walk.recursively: file.relative.path and the folder kept under finished.path", "[spooldir]") {
  Spool s;
  fs::create_directories(s.in() + "/2024/jan");
  write_file(s.in() + "/2024/jan/a.txt", "x\n");
  s.start("SpoolDirLineDelimitedSource", {{"input.path.walk.recursively", "true"}});
  auto records = s.poll_all();
  REQUIRE(records.size() == 1);
  CHECK(header(records[0], "file.relative.path") == "\"2024/jan\"");
  CHECK(header(records[0], "file.parent.dir.name") == "\"jan\"");
  s.commit(records);
  CHECK(fs::exists(s.fin() + "/2024/jan/a.txt"));
  CHECK_FALSE(fs::exists(s.in() + "/2024"));  // emptied folders removed
}

TEST_CASE("bad configuration: a clear error naming the key", "[spooldir]") {
  Spool s;
  auto configure = [&](std::map<std::string, std::string> keys, const std::string& plugin = "SpoolDirLineDelimitedSource") {
    auto cfg = s.values(plugin, std::move(keys));
    builtin_plugins().find(plugin, {PluginKind::Source})->make_source()->configure(cfg);
  };
  CHECK_THROWS_WITH(configure({{"input.path", s.dir / "missing"}}),
                    Catch::Contains("input.path '" + s.dir / "missing" + "' cannot be used: No such file or directory"));
  write_file(s.dir / "afile", "x");
  CHECK_THROWS_WITH(configure({{"error.path", s.dir / "afile"}}), Catch::Contains("is not a directory"));
  CHECK_THROWS_WITH(configure({{"finished.path", ""}}), Catch::Contains("finished.path is required with cleanup.policy=MOVE"));
  CHECK_NOTHROW(configure({{"finished.path", ""}, {"cleanup.policy", "DELETE"}}));
  CHECK_THROWS_WITH(configure({{"file.charset", "ISO-8859-1"}}), Catch::Contains("not supported by connectrun"));
  CHECK_THROWS_WITH(configure({}, "SpoolDirCsvSource"), Catch::Contains("'key.schema' must be set if 'schema.generation.enabled' = false."));
  CHECK_THROWS_WITH(configure({{"key.schema", kKeySchema}, {"value.schema", kValueSchema}, {"csv.separator.char", "0"}}, "SpoolDirCsvSource"),
                    Catch::Contains("csv.separator.char=0 is not supported by connectrun"));
  CHECK_THROWS_WITH(configure({{"key.schema", kKeySchema}, {"value.schema", "{\"type\":\"STRUCT\"}"}}, "SpoolDirCsvSource"),
                    Catch::Contains("value.schema is not a usable schema: a STRUCT needs \"fieldSchemas\""));
  CHECK_THROWS_WITH(configure({{"key.schema", kKeySchema}, {"value.schema", kValueSchema}, {"timestamp.mode", "FIELD"},
                               {"timestamp.field", "email"}}, "SpoolDirCsvSource"),
                    Catch::Contains("Field 'email' must be present in value.schema and set to a timestamp"));
  CHECK_THROWS_WITH(configure({{"key.schema", kKeySchema}, {"value.schema", kValueSchema}, {"parser.timestamp.timezone", "Europe/Paris"}},
                              "SpoolDirCsvSource"),
                    Catch::Contains("not supported by connectrun"));
}
