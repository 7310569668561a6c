// PostgresCdcSource under faults, against a real PostgreSQL 15: connectrun
// killed with -9 and restarted while a writer commits (one transaction of
// 20,000 rows among small ones), and the server itself restarted mid-stream.
// What arrived is read from the FileStreamSink's file (JsonConverter, schemas
// off: only the ids matter here).
#include <catch2/catch.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <thread>

#include <fmt/format.h>

#include "child_process.h"
#include "servers/postgres_server.h"
#include "support.h"

using namespace testsupport;
using namespace std::chrono_literals;

namespace {

std::string crash_job(const std::string& dir, const PostgresServer& pg, const std::string& keys = "") {
  return fmt::format(R"(worker:
  offset.storage.file.filename: {0}/offsets.json
  offset.flush.interval.ms: 200
  key.converter: JsonConverter
  value.converter: JsonConverter
  value.converter.schemas.enable: false
connectors:
  - name: cdc
    connector.class: io.debezium.connector.postgresql.PostgresConnector
    database.hostname: 127.0.0.1
    database.port: {1}
    database.user: postgres
    database.password: {2}
    database.dbname: postgres
    topic.prefix: srv
    errors.retry.timeout: 60000
{3}  - name: out
    connector.class: FileStreamSink
    file: {0}/out.txt
    topics.regex: "srv\\..*"
    value.converter: StringConverter
)",
                     dir, pg.port(), PostgresServer::kPassword, keys);
}

// "id N" for each event of the file, in file order (the row's id in after,
// or in before for a delete; tombstones skipped).
std::vector<std::string> delivered_ids(const std::string& path) {
  static const std::regex id(R"re("(after|before)":\{"id":([0-9]+))re");
  std::vector<std::string> ids;
  for (auto& line : read_lines(path)) {
    auto at = line.rfind(R"({"before":)");  // a torn line: only its complete event counts
    if (at == std::string::npos) continue;
    std::smatch m;
    const std::string event = line.substr(at);
    if (!std::regex_search(event, m, id)) continue;
    ids.push_back("id " + m[2].str());
  }
  return ids;
}

// The id of the last event in the file, reading only its end (polled often).
long last_id(const std::string& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return -1;
  const std::streamoff size = in.tellg();
  in.seekg(std::max<std::streamoff>(0, size - 4096));
  std::string text(static_cast<size_t>(size - in.tellg()), '\0');
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  auto at = text.rfind(R"("after":{"id":)");
  if (at == std::string::npos) return -1;
  return std::atol(text.c_str() + at + 14);
}

std::string run_script(const std::string& dir) {
  return fmt::format("exec {} run {} 2>>{}", CONNECTRUN_BINARY, sh_quote(dir + "/job.yaml"), sh_quote(dir + "/err.txt"));
}

}  // namespace

