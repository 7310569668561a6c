// PostgresCdcSource against a real PostgreSQL 15 (wal_level=logical) through
// the connectrun binary: psql makes the changes, the FileStreamSink's file
// (JsonConverter, schemas on) shows the events, offsets.json the offsets.
#include <catch2/catch.hpp>

#include <csignal>
#include <regex>
#include <thread>

#include <fmt/format.h>

#include "child_process.h"
#include "servers/postgres_server.h"
#include "support.h"

using namespace testsupport;
using namespace std::chrono_literals;

namespace {

// A job: the CDC source (its keys in `keys`, YAML lines indented 4) into a
// FileStreamSink writing each event's value to out.txt.
std::string cdc_job(const std::string& dir, const PostgresServer& pg, const std::string& keys,
                    const std::string& user = "postgres", const std::string& password = PostgresServer::kPassword) {
  return fmt::format(R"(worker:
  offset.storage.file.filename: {0}/offsets.json
  offset.flush.interval.ms: 200
  key.converter: JsonConverter
  value.converter: JsonConverter
  value.converter.schemas.enable: true
connectors:
  - name: cdc
    connector.class: io.debezium.connector.postgresql.PostgresConnector
    database.hostname: 127.0.0.1
    database.port: {1}
    database.user: {2}
    database.password: {3}
    database.dbname: postgres
    topic.prefix: srv
    plugin.name: pgoutput
{4}  - name: out
    connector.class: FileStreamSink
    file: {0}/out.txt
    topics.regex: "srv\\..*"
    value.converter: StringConverter  # the JsonConverter bytes as they are

)",
                     dir, pg.port(), user, password, keys);
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (auto pos = text.find(what); pos != std::string::npos; pos = text.find(what, pos + 1)) ++n;
  return n;
}

