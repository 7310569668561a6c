// The spool directory sources end to end, running the connectrun binary:
// JsonConverter's shapes of their records, a file kept in input.path until
// its records were delivered, a kill -9 in the middle of a file, halt.on.error,
// and an input.path this process cannot use.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <regex>
#include <thread>

#include <fmt/format.h>

#include "support.h"

using namespace testsupport;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const std::string kData = std::string(CONNECTRUN_SOURCE_DIR) + "/connectors/spooldir/test/data/";

const std::string kKeySchema = R"({"name":"com.example.users.UserKey","type":"STRUCT","isOptional":false,"fieldSchemas":{"id":{"type":"INT64","isOptional":false}}})";
const std::string kValueSchema =
    R"({"name":"com.example.users.User","type":"STRUCT","isOptional":false,"fieldSchemas":{"id":{"type":"INT64","isOptional":false},)"
    R"("first_name":{"type":"STRING","isOptional":true},"email":{"type":"STRING","isOptional":true},)"
    R"("last_login":{"name":"org.apache.kafka.connect.data.Timestamp","type":"INT64","version":1,"isOptional":true},)"
    R"("account_balance":{"name":"org.apache.kafka.connect.data.Decimal","type":"BYTES","version":1,"parameters":{"scale":"2"},"isOptional":true}}})";

// A job: `source` (its YAML keys after connector.class) into topic `t`, a
// FileStreamSink writing `out`, offsets in dir/offsets.json.
std::string job(const std::string& dir, const std::string& source, const std::string& out,
                const std::string& converters = "  key.converter: StringConverter\n  value.converter: StringConverter\n") {
  for (auto sub : {"in", "finished", "error"}) fs::create_directories(dir + "/" + sub);
  return fmt::format(R"(worker:
  offset.storage.file.filename: {0}/offsets.json
  offset.flush.interval.ms: 100
{3}connectors:
  - name: spool
    topic: t
    input.path: {0}/in
    finished.path: {0}/finished
    error.path: {0}/error
{1}  - name: sink
    connector.class: FileStreamSink
    topics: t
    file: {2}
)",
                     dir, source, out, converters);
}

std::string csv_source(const std::string& extra = "") {
  return "    connector.class: com.github.jcustenborder.kafka.connect.spooldir.SpoolDirCsvSourceConnector\n"
         "    input.file.pattern: \"^.*\\\\.csv$\"\n"
         "    csv.first.row.as.header: true\n"
         "    csv.null.field.indicator: EMPTY_SEPARATORS\n"
         "    key.schema: '" + kKeySchema + "'\n    value.schema: '" + kValueSchema + "'\n" + extra;
}

// The "offset" stored for `file_name`, or -1.
long stored_offset(const std::string& offsets_path, const std::string& file_name) {
  std::smatch m;
  const std::string text = read_file(offsets_path);
  const std::regex re("\\{\"fileName\":\"" + file_name + "\"\\}\\],\"offset\":\\{\"offset\":(\\d+)\\}");
  return std::regex_search(text, m, re) ? std::stol(m[1]) : -1;
}

}  // namespace

TEST_CASE("SpoolDirCsvSource under JsonConverter: the key and value shapes with their schemas", "[e2e][spooldir]") {
  TempDir dir;
  fs::create_directories(dir / "in");
  fs::copy_file(kData + "users.csv", dir / "in/users.csv");
  // The sink reads JsonConverter's bytes as a string: it writes the envelope as it was produced.
  std::string text = job(dir.path(), csv_source(), dir / "out.txt", "  key.converter: JsonConverter\n  value.converter: JsonConverter\n");
  text += "    value.converter: StringConverter\n";
  write_file(dir / "job.yaml", text);
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto lines = read_lines(dir / "out.txt");
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] ==
        R"({"schema":{"type":"struct","fields":[{"type":"int64","optional":false,"field":"id"},{"type":"string","optional":true,"field":"first_name"},)"
        R"({"type":"string","optional":true,"field":"email"},{"type":"int64","optional":true,"name":"org.apache.kafka.connect.data.Timestamp","version":1,"field":"last_login"},)"
        R"({"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"},"field":"account_balance"}],)"
        R"("optional":false,"name":"com.example.users.User"},"payload":{"id":1,"first_name":"Jack","email":"jgarcia0@shop-pro.jp","last_login":1443626943000,"account_balance":"AIfZ"}})");
  CHECK(lines[2].find(R"("payload":{"id":3,"first_name":"Ashley","email":"aaustin2@hatena.ne.jp","last_login":null,"account_balance":"AUAb"}})") != std::string::npos);
  CHECK(fs::exists(dir / "finished/users.csv"));
  CHECK(stored_offset(dir / "offsets.json", "users.csv") == 3);
}