TEST_CASE("PostgresCdcSource killed with -9 repeatedly delivers every committed change in commit order",
          "[postgres_cdc][e2e]") {
  PostgresServer pg({.wal_level = "logical"});
  pg.psql("CREATE TABLE t(id int PRIMARY KEY, what text NOT NULL)");
  TempDir dir;
  write_file(dir / "job.yaml", crash_job(dir.path(), pg));

  // The writer: one psql session, each statement its own transaction, in id
  // order (so commit order is id order): 40 small ones, one of 20,000 rows, 40 small.
  constexpr int kSmall = 40, kRows = 25, kLarge = 20000;
  std::string sql;
  int next = 1;
  auto small = [&] {
    sql += fmt::format("INSERT INTO t SELECT g, 'small' FROM generate_series({}, {}) g; SELECT pg_sleep(0.05);\n", next,
                       next + kRows - 1);
    next += kRows;
  };
  for (int i = 0; i < kSmall; ++i) small();
  const int large_first = next, large_last = next + kLarge - 1;
  sql += fmt::format("INSERT INTO t SELECT g, 'large' FROM generate_series({}, {}) g;\n", large_first, large_last);
  next += kLarge;
  for (int i = 0; i < kSmall; ++i) small();
  const int total = next - 1;
  write_file(dir / "writer.sql", sql);

  const unsigned seed = 15;  // fixed: the same kill moments each run
  INFO("seed " << seed);
  std::mt19937 random(seed);
  auto pause = [&](int lo, int hi) {
    std::this_thread::sleep_for(std::chrono::milliseconds(std::uniform_int_distribution<int>(lo, hi)(random)));
  };

  auto cdc = std::make_unique<ShellChild>(run_script(dir.path()));
  // The (empty) snapshot is done and the slot exists before the writer starts.
  REQUIRE(eventually([&] { return read_file(dir / "err.txt").find("snapshot done") != std::string::npos; }, 60s));
  ShellChild writer(fmt::format("exec psql -X -q -At -v ON_ERROR_STOP=1 -h {} -p {} -U postgres -d postgres -f {} "
                                ">/dev/null 2>{}",
                                sh_quote(pg.dir()), pg.port(), sh_quote(dir / "writer.sql"), sh_quote(dir / "writer.err")));
  int kills_inside_large = 0;
  std::string kills;  // the last id in the file at each kill
  auto file_size = [&] { return std::filesystem::exists(dir / "out.txt") ? std::filesystem::file_size(dir / "out.txt") : 0; };
  auto wait_for = [&](auto pred) {  // polled often: the large transaction's delivery takes about a second
    const auto give_up = std::chrono::steady_clock::now() + 60s;
    while (!pred() && std::chrono::steady_clock::now() < give_up) std::this_thread::sleep_for(1ms);
    return pred();
  };
  for (int round = 0; round < 4; ++round) {
    // Each run writes something before it is killed.
    const auto size_at_start = file_size();
    REQUIRE(wait_for([&] { return file_size() > size_at_start; }));
    const long now = last_id(dir / "out.txt");
    if ((round == 1 || round == 2) && now < large_last) {
      // Inside the large transaction's delivery: some of its rows are in the file, not all.
      const long base = std::max<long>(now, large_first);
      const long when = base + std::uniform_int_distribution<long>(0, (large_last - base) * 3 / 4)(random);
      REQUIRE(wait_for([&] { return last_id(dir / "out.txt") >= when; }));
    } else {
      pause(0, 800);
    }
    const long at = last_id(dir / "out.txt");
    cdc->signal(SIGKILL);
    CHECK(cdc->wait(10s) == 128 + SIGKILL);
    if (at >= large_first && at < large_last) ++kills_inside_large;
    kills += fmt::format(" {}", at);
    cdc = std::make_unique<ShellChild>(run_script(dir.path()));
  }
  INFO("killed after ids" << kills << "; the large transaction is ids " << large_first << "-" << large_last);
  CHECK(kills_inside_large >= 1);
  REQUIRE(writer.wait(60s) == 0);
  cdc->signal(SIGKILL);
  cdc->wait(10s);
  cdc.reset();

  // The end: --once streams up to the WAL position at its start.
  auto last = run_connectrun({"run", "--once", dir / "job.yaml"}, 60s);
  INFO(last.err);
  REQUIRE(last.exit_code == 0);
  std::vector<std::string> committed;
  for (int i = 1; i <= total; ++i) committed.push_back("id " + std::to_string(i));
  auto ids = delivered_ids(dir / "out.txt");
  INFO(read_file(dir / "err.txt").substr(0, 4000));
  check_no_loss_in_order(committed, ids);
  CHECK(ids.size() < static_cast<size_t>(total) * 3);  // replays, not a restart from the beginning each time
}

TEST_CASE("PostgresCdcSource offsets set refuses an offset it cannot resume from", "[postgres_cdc]") {
  // Configuring the task needs no server: a port nothing listens on.
  TempDir dir;
  write_file(dir / "job.yaml", R"(worker:
  offset.storage.file.filename: )" + (dir / "offsets.json") + R"(
  key.converter: JsonConverter
  value.converter: JsonConverter
connectors:
  - name: cdc
    connector.class: PostgresCdcSource
    database.hostname: 127.0.0.1
    database.port: 1
    database.user: postgres
    database.password: x
    database.dbname: postgres
    topic.prefix: srv
)");
  auto set = [&](const std::string& partition, const std::string& offset) {
    return run_connectrun({"offsets", "set", dir / "job.yaml", "--connector", "cdc", "--partition", partition,
                           "--offset", offset, "--yes"});
  };
  auto no_lsn = set(R"({"server":"srv"})", R"({"txId":5})");
  CHECK(no_lsn.exit_code != 0);
  CHECK(no_lsn.err.find("lsn is required") != std::string::npos);
  auto bad_lsn = set(R"({"server":"srv"})", R"({"lsn":"0/16B3748"})");
  CHECK(bad_lsn.exit_code != 0);
  CHECK(bad_lsn.err.find(R"("lsn" must be a whole number)") != std::string::npos);
  auto bad_txid = set(R"({"server":"srv"})", R"({"lsn":23456789,"txId":-3})");
  CHECK(bad_txid.exit_code != 0);
  CHECK(bad_txid.err.find(R"("txId" must be a whole number)") != std::string::npos);
  auto other_server = set(R"({"server":"other"})", R"({"lsn":23456789})");
  CHECK(other_server.exit_code != 0);
  CHECK(other_server.err.find("topic.prefix is 'srv'") != std::string::npos);
  CHECK(read_file(dir / "offsets.json").find("23456789") == std::string::npos);  // nothing stored
  auto good = set(R"({"server":"srv"})", R"({"lsn":23456789,"lsn_commit":23456700,"txId":750,"ts_usec":1})");
  INFO(good.err);
  CHECK(good.exit_code == 0);
  CHECK(read_file(dir / "offsets.json").find("23456789") != std::string::npos);
}