// What varies by run: Debezium's version, times, LSNs and transaction ids.
std::string normalised(std::string event) {
  static const std::regex numbers(R"re("(ts_ms|ts_us|ts_ns|txId|lsn)":[0-9]+)re");
  static const std::regex strings(R"re("(version|sequence)":"(\\.|[^"\\])*")re");
  event = std::regex_replace(event, strings, R"("$1":"…")");
  return std::regex_replace(event, numbers, R"("$1":"…")");
}

// A FileStreamSink of the heartbeat topic (topic.prefix srv) into beats.txt.
std::string beats_sink(const TempDir& dir) {
  return fmt::format(R"(  - name: beats
    connector.class: FileStreamSink
    file: {}/beats.txt
    topics: __debezium-heartbeat.srv
    value.converter: StringConverter
)", dir.path());
}

RunResult run_once(const TempDir& dir) {
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"}, 90s);
  INFO(r.err);
  return r;
}

}  // namespace

TEST_CASE("PostgresCdcSource snapshots then streams inserts updates and deletes as Debezium does", "[postgres_cdc][e2e]") {
  PostgresServer pg({.wal_level = "logical"});
  pg.psql("CREATE TABLE customers(id serial PRIMARY KEY, first_name text NOT NULL, email text NOT NULL, "
          "price numeric(8,3), at timestamptz, born date, meta jsonb, u uuid, b bytea, big text);"
          "INSERT INTO customers(first_name, email, price, at, born, meta, u, b) VALUES "
          "('Sally', 'sally@example.com', 1.5, '2024-01-01 00:00:00+00', '2024-02-03', '{\"a\": 1}', "
          "'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '\\x0102'), ('George', 'g@example.com', NULL, NULL, NULL, NULL, NULL, NULL);"
          "CREATE TABLE nopk(a int, b text); INSERT INTO nopk VALUES (1, 'x');");
  TempDir dir;
  write_file(dir / "job.yaml", cdc_job(dir.path(), pg, ""));

  // 1. the snapshot: op r for every row, in the slot's exported snapshot
  auto first = run_once(dir);
  REQUIRE(first.exit_code == 0);
  auto lines = read_lines(dir / "out.txt");
  REQUIRE(lines.size() == 3);
  CHECK(count(read_file(dir / "out.txt"), R"("op":"r")") == 3);
  CHECK(lines[0].find(R"("after":{"id":1,"first_name":"Sally","email":"sally@example.com","price":"Bdw=",)"
                      R"("at":"2024-01-01T00:00:00.000000Z","born":19756,"meta":"{\"a\": 1}",)"
                      R"("u":"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11","b":"AQI=","big":null})") != std::string::npos);
  CHECK(lines[0].find(R"("snapshot":"first")") != std::string::npos);
  CHECK(lines[1].find(R"("snapshot":"last_in_data_collection")") != std::string::npos);
  CHECK(lines[2].find(R"("snapshot":"last")") != std::string::npos);
  CHECK(lines[0].find(R"("name":"srv.public.customers.Envelope","version":2)") != std::string::npos);
  CHECK(lines[0].find(R"("name":"io.debezium.time.ZonedTimestamp")") != std::string::npos);
  CHECK(first.err.find("nopk has no primary key") == std::string::npos);  // the warning is the stream's
  auto offsets = read_file(dir / "offsets.json");
  CHECK(offsets.find(R"({"server":"srv"})") != std::string::npos);
  CHECK(offsets.find(R"("last_snapshot_record":true)") != std::string::npos);

  // 2. streaming: insert, update, primary key change, delete (+ tombstone), a table without a primary key
  pg.psql("INSERT INTO customers(first_name, email) VALUES ('Anne', 'anne@example.com');"
          "UPDATE customers SET email = 'sally2@example.com' WHERE id = 1;"
          "UPDATE customers SET id = 10 WHERE id = 2;"
          "DELETE FROM customers WHERE id = 3;"
          "INSERT INTO nopk VALUES (2, 'y');");
  auto second = run_once(dir);
  REQUIRE(second.exit_code == 0);
  lines = read_lines(dir / "out.txt");
  REQUIRE(lines.size() == 3 + 8);
  CHECK(lines[3].find(R"("before":null,"after":{"id":3,"first_name":"Anne")") != std::string::npos);
  CHECK(lines[3].find(R"("op":"c")") != std::string::npos);
  CHECK(lines[3].find(R"("snapshot":"false")") != std::string::npos);
  // REPLICA IDENTITY DEFAULT: an update carries no before image
  CHECK(lines[4].find(R"("before":null,"after":{"id":1,"first_name":"Sally","email":"sally2@example.com")") != std::string::npos);
  CHECK(lines[4].find(R"("op":"u")") != std::string::npos);
  // a primary key change: delete of the old key (key columns, others Debezium's fallback), tombstone, create
  CHECK(lines[5].find(R"("before":{"id":2,"first_name":"","email":"","price":null)") != std::string::npos);
  CHECK(lines[5].find(R"("op":"d")") != std::string::npos);
  CHECK(lines[6] == "null");
  CHECK(lines[7].find(R"("after":{"id":10,"first_name":"George")") != std::string::npos);
  CHECK(lines[7].find(R"("op":"c")") != std::string::npos);
  CHECK(lines[8].find(R"("before":{"id":3,)") != std::string::npos);
  CHECK(lines[8].find(R"("op":"d")") != std::string::npos);
  CHECK(lines[9] == "null");
  CHECK(lines[10].find(R"("after":{"a":2,"b":"y"})") != std::string::npos);
  CHECK(second.err.find("nopk has no primary key") != std::string::npos);
  offsets = read_file(dir / "offsets.json");
  CHECK(offsets.find(R"("lsn_proc":)") != std::string::npos);
  CHECK(offsets.find(R"("lsn_commit":)") != std::string::npos);
  CHECK(offsets.find(R"("txId":)") != std::string::npos);

  // 3. nothing doubled: a run with no change adds nothing, and the slot was told what was delivered
  auto third = run_once(dir);
  REQUIRE(third.exit_code == 0);
  CHECK(read_lines(dir / "out.txt").size() == 11);
  CHECK(pg.psql("SELECT confirmed_flush_lsn >= pg_current_wal_insert_lsn() - 1000000 FROM pg_replication_slots "
                "WHERE slot_name = 'debezium'") == "t\n");

  // 4. schema changes while streaming, REPLICA IDENTITY FULL, an unchanged TOASTed value
  pg.psql("ALTER TABLE customers ADD COLUMN vip boolean NOT NULL DEFAULT false;"
          "INSERT INTO customers(first_name, email, vip) VALUES ('Vic', 'v@example.com', true);"
          "ALTER TABLE customers DROP COLUMN meta;"
          "INSERT INTO customers(first_name, email) VALUES ('Dot', 'd@example.com');"
          "ALTER TABLE customers REPLICA IDENTITY FULL;"
          // random hex does not compress: stored out of line (TOASTed)
          "UPDATE customers SET big = (SELECT string_agg(md5(random()::text), '') FROM generate_series(1, 2000)) WHERE id = 1;"
          "UPDATE customers SET email = 'sally3@example.com' WHERE id = 1;");
  auto fourth = run_once(dir);
  REQUIRE(fourth.exit_code == 0);
  lines = read_lines(dir / "out.txt");
  REQUIRE(lines.size() == 15);
  CHECK(lines[11].find(R"("first_name":"Vic",)") != std::string::npos);
  CHECK(lines[11].find(R"("vip":true})") != std::string::npos);
  CHECK(lines[12].find(R"("first_name":"Dot")") != std::string::npos);
  CHECK(lines[12].find(R"("meta")") == std::string::npos);
  CHECK(lines[12].find(R"("vip":false})") != std::string::npos);
  // FULL: the whole old row in before; the big value unchanged in the last update is Debezium's placeholder
  CHECK(lines[14].find(R"("before":{"id":1,"first_name":"Sally","email":"sally2@example.com")") != std::string::npos);
  CHECK(lines[14].find(R"("big":"__debezium_unavailable_value")") != std::string::npos);
}

TEST_CASE("PostgresCdcSource refuses a server or a user it cannot read from with what to fix", "[postgres_cdc][e2e]") {
  {  // wal_level is not logical
    PostgresServer replica;  // wal_level=replica
    TempDir dir;
    write_file(dir / "job.yaml", cdc_job(dir.path(), replica, ""));
    auto r = run_once(dir);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("has wal_level=replica") != std::string::npos);
    CHECK(r.err.find("Set wal_level=logical") != std::string::npos);
  }
  PostgresServer pg({.wal_level = "logical"});
  pg.psql("CREATE TABLE t(id int PRIMARY KEY); CREATE ROLE reader LOGIN PASSWORD 'pw';");
  {  // a user without the REPLICATION attribute
    TempDir dir;
    write_file(dir / "job.yaml", cdc_job(dir.path(), pg, "", "reader", "pw"));
    auto r = run_once(dir);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("user reader on PostgreSQL") != std::string::npos);
    CHECK(r.err.find("ALTER ROLE \"reader\" REPLICATION") != std::string::npos);
  }
  {  // the slot is read by another process (pg_recvlogical)
    pg.psql("SELECT pg_create_logical_replication_slot('busy', 'pgoutput'); CREATE PUBLICATION dbz_publication FOR ALL TABLES;");
    ShellChild other(fmt::format("exec env PGPASSWORD={} pg_recvlogical -h 127.0.0.1 -p {} -U postgres -d postgres "
                                 "--slot busy --start -o proto_version=1 -o publication_names=dbz_publication -f /dev/null",
                                 PostgresServer::kPassword, pg.port()));
    for (int i = 0; i < 100 && pg.psql("SELECT active FROM pg_replication_slots WHERE slot_name = 'busy'") != "t\n"; ++i)
      std::this_thread::sleep_for(100ms);
    TempDir dir;
    write_file(dir / "job.yaml", cdc_job(dir.path(), pg, "    slot.name: busy\n"));
    auto r = run_once(dir);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("replication slot busy on PostgreSQL") != std::string::npos);
    CHECK(r.err.find("is active for PID") != std::string::npos);
  }
  {  // the slot was dropped while offsets are stored
    TempDir dir;
    pg.psql("INSERT INTO t VALUES (1)");  // a snapshot record, so that an offset is stored
    write_file(dir / "job.yaml", cdc_job(dir.path(), pg, "    slot.name: gone\n"));
    REQUIRE(run_once(dir).exit_code == 0);
    pg.psql("SELECT pg_drop_replication_slot('gone')");
    auto r = run_once(dir);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("replication slot gone no longer exists") != std::string::npos);
    CHECK(r.err.find("snapshot.mode=when_needed") != std::string::npos);
    write_file(dir / "job.yaml", cdc_job(dir.path(), pg, "    slot.name: gone\n    snapshot.mode: when_needed\n"));
    CHECK(run_once(dir).exit_code == 0);
  }
}