TEST_CASE("a file stays in input.path until its records are delivered: a failing sink leaves it and a later run finishes it",
          "[e2e][spooldir]") {
  TempDir dir;
  fs::create_directories(dir / "in");
  fs::copy_file(kData + "users.csv", dir / "in/users.csv");
  write_file(dir / "bad.yaml", job(dir.path(), csv_source(), dir / "no-such-dir/out.txt"));
  auto bad = run_connectrun({"run", "--once", dir / "bad.yaml"});
  INFO(bad.err);
  CHECK(bad.exit_code != 0);
  CHECK(fs::exists(dir / "in/users.csv"));  // not delivered: not moved
  CHECK(fs::is_empty(dir / "finished"));
  write_file(dir / "good.yaml", job(dir.path(), csv_source(), dir / "out.txt"));
  auto good = run_connectrun({"run", "--once", dir / "good.yaml"});
  INFO(good.err);
  REQUIRE(good.exit_code == 0);
  CHECK(read_lines(dir / "out.txt").size() == 3);
  CHECK(fs::exists(dir / "finished/users.csv"));
  CHECK_FALSE(fs::exists(dir / "in/users.csv"));
  CHECK_FALSE(fs::exists(dir / "in/users.csv.PROCESSING"));
}

TEST_CASE("kill -9 in the middle of a file: the restart resumes right after the stored offset and loses nothing",
          "[e2e][spooldir]") {
  TempDir dir;
  fs::create_directories(dir / "in");
  const int rows = 200000;
  std::string csv = "id,first_name\n";
  std::vector<std::string> expected;
  expected.reserve(rows);
  for (int i = 1; i <= rows; ++i) {
    csv += fmt::format("{},row {}\n", i, i);
    expected.push_back(fmt::format(R"({{"id":{},"first_name":"row {}","email":null,"last_login":null,"account_balance":null}})", i, i));
  }
  write_file(dir / "in/big.csv.tmp", csv);
  fs::rename(dir / "in/big.csv.tmp", dir / "in/big.csv");
  write_file(dir / "job.yaml", job(dir.path(), csv_source("    batch.size: 500\n"), dir / "out.txt",
                                   "  key.converter: JsonConverter\n  value.converter: JsonConverter\n"
                                   "  key.converter.schemas.enable: false\n  value.converter.schemas.enable: false\n"));
  {
    Process p({"run", dir / "job.yaml"}, dir / "log1.txt");
    REQUIRE(eventually([&] { return stored_offset(dir / "offsets.json", "big.csv") > 1000; }, 60s));
    p.signal(SIGKILL);
    p.wait(10s);
  }
  INFO(read_file(dir / "log1.txt"));
  REQUIRE(fs::exists(dir / "in/big.csv"));  // killed in the middle of the file
  const long stored = stored_offset(dir / "offsets.json", "big.csv");
  REQUIRE(stored > 0);
  REQUIRE(stored < rows);
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"}, 120s);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find(fmt::format("resuming it at its stored offset")) != std::string::npos);
  CHECK(r.err.find(fmt::format("after its stored offset {}", stored)) != std::string::npos);
  const auto out = read_lines(dir / "out.txt");
  check_no_loss_in_order(expected, out);
  // What the second run wrote starts with the row right after the stored offset: only rows the sink had written
  // before the kill but whose offsets were not stored yet appear twice (at least once).
  const size_t second_run = rows - static_cast<size_t>(stored);
  REQUIRE(out.size() >= second_run);
  CHECK(out[out.size() - second_run] == expected[static_cast<size_t>(stored)]);
  CHECK(fs::exists(dir / "finished/big.csv"));
  CHECK_FALSE(fs::exists(dir / "in/big.csv.PROCESSING"));
}

TEST_CASE("halt.on.error=true: exit 1 naming the file and line once the rows before it are delivered", "[e2e][spooldir]") {
  TempDir dir;
  fs::create_directories(dir / "in");
  write_file(dir / "in/a.csv", "id,first_name\n1,Ann\n2,Bo,extra\n");
  write_file(dir / "job.yaml", job(dir.path(), csv_source(), dir / "out.txt"));
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"});
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("cannot read " + dir / "in/a.csv: line 3: the row has 3 fields but the header row has 2; moved to " +
                   dir / "error/a.csv") != std::string::npos);
  CHECK(read_lines(dir / "out.txt").size() == 1);
  CHECK(fs::exists(dir / "error/a.csv.error"));
  CHECK(stored_offset(dir / "offsets.json", "a.csv") == 1);
}

TEST_CASE("an input.path this process cannot read or a file where a directory was expected: validate names the key",
          "[e2e][spooldir]") {
  TempDir dir;
  fs::permissions(dir.path(), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec | fs::perms::others_read |
                                  fs::perms::others_exec);
  write_file(dir / "job.yaml", job(dir.path(), csv_source(), dir / "out.txt"));
  fs::permissions(dir / "in", fs::perms::owner_all);  // 0700, owned by root: not for nobody
  SECTION("unreadable (run as nobody)") {
    int status = 0;
    const std::string out = shell(fmt::format("setpriv --reuid=65534 --regid=65534 --clear-groups {} validate {} 2>&1",
                                              CONNECTRUN_BINARY, dir / "job.yaml"), &status);
    INFO(out);
    CHECK(status != 0);
    CHECK(out.find("input.path '" + dir / "in" + "' is not readable and writable by this process: Permission denied") != std::string::npos);
  }
  SECTION("a file") {
    fs::remove_all(dir / "in");
    write_file(dir / "in", "not a folder");
    auto r = run_connectrun({"validate", dir / "job.yaml"});
    INFO(r.out + r.err);
    CHECK(r.exit_code != 0);
    CHECK((r.out + r.err).find("input.path '" + dir / "in" + "' is not a directory") != std::string::npos);
  }
}
