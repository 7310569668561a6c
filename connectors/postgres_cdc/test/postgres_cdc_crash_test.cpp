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

TEST_CASE("PostgresCdcSource resumes after a PostgreSQL restart mid-stream and emits truncates", "[postgres_cdc][e2e]") {
  PostgresServer pg({.wal_level = "logical", .restartable = true});
  pg.psql("CREATE TABLE t(id int PRIMARY KEY)");
  TempDir dir;
  write_file(dir / "job.yaml", crash_job(dir.path(), pg, "    skipped.operations: none\n"));
  ShellChild cdc(run_script(dir.path()));
  REQUIRE(eventually([&] { return read_file(dir / "err.txt").find("snapshot done") != std::string::npos; }, 60s));
  pg.psql("INSERT INTO t SELECT generate_series(1, 50)");
  REQUIRE(eventually([&] { return delivered_ids(dir / "out.txt").size() >= 50; }, 60s));

  // A real restart: every session ends; connectrun retries with backoff while the server is down.
  pg.stop_for_restart();
  std::this_thread::sleep_for(1500ms);
  pg.start_again();
  pg.psql("INSERT INTO t SELECT generate_series(51, 100)");
  pg.psql("TRUNCATE t");
  pg.psql("INSERT INTO t SELECT generate_series(101, 110)");
  CHECK(eventually([&] { return delivered_ids(dir / "out.txt").size() >= 110; }, 60s));
  std::this_thread::sleep_for(1s);
  std::vector<std::string> committed;
  for (int i = 1; i <= 110; ++i) committed.push_back("id " + std::to_string(i));
  auto ids = delivered_ids(dir / "out.txt");
  check_no_loss_in_order(committed, ids);
  CHECK(ids.size() == 110);  // nothing doubled either
  // The truncate (skipped.operations=none): op t, null key, between id 100 and id 101.
  auto lines = read_lines(dir / "out.txt");
  REQUIRE(lines.size() == 111);
  CHECK(lines[100].find(R"({"before":null,"after":null,)") == 0);
  CHECK(lines[100].find(R"("op":"t")") != std::string::npos);
  CHECK(lines[100].find(R"("table":"t")") != std::string::npos);
  CHECK(lines[101].find(R"("after":{"id":101})") != std::string::npos);
  cdc.signal(SIGTERM);
  CHECK(cdc.wait(30s) == 0);
  auto err = read_file(dir / "err.txt");
  INFO(err);
  CHECK(err.find("reconnecting") != std::string::npos);
}

TEST_CASE("PostgresCdcSource honours snapshot modes initial_only no_data and always", "[postgres_cdc][e2e]") {
  PostgresServer pg({.wal_level = "logical"});
  pg.psql("CREATE TABLE s(id int PRIMARY KEY); INSERT INTO s VALUES (1), (2)");
  auto once = [](const TempDir& dir) {
    auto r = run_connectrun({"run", "--once", dir / "job.yaml"}, 60s);
    INFO(r.err);
    CHECK(r.exit_code == 0);
    return read_lines(dir / "out.txt");
  };
  auto ops = [](const std::vector<std::string>& lines, size_t from) {
    std::string s;  // "r1 r2 c3 …"
    static const std::regex event(R"re("(after|before)":\{"id":([0-9]+).*"op":"(.)")re");
    for (size_t i = from; i < lines.size(); ++i) {
      std::smatch m;
      s += std::regex_search(lines[i], m, event) ? m[3].str() + m[2].str() + " " : "? ";
    }
    return s;
  };
  TempDir only, nodata, always;
  write_file(only / "job.yaml", crash_job(only.path(), pg, "    slot.name: only\n    snapshot.mode: initial_only\n"));
  write_file(nodata / "job.yaml", crash_job(nodata.path(), pg, "    slot.name: nodata\n    snapshot.mode: no_data\n"));
  write_file(always / "job.yaml", crash_job(always.path(), pg, "    slot.name: always\n    snapshot.mode: always\n"));

  // initial_only: the snapshot, then never a change
  CHECK(ops(once(only), 0) == "r1 r2 ");
  // no_data: no snapshot; the changes from the slot's creation
  CHECK(once(nodata).empty());
  pg.psql("INSERT INTO s VALUES (3)");
  CHECK(ops(once(only), 0) == "r1 r2 ");
  CHECK(ops(once(nodata), 0) == "c3 ");
  // always: a snapshot at every start, then the stream
  CHECK(ops(once(always), 0) == "r1 r2 r3 ");
  pg.psql("INSERT INTO s VALUES (4)");
  CHECK(ops(once(always), 3) == "r1 r2 r3 r4 ");
  CHECK(ops(once(nodata), 1) == "c4 ");

  // offsets list: each slot's lag (the WAL it keeps) and whether a process reads it
  auto list = run_connectrun({"offsets", "list", only / "job.yaml"});
  INFO(list.out << list.err);
  CHECK(list.exit_code == 0);
  CHECK(std::regex_search(list.out, std::regex(R"(cdc: slot 'only' lag [1-9][0-9]* bytes \(inactive\))")));
  auto json = run_connectrun({"offsets", "list", only / "job.yaml", "--json", "--connector", "cdc"});
  INFO(json.out << json.err);
  CHECK(std::regex_search(json.out, std::regex(R"re("status":\{"slot":"only","exists":true,"lag_bytes":[1-9][0-9]*,"active":false\})re")));
  const auto lag = std::stol(pg.psql("SELECT pg_current_wal_lsn() - confirmed_flush_lsn FROM pg_replication_slots "
                                     "WHERE slot_name = 'only'"));
  CHECK(json.out.find(fmt::format("\"lag_bytes\":{},", lag)) != std::string::npos);  // no write in between
  // a slot that no longer exists says so
  pg.psql("SELECT pg_drop_replication_slot('nodata')");
  auto gone = run_connectrun({"offsets", "list", nodata / "job.yaml"});
  CHECK(gone.out.find("cdc: slot 'nodata' does not exist") != std::string::npos);
}

TEST_CASE("PostgresCdcSource an empty snapshot completes so the next run streams instead of snapshotting again",
          "[postgres_cdc][e2e]") {
  PostgresServer pg({.wal_level = "logical"});
  pg.psql("CREATE TABLE e(id int PRIMARY KEY)");
  TempDir dir;
  write_file(dir / "job.yaml", crash_job(dir.path(), pg, "    slot.name: empty\n"));
  auto first = run_connectrun({"run", "--once", dir / "job.yaml"}, 60s);
  INFO(first.err);
  REQUIRE(first.exit_code == 0);
  CHECK(read_lines(dir / "out.txt").empty());
  CHECK(read_file(dir / "offsets.json").find("\"last_snapshot_record\":true") != std::string::npos);
  pg.psql("INSERT INTO e VALUES (1)");
  auto second = run_connectrun({"run", "--once", dir / "job.yaml"}, 60s);
  INFO(second.err);
  REQUIRE(second.exit_code == 0);
  auto lines = read_lines(dir / "out.txt");
  REQUIRE(lines.size() == 1);
  CHECK(lines[0].find("\"op\":\"c\"") != std::string::npos);  // streamed, not read again by a snapshot ("r")
  CHECK(second.err.find("snapshot done") == std::string::npos);
}