TEST_CASE("PostgresCdcSource writes Debezium's update event byte for byte", "[postgres_cdc][e2e]") {
  // Debezium's tutorial table, and the update the expected event (test/data/README.md) was captured for.
  PostgresServer pg({.wal_level = "logical"});
  pg.psql("CREATE SCHEMA inventory; CREATE TABLE inventory.customers(id SERIAL NOT NULL PRIMARY KEY, "
          "first_name VARCHAR(255) NOT NULL, last_name VARCHAR(255) NOT NULL, email VARCHAR(255) NOT NULL UNIQUE);"
          "ALTER TABLE inventory.customers REPLICA IDENTITY FULL; SELECT setval('inventory.customers_id_seq', 1005);"
          "INSERT INTO inventory.customers(first_name, last_name, email) VALUES ('Liam', 'Han', 'liam2@example.com');");
  TempDir dir;
  write_file(dir / "job.yaml", std::regex_replace(cdc_job(dir.path(), pg, "    schema.include.list: inventory\n"),
                                                  std::regex("srv"), "dbserver1"));
  REQUIRE(run_once(dir).exit_code == 0);  // the snapshot (op r)
  pg.psql("UPDATE inventory.customers SET email = 'liam3@example.com' WHERE id = 1006");
  REQUIRE(run_once(dir).exit_code == 0);
  auto lines = read_lines(dir / "out.txt");
  REQUIRE(lines.size() == 2);
  auto expected = read_file(std::string(CONNECTRUN_SOURCE_DIR) +
                            "/connectors/postgres_cdc/test/data/debezium-3.1.3-update-customers.json");
  while (!expected.empty() && expected.back() == '\n') expected.pop_back();
  CHECK(normalised(lines[1]) == normalised(expected));
  CHECK(normalised(lines[1]) != lines[1]);  // the normalisation did replace something
}

TEST_CASE("PostgresCdcSource writes Debezium's insert event byte for byte", "[postgres_cdc][e2e]") {
  // The table and insert the expected event (test/data/README.md) was captured for, in a database of its name.
  PostgresServer pg({.wal_level = "logical"});
  pg.psql("CREATE DATABASE activity");
  pg.psql("CREATE TABLE activity (id SERIAL PRIMARY KEY, name VARCHAR(255) NOT NULL, email VARCHAR(255))", "activity");
  TempDir dir;
  std::string job = std::regex_replace(cdc_job(dir.path(), pg, ""), std::regex("srv"), "dbserver1");
  write_file(dir / "job.yaml", std::regex_replace(job, std::regex("database.dbname: postgres"), "database.dbname: activity"));
  REQUIRE(run_once(dir).exit_code == 0);  // the (empty) snapshot
  pg.psql("INSERT INTO activity(id, name) VALUES (1, 'Alice')", "activity");
  REQUIRE(run_once(dir).exit_code == 0);
  auto lines = read_lines(dir / "out.txt");
  REQUIRE(lines.size() == 1);
  auto expected = read_file(std::string(CONNECTRUN_SOURCE_DIR) +
                            "/connectors/postgres_cdc/test/data/debezium-2.7.2-insert-activity.json");
  while (!expected.empty() && expected.back() == '\n') expected.pop_back();
  // What Debezium 3.x (which connectrun writes, as the update test checks) changed
  // from 2.7.2: more snapshot markers in the allowed list, and a version on the
  // Source schema. Everything else must be equal.
  const std::string source_v3 = R"("name":"io.debezium.connector.postgresql.Source","version":1,)";
  const std::string source_v2 = R"("name":"io.debezium.connector.postgresql.Source",)";
  std::string got = normalised(lines[0]);
  REQUIRE(got.find(source_v3) != std::string::npos);
  got.replace(got.find(source_v3), source_v3.size(), source_v2);
  static const std::regex allowed(R"re("allowed":"[^"]*")re");
  CHECK(got.find(R"("allowed":"true,first,first_in_data_collection,last_in_data_collection,last,false,incremental")") !=
        std::string::npos);
  auto without_allowed = [](const std::string& s) { return std::regex_replace(s, allowed, R"("allowed":"…")"); };
  CHECK(without_allowed(got) == without_allowed(normalised(expected)));
}

TEST_CASE("PostgresCdcSource writes Debezium's snapshot, delete, update and insert payloads byte for byte",
          "[postgres_cdc][e2e]") {
  // The table, rows and changes the expected payloads (test/data/README.md) were captured for:
  // REPLICA IDENTITY DEFAULT, so a delete's `before` holds the key and each NOT NULL column's
  // fallback value, and an update has no `before`.
  PostgresServer pg({.wal_level = "logical"});
  pg.psql("CREATE TABLE customers (id SERIAL, first_name VARCHAR(255) NOT NULL, last_name VARCHAR(255) NOT NULL, "
          "email VARCHAR(255) NOT NULL, PRIMARY KEY(id));"
          "INSERT INTO customers(first_name, last_name, email) VALUES ('John', 'Doe', 'johndoe@gmail.com');"
          "INSERT INTO customers(first_name, last_name, email) VALUES ('Jane', 'Doe', 'janedoe@gmail.com');");
  TempDir dir;
  std::string job = std::regex_replace(cdc_job(dir.path(), pg, ""), std::regex("srv"), "prefix");
  job = std::regex_replace(job, std::regex("value.converter.schemas.enable: true"), "value.converter.schemas.enable: false");
  write_file(dir / "job.yaml", job);
  REQUIRE(run_once(dir).exit_code == 0);  // the snapshot: two op r
  pg.psql("DELETE FROM customers WHERE id = 1");
  pg.psql("UPDATE customers SET first_name = 'Mary' WHERE id = 2");
  pg.psql("INSERT INTO customers(first_name, last_name, email) VALUES ('XXX', 'Doe', 'johndoe@gmail.com')");
  REQUIRE(run_once(dir).exit_code == 0);
  auto lines = read_lines(dir / "out.txt");
  auto expected = read_lines(std::string(CONNECTRUN_SOURCE_DIR) +
                             "/connectors/postgres_cdc/test/data/debezium-2.5.4-customers.jsonl");
  REQUIRE(expected.size() == 5);
  // The delete's tombstone (tombstones.on.delete): FileStreamSink prints a null value as "null", as Kafka's does.
  REQUIRE(lines.size() == 6);
  CHECK(lines[3] == "null");
  lines.erase(lines.begin() + 3);
  // What Debezium 2.6+ (connectrun writes 3.x's shape) changed from 2.5.4: ts_us and ts_ns beside
  // each ts_ms, and `transaction` moved before `op`. Undone here; everything else must be equal.
  static const std::regex micros_nanos(R"re(,"ts_(us|ns)":[0-9]+)re");
  static const std::regex transaction_first(R"re(,"transaction":null,"op":"(.)","ts_ms":([0-9]+)\}$)re");
  // Sequence numbers vary by run; whether the first is null (no commit seen before) must not.
  static const std::regex sequence_lsn(R"re(\\"[0-9]+\\")re");
  auto as_2_5_4 = [&](const std::string& line) {
    std::string s = std::regex_replace(line, micros_nanos, "");
    s = std::regex_replace(s, transaction_first, R"(,"op":"$1","ts_ms":$2,"transaction":null})");
    return std::regex_replace(s, sequence_lsn, R"(\"N\")");
  };
  auto comparable = [](const std::string& s) {
    static const std::regex sequence_lsn2(R"re(\\"[0-9]+\\")re");
    static const std::regex numbers(R"re("(ts_ms|txId|lsn)":[0-9]+)re");
    static const std::regex version(R"re("version":"[^"]*")re");
    std::string out = std::regex_replace(s, sequence_lsn2, R"(\"N\")");
    out = std::regex_replace(out, numbers, R"("$1":N)");
    return std::regex_replace(out, version, R"("version":"V")");
  };
  for (size_t i = 0; i < 5; ++i) {
    INFO("event " << i << ": " << lines[i]);
    CHECK(lines[i].find(R"(,"ts_us":)") != std::string::npos);  // 3.x's shape, which the mapping undoes
    CHECK(comparable(as_2_5_4(lines[i])) == comparable(expected[i]));
  }
}

TEST_CASE("PostgresCdcSource writes Debezium's snapshot read of a decimal, a timestamp and defaults byte for byte",
          "[postgres_cdc][e2e]") {
  // The captured event (test/data/README.md) is the middle read of a snapshot: its column
  // schemas (Decimal with precision, MicroTimestamp, the defaults Debezium gives SERIAL and
  // now()) must be equal byte for byte; its payload after the mapping of 2.2.1's shape.
  PostgresServer pg({.wal_level = "logical"});
  pg.psql("CREATE DATABASE mydb");
  pg.psql("CREATE TABLE transactions (id SERIAL PRIMARY KEY, user_id INT, amount NUMERIC(10,2), "
          "card_type VARCHAR(20), merchant_id INT, created_at TIMESTAMP DEFAULT NOW());"
          "INSERT INTO transactions VALUES (38351, 1, 1.00, 'VISA', 1, '2026-01-07 17:18:03');"
          "INSERT INTO transactions VALUES (38352, 1715, 2358.73, 'MASTERCARD', 40, '2026-01-07 17:18:03.683652');"
          "INSERT INTO transactions VALUES (38353, 2, 2.00, 'AMEX', 2, '2026-01-07 17:18:04')",
          "mydb");
  TempDir dir;
  std::string job = std::regex_replace(cdc_job(dir.path(), pg, ""), std::regex("srv"), "dbserver1");
  write_file(dir / "job.yaml", std::regex_replace(job, std::regex("database.dbname: postgres"), "database.dbname: mydb"));
  REQUIRE(run_once(dir).exit_code == 0);
  auto lines = read_lines(dir / "out.txt");
  REQUIRE(lines.size() == 3);
  auto expected = read_file(std::string(CONNECTRUN_SOURCE_DIR) +
                            "/connectors/postgres_cdc/test/data/debezium-2.2.1-snapshot-transactions.json");
  while (!expected.empty() && expected.back() == '\n') expected.pop_back();
  const std::string& got = lines[1];
  INFO(got);
  const std::string end_of_rows = R"("field":"after"})";
  REQUIRE(got.find(end_of_rows) != std::string::npos);
  CHECK(got.substr(0, got.find(end_of_rows)) == expected.substr(0, expected.find(end_of_rows)));
  // The payload: 2.6+ added ts_us/ts_ns and moved `transaction` before `op`; run-dependent numbers vary.
  auto payload = [](const std::string& event) {
    std::string s = event.substr(event.find(R"("payload":)"));
    static const std::regex micros_nanos(R"re(,"ts_(us|ns)":[0-9]+)re");
    static const std::regex transaction_first(R"re(,"transaction":null,"op":"(.)","ts_ms":([0-9]+)\}\}$)re");
    static const std::regex numbers(R"re("(ts_ms|txId|lsn)":[0-9]+)re");
    static const std::regex lsn_text(R"re(\\"[0-9]+\\")re");
    static const std::regex version(R"re("version":"[^"]*")re");
    s = std::regex_replace(s, micros_nanos, "");
    s = std::regex_replace(s, transaction_first, R"(,"op":"$1","ts_ms":$2,"transaction":null}})");
    s = std::regex_replace(s, numbers, R"("$1":N)");
    s = std::regex_replace(s, lsn_text, R"(\"N\")");
    return std::regex_replace(s, version, R"("version":"V")");
  };
  CHECK(payload(got) == payload(expected));
}

TEST_CASE("PostgresCdcSource maps intervals, arrays, money, enums and hstore as Debezium does, in the snapshot and the stream",
          "[postgres_cdc][e2e]") {
  PostgresServer pg({.wal_level = "logical"});
  // A server whose own IntervalStyle differs: connectrun sets the one it reads on its sessions.
  pg.psql("ALTER DATABASE postgres SET IntervalStyle = 'sql_standard';"
          "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy'); CREATE EXTENSION hstore;"
          "CREATE TABLE t (id int PRIMARY KEY, d interval, ints int[], words text[], prices numeric(5,2)[], "
          "m money, feeling mood DEFAULT 'happy', h hstore);"
          "INSERT INTO t VALUES (1, '1 year 2 mons 3 days 04:05:06.789', '{1,NULL,3}', '{\"a b\",NULL}', '{1.5}', "
          "-1234.5, 'ok', 'b=>2, a=>NULL')");
  TempDir dir;
  write_file(dir / "job.yaml", cdc_job(dir.path(), pg, ""));
  REQUIRE(run_once(dir).exit_code == 0);  // the snapshot
  pg.psql("INSERT INTO t VALUES (2, '-1 days +02:00:00', '{}', '{x}', NULL, 2, 'sad', NULL)");
  REQUIRE(run_once(dir).exit_code == 0);  // the stream
  auto lines = read_lines(dir / "out.txt");
  REQUIRE(lines.size() == 2);
  INFO(lines[0]);
  CHECK(lines[0].find(R"({"type":"int64","optional":true,"name":"io.debezium.time.MicroDuration","version":1,"field":"d"})") !=
        std::string::npos);
  CHECK(lines[0].find(R"({"type":"array","items":{"type":"int32","optional":true},"optional":true,"field":"ints"})") !=
        std::string::npos);
  CHECK(lines[0].find(R"("after":{"id":1,"d":37091106789000,"ints":[1,null,3],"words":["a b",null],"prices":["AJY="],)"
                      R"("m":"/h3G","feeling":"ok","h":"{\"a\":null,\"b\":\"2\"}"})") != std::string::npos);
  CHECK(lines[0].find(R"({"type":"string","optional":true,"name":"io.debezium.data.Enum","version":1,)"
                      R"("parameters":{"allowed":"sad,ok,happy"},"default":"happy","field":"feeling"})") !=
        std::string::npos);
  INFO(lines[1]);
  CHECK(lines[1].find(R"("after":{"id":2,"d":-79200000000,"ints":[],"words":["x"],"prices":null,"m":"AMg=","feeling":"sad","h":null})") !=
        std::string::npos);
  // interval.handling.mode=string
  TempDir dir2;
  write_file(dir2 / "job.yaml", cdc_job(dir2.path(), pg, "    interval.handling.mode: string\n    slot.name: other\n"));
  REQUIRE(run_once(dir2).exit_code == 0);
  auto snap = read_file(dir2 / "out.txt");
  CHECK(snap.find(R"("d":"P1Y2M3DT4H5M6.789S")") != std::string::npos);
  CHECK(snap.find(R"("d":"P0Y0M-1DT2H0M0S")") != std::string::npos);
}

TEST_CASE("PostgresCdcSource sends Debezium's heartbeat records and they never move its offset back",
          "[postgres_cdc][e2e]") {
  PostgresServer pg({.wal_level = "logical"});
  pg.psql("CREATE TABLE t(id int PRIMARY KEY); INSERT INTO t VALUES (1)");
  TempDir dir;
  write_file(dir / "job.yaml", cdc_job(dir.path(), pg, "    heartbeat.interval.ms: 200\n") + beats_sink(dir));
  ShellChild run(fmt::format("exec {} run {} 2>{}", CONNECTRUN_BINARY, dir / "job.yaml", dir / "err.txt"));
  auto wait_for = [&](const char* file, size_t n) {
    for (int i = 0; i < 300 && read_lines(dir / file).size() < n; ++i) std::this_thread::sleep_for(100ms);
    return read_lines(dir / file).size() >= n;
  };
  INFO(read_file(dir / "err.txt"));
  REQUIRE(wait_for("out.txt", 1));  // the snapshot
  pg.psql("INSERT INTO t VALUES (2)");
  REQUIRE(wait_for("out.txt", 2));
  REQUIRE(wait_for("beats.txt", 3));
  static const std::regex beat(
      R"re(\{"schema":\{"type":"struct","fields":\[\{"type":"int64","optional":false,"field":"ts_ms"\}\],"optional":false,)re"
      R"re("name":"io.debezium.connector.common.Heartbeat","version":1\},"payload":\{"ts_ms":1[0-9]{12}\}\})re");
  for (auto& line : read_lines(dir / "beats.txt")) CHECK(std::regex_match(line, beat));
  run.signal(SIGTERM);
  CHECK(run.wait(30s) == 0);
  // The stored offset is the insert's, not an earlier one a heartbeat carried: nothing is read twice.
  pg.psql("INSERT INTO t VALUES (3)");
  REQUIRE(run_once(dir).exit_code == 0);
  auto lines = read_lines(dir / "out.txt");
  REQUIRE(lines.size() == 3);
  CHECK(lines[2].find(R"("after":{"id":3})") != std::string::npos);
}

TEST_CASE("PostgresCdcSource heartbeats after a snapshot repeat the snapshot's offset, not the one stored before it",
          "[postgres_cdc][e2e]") {
  PostgresServer pg({.wal_level = "logical"});
  pg.psql("CREATE TABLE t(id int PRIMARY KEY); INSERT INTO t VALUES (1)");
  TempDir dir;
  // A stored offset from streaming (no_data: no snapshot), older than the snapshot to come.
  write_file(dir / "job.yaml", cdc_job(dir.path(), pg, "    snapshot.mode: no_data\n"));
  REQUIRE(run_once(dir).exit_code == 0);
  pg.psql("INSERT INTO t VALUES (2)");
  REQUIRE(run_once(dir).exit_code == 0);
  REQUIRE(read_file(dir / "offsets.json").find("\"snapshot\"") == std::string::npos);
  write_file(dir / "job.yaml",
             cdc_job(dir.path(), pg, "    snapshot.mode: always\n    heartbeat.interval.ms: 200\n") + beats_sink(dir));
  ShellChild run(fmt::format("exec {} run {} 2>{}", CONNECTRUN_BINARY, dir / "job.yaml", dir / "err.txt"));
  for (int i = 0; i < 300 && read_lines(dir / "beats.txt").size() < 3; ++i) std::this_thread::sleep_for(100ms);
  INFO(read_file(dir / "err.txt"));
  REQUIRE(read_lines(dir / "beats.txt").size() >= 3);
  run.signal(SIGTERM);
  CHECK(run.wait(30s) == 0);
  CHECK(read_file(dir / "offsets.json").find("\"last_snapshot_record\":true") != std::string::npos);
}

TEST_CASE("PostgresCdcSource reconnects when its replication connection is lost and loses nothing", "[postgres_cdc][e2e]") {
  // Stand-in for a server restart: the walsender is terminated (TestServer cannot restart a server).
  PostgresServer pg({.wal_level = "logical"});
  pg.psql("CREATE TABLE t(id int PRIMARY KEY)");
  TempDir dir;
  write_file(dir / "job.yaml", cdc_job(dir.path(), pg, "    errors.retry.timeout: 60000\n"));
  ShellChild run(fmt::format("exec {} run {} 2>{}", CONNECTRUN_BINARY, dir / "job.yaml", dir / "err.txt"));
  auto wait_lines = [&](size_t n) {
    for (int i = 0; i < 600 && read_lines(dir / "out.txt").size() < n; ++i) std::this_thread::sleep_for(100ms);
    return read_lines(dir / "out.txt").size();
  };
  pg.psql("INSERT INTO t SELECT generate_series(1, 50)");
  REQUIRE(wait_lines(50) == 50);
  pg.psql("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = 'debezium'");
  pg.psql("INSERT INTO t SELECT generate_series(51, 100)");
  CHECK(wait_lines(100) == 100);
  std::this_thread::sleep_for(1s);
  auto lines = read_lines(dir / "out.txt");
  CHECK(lines.size() == 100);  // nothing doubled
  CHECK(lines.back().find(R"("after":{"id":100})") != std::string::npos);
  run.signal(SIGTERM);
  CHECK(run.wait(30s) == 0);
  CHECK(read_file(dir / "err.txt").find("reconnecting") != std::string::npos);
}
