// JdbcSource and JdbcSink against real PostgreSQL 15 and MariaDB 10.11
// servers (test/servers/), through the connectrun binary; psql, mariadb and
// sqlite3 check what arrived.
#include <catch2/catch.hpp>

#include <thread>

#include "child_process.h"
#include "jdbc_test_util.h"
#include "servers/mariadb_server.h"
#include "servers/postgres_server.h"
#include "support.h"

using namespace testsupport;
using namespace jdbctest;
using namespace std::chrono_literals;

namespace {

std::string pg_keys(const PostgresServer& pg, const std::string& password = PostgresServer::kPassword) {
  return fmt::format("    connection.url: {}\n    connection.user: postgres\n    connection.password: {}\n", pg.jdbc_url(),
                     password);
}

}  // namespace

TEST_CASE("JdbcSource and JdbcSink against PostgreSQL 15 and a PostgreSQL table into a SQLite table", "[jdbc][e2e][postgres]") {
  PostgresServer pg;
  pg.psql("CREATE TABLE items(id serial PRIMARY KEY, name text NOT NULL, price numeric(8,3), "
          "at timestamptz NOT NULL, meta jsonb, u uuid, b bytea, d date, t time, arr int[]);"
          "INSERT INTO items(name, price, at, meta, u, b, d, t, arr) VALUES "
          "('apple', 1.5, '2024-01-01 00:00:00+00', '{\"a\": 1}', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '\\x0102', "
          "'2024-02-03', '04:05:06.007', '{1,2}'),"
          "('pear', NULL, '2024-01-01 00:00:00+00', NULL, NULL, NULL, NULL, NULL, NULL),"
          "('fig', 2, '2024-01-01 00:00:01.25+00', NULL, NULL, NULL, NULL, NULL, NULL);");
  TempDir dir;
  write_file(dir / "job.yaml", source_job(dir.path(), pg_keys(pg) + R"(    mode: timestamp+incrementing
    timestamp.column.name: at
    incrementing.column.name: id
    table.include.list: "postgres\\.public\\.items"
    topic.prefix: db_
)"));
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"}, 60s);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto lines = read_lines(dir / "out.txt");
  REQUIRE(lines.size() == 3);
  // json/jsonb/uuid as strings, bytea as bytes, date/time as the logical types;
  // the int[] column cannot be mapped and is left out (as kafka-connect-jdbc does).
  CHECK(lines[0] == R"({"id":1,"name":"apple","price":1.500,"at":1704067200000,"meta":"{\"a\": 1}",)"
                    R"("u":"a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11","b":"AQI=","d":1706918400000,"t":14706007})");
  CHECK(r.err.find("arr (type oid 1007)") != std::string::npos);
  auto offsets = read_file(dir / "offsets.json");
  CHECK(offsets.find(R"({"protocol":"1","table":"postgres.public.items"})") != std::string::npos);
  CHECK(offsets.find(R"({"incrementing":3,"timestamp":1704067201250,"timestamp_nanos":250000000})") != std::string::npos);
  // An update (a later timestamp) and a new row are read on the next run.
  pg.psql("UPDATE items SET name = 'PEAR', at = '2024-01-02 00:00:00+00' WHERE id = 2;"
          "INSERT INTO items(name, at) VALUES ('kiwi', '2024-01-01 00:00:01.25+00');");
  auto again = run_connectrun({"run", "--once", dir / "job.yaml"}, 60s);
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  lines = read_lines(dir / "out.txt");
  REQUIRE(lines.size() == 5);
  CHECK(lines[3].find(R"("id":4,"name":"kiwi")") != std::string::npos);
  CHECK(lines[4].find(R"("id":2,"name":"PEAR")") != std::string::npos);

  {  // a wrong password fails at once naming the server
    write_file(dir / "job.yaml", source_job(dir.path(), pg_keys(pg, "wrong") + "    mode: bulk\n    topic.prefix: db_\n"));
    auto bad = run_connectrun({"run", "--once", dir / "job.yaml"}, 60s);
    CHECK(bad.exit_code == 1);
    CHECK(bad.err.find(fmt::format("cannot connect to PostgreSQL at 127.0.0.1:{}", pg.port())) != std::string::npos);
    CHECK(bad.err.find("password authentication failed") != std::string::npos);
    CHECK(bad.err.find("wrong") == std::string::npos);  // the secret is not shown
  }
  {  // the sink upserts into PostgreSQL and refuses a missing table without auto.create
    TempDir sd;
    write_file(sd / "in.txt", person(1, "ann") + person(2, "bob") + person(1, "ann2"));
    write_file(sd / "job.yaml", sink_job(sd.path(), "people", pg_keys(pg)));
    auto missing = run_connectrun({"run", "--once", sd / "job.yaml"}, 60s);
    CHECK(missing.exit_code == 1);
    CHECK(missing.err.find("table people does not exist and auto.create is disabled") != std::string::npos);
    write_file(sd / "job.yaml", sink_job(sd.path(), "people", pg_keys(pg) + R"(    auto.create: true
    insert.mode: upsert
    pk.mode: record_value
    pk.fields: id
    batch.size: 2
)"));
    auto ok = run_connectrun({"run", "--once", sd / "job.yaml"}, 60s);
    INFO(ok.err);
    REQUIRE(ok.exit_code == 0);
    CHECK(pg.psql("SELECT id, name FROM people ORDER BY id") == "1|ann2\n2|bob\n");
  }
  {  // a CHECK constraint: none rolls the batch back and fails; all dead-letters the record and writes the rest
    TempDir cd;
    pg.psql("CREATE TABLE checked(id int PRIMARY KEY, name text CHECK (name <> 'bad'))");
    write_file(cd / "in.txt", person(1, "ann") + person(2, "bad") + person(3, "cy"));
    write_file(cd / "job.yaml", sink_job(cd.path(), "checked", pg_keys(pg)));
    auto none = run_connectrun({"run", "--once", cd / "job.yaml"}, 60s);
    CHECK(none.exit_code == 1);
    CHECK(none.err.find("violates check constraint") != std::string::npos);
    CHECK(pg.psql("SELECT count(*) FROM checked") == "0\n");
    write_file(cd / "job.yaml", sink_job(cd.path(), "checked", pg_keys(pg) + fmt::format(R"(    errors.tolerance: all
    errors.deadletterqueue.topic.name: dead
  - name: dead-sink
    connector.class: FileStreamSink
    file: {}
    topics: dead
)", cd / "dead.txt")));
    auto all = run_connectrun({"run", "--once", cd / "job.yaml"}, 60s);
    INFO(all.err);
    REQUIRE(all.exit_code == 0);
    CHECK(pg.psql("SELECT id, name FROM checked ORDER BY id") == "1|ann\n3|cy\n");
    auto dead = read_lines(cd / "dead.txt");
    REQUIRE(dead.size() == 1);
    CHECK(dead[0].find("\"bad\"") != std::string::npos);
  }
  {  // end to end: the PostgreSQL table into a SQLite table over the in-process bus
    TempDir e;
    auto db = e / "copy.db";
    write_file(e / "job.yaml", fmt::format(R"(worker:
  offset.storage.file.filename: {0}/offsets.json
  key.converter: StringConverter
  value.converter: JsonConverter
connectors:
  - name: from-pg
    connector.class: JdbcSource
{1}    mode: incrementing
    incrementing.column.name: id
    table.whitelist: items
    topic.prefix: pg_
  - name: to-sqlite
    connector.class: JdbcSink
    connection.url: jdbc:sqlite:{2}
    topics: pg_items
    auto.create: true
    insert.mode: upsert
    pk.mode: record_value
    pk.fields: id
    fields.whitelist: name,price
)", e.path(), pg_keys(pg), db));
    auto run = run_connectrun({"run", "--once", e / "job.yaml"}, 60s);
    INFO(run.err);
    REQUIRE(run.exit_code == 0);
    CHECK(sqlite(db, "SELECT id, name, price FROM pg_items ORDER BY id") ==
          pg.psql("SELECT id, name, price::float8 FROM items ORDER BY id"));  // SQLite keeps NUMERIC as its number
  }
}

TEST_CASE("PostgreSQL restarted mid-run: source and sinks carry on losing nothing and exactly.once writes nothing twice", "[jdbc][e2e][postgres]") {
  PostgresServer pg({.restartable = true});
  pg.psql("CREATE TABLE src(id int PRIMARY KEY, v text NOT NULL); INSERT INTO src SELECT g, 'v' || g FROM generate_series(1, 3) g;"
          "CREATE TABLE dst(id int NOT NULL, v text NOT NULL); CREATE TABLE people(id int NOT NULL, name text);");
  TempDir dir;
  std::string lines;
  for (int i = 1; i <= 3; ++i) lines += person(i, "p" + std::to_string(i));
  write_file(dir / "in.txt", lines);
  // Retries: the source within errors.retry.timeout, the sinks within max.retries × retry.backoff.ms.
  const std::string retry = "    connection.backoff.ms: 300\n    errors.retry.timeout: 60000\n";
  const std::string sink_retry = retry + "    exactly.once: true\n    max.retries: 100\n    retry.backoff.ms: 300\n";
  write_file(dir / "job.yaml", fmt::format(R"(worker:
  offset.storage.file.filename: {0}/offsets.json
  key.converter: StringConverter
  value.converter: JsonConverter
  offset.flush.interval.ms: 200
connectors:
  - name: from-pg
    connector.class: JdbcSource
{1}{2}    mode: incrementing
    incrementing.column.name: id
    table.whitelist: src
    topic.prefix: t_
    poll.interval.ms: 300
  - name: to-pg
    connector.class: JdbcSink
{1}{3}    topics: t_src
    table.name.format: dst
  - name: from-file
    connector.class: FileStreamSource
    file: {0}/in.txt
    topic: people
    value.converter: StringConverter
  - name: file-to-pg
    connector.class: JdbcSink
{1}{3}    topics: people
)", dir.path(), pg_keys(pg), retry, sink_retry));
  Process p({"run", dir / "job.yaml"}, dir / "run.log");
  auto count = [&](const std::string& table) { return pg.psql("SELECT count(*) FROM " + table); };
  bool first = eventually([&] { return count("dst") == "3\n" && count("people") == "3\n"; }, 60s);
  INFO(read_file(dir / "run.log"));
  REQUIRE(first);
  // A real restart (pg_ctl stop -m fast, then postgres again on the same port): while the server is
  // down the file source keeps producing, so the sink's writes fail and are retried.
  pg.stop_for_restart();
  lines.clear();
  for (int i = 4; i <= 6; ++i) lines += person(i, "p" + std::to_string(i));
  append_file(dir / "in.txt", lines);
  std::this_thread::sleep_for(2s);
  pg.start_again();
  pg.psql("INSERT INTO src SELECT g, 'v' || g FROM generate_series(4, 6) g;");
  bool all = eventually([&] { return count("dst") == "6\n" && count("people") == "6\n"; }, 60s);
  p.signal(SIGTERM);
  CHECK(p.wait(20s) == 0);
  auto log = read_file(dir / "run.log");
  INFO(log);
  CHECK(all);
  CHECK(pg.psql("SELECT count(*), count(DISTINCT id) FROM dst") == "6|6\n");
  CHECK(pg.psql("SELECT count(*), count(DISTINCT id) FROM people") == "6|6\n");
  CHECK(log.find("writing the batch again") != std::string::npos);  // the sink retried (max.retries)
  CHECK(log.find("[from-pg]") != std::string::npos);
  CHECK(log.find("retrying") != std::string::npos);  // the source retried (errors.retry.timeout)
  // The source resumed from its offset: the offsets file holds the last id read.
  CHECK(read_file(dir / "offsets.json").find(R"({"incrementing":6})") != std::string::npos);
}

TEST_CASE("JdbcSource and JdbcSink against MariaDB 10.11", "[jdbc][e2e][mariadb]") {
  MariadbServer my;
  my.sql("CREATE TABLE items(id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(40) NOT NULL, price DECIMAL(8,2), "
         "at DATETIME(3) NOT NULL, flag TINYINT(1), b VARBINARY(10));"
         "INSERT INTO items(name, price, at, flag, b) VALUES ('apple', 1.5, '2024-01-01 00:00:00.5', 1, x'0102'),"
         "('pear', NULL, '2024-01-01 00:00:01', 0, NULL);");
  auto keys = fmt::format("    connection.url: {}\n    connection.user: app\n    connection.password: secret\n", my.jdbc_url());
  TempDir dir;
  write_file(dir / "job.yaml", source_job(dir.path(), keys + R"(    mode: incrementing
    incrementing.column.name: id
    topic.prefix: db_
)"));
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"}, 60s);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto lines = read_lines(dir / "out.txt");
  REQUIRE(lines.size() == 2);
  CHECK(lines[0] == R"({"id":1,"name":"apple","price":1.50,"at":1704067200500,"flag":true,"b":"AQI="})");
  CHECK(read_file(dir / "offsets.json").find(R"({"protocol":"1","table":"test.items"})") != std::string::npos);
  my.sql("INSERT INTO items(name, at) VALUES ('fig', '2024-01-03 00:00:00');");
  REQUIRE(run_connectrun({"run", "--once", dir / "job.yaml"}, 60s).exit_code == 0);
  lines = read_lines(dir / "out.txt");
  REQUIRE(lines.size() == 3);
  CHECK(lines[2].find(R"("id":3,"name":"fig")") != std::string::npos);

  // The sink: upsert (ON DUPLICATE KEY UPDATE) into a table it creates.
  TempDir sd;
  write_file(sd / "in.txt", person(1, "ann") + person(2, "bob") + person(1, "ann2"));
  write_file(sd / "job.yaml", sink_job(sd.path(), "people", keys + R"(    auto.create: true
    insert.mode: upsert
    pk.mode: record_value
    pk.fields: id
)"));
  auto s = run_connectrun({"run", "--once", sd / "job.yaml"}, 60s);
  INFO(s.err);
  REQUIRE(s.exit_code == 0);
  CHECK(my.sql("SELECT id, name FROM people ORDER BY id") == "1\tann2\n2\tbob\n");

  // A wrong password: a clear error naming the server.
  write_file(dir / "job.yaml", source_job(dir.path(), fmt::format("    connection.url: {}\n    connection.user: app\n"
                                                                  "    connection.password: nope\n    mode: bulk\n"
                                                                  "    topic.prefix: db_\n", my.jdbc_url())));
  auto bad = run_connectrun({"run", "--once", dir / "job.yaml"}, 60s);
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find(fmt::format("cannot connect to MariaDB/MySQL at 127.0.0.1:{}: Access denied", my.port())) !=
        std::string::npos);

  {  // End to end through Kafka: a SQLite table → `connectrun broker` → a MariaDB table, two connectrun processes.
    TempDir k;
    auto db = k / "shop.db";
    sqlite(db, "CREATE TABLE orders(id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, customer TEXT NOT NULL, qty INTEGER NOT NULL, "
               "placed TIMESTAMP NOT NULL);"
               "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200) "
               "INSERT INTO orders(customer, qty, placed) SELECT 'customer ' || i, i * 3, "
               "datetime('2024-05-01 00:00:00', '+' || i || ' minutes') FROM n;");
    Process broker({"broker", "--topic", "sq_orders:2"}, k / "broker.log", k / "broker.out");
    REQUIRE(eventually([&] { return !read_lines(k / "broker.out").empty(); }, 20s));
    auto bootstrap = read_lines(k / "broker.out")[0];
    auto worker = [&](const std::string& name) {
      return fmt::format(R"(worker:
  bootstrap.servers: {}
  consumer.session.timeout.ms: 6000
  consumer.heartbeat.interval.ms: 500
  offset.storage.file.filename: {}/{}.offsets.json
  offset.flush.interval.ms: 200
  key.converter: StringConverter
  value.converter: JsonConverter
connectors:
)", bootstrap, k.path(), name);
    };
    write_file(k / "source.yaml", worker("source") + fmt::format(R"(  - name: from-sqlite
    connector.class: io.confluent.connect.jdbc.JdbcSourceConnector
    connection.url: jdbc:sqlite:{}
    mode: incrementing
    incrementing.column.name: id
    topic.prefix: sq_
)", db));
    auto src = run_connectrun({"run", "--once", k / "source.yaml"}, 60s);
    INFO(src.err);
    REQUIRE(src.exit_code == 0);
    write_file(k / "sink.yaml", worker("sink") + R"(  - name: to-mariadb
    connector.class: io.confluent.connect.jdbc.JdbcSinkConnector
    topics: sq_orders
    table.name.format: orders
    auto.create: true
    insert.mode: upsert
    pk.mode: record_value
    pk.fields: id
)" + keys);
    Process snk({"run", k / "sink.yaml"}, k / "sink.log");
    bool all = eventually([&] { return my.sql("SELECT count(*) FROM information_schema.tables WHERE table_name = "
                                              "'orders'") == "1\n" && my.sql("SELECT count(*) FROM orders") == "200\n"; },
                          60s);
    snk.signal(SIGTERM);
    CHECK(snk.wait(20s) == 0);
    INFO(read_file(k / "sink.log"));
    REQUIRE(all);
    // The same rows on both sides (DATETIME(3) as MariaDB prints it, the SQLite text to milliseconds).
    auto from = sqlite(db, "SELECT id || char(9) || customer || char(9) || qty || char(9) || "
                           "strftime('%Y-%m-%d %H:%M:%f', placed) FROM orders ORDER BY id");
    CHECK(my.sql("SELECT id, customer, qty, placed FROM orders ORDER BY id") == from);
    broker.signal(SIGTERM);
    broker.wait(10s);
  }
}

TEST_CASE("a database server that is not running: connection.attempts tries then an error naming host and port", "[jdbc][e2e]") {
  TempDir dir;
  int port = free_local_port();
  write_file(dir / "job.yaml", source_job(dir.path(), fmt::format(R"(    connection.url: jdbc:postgresql://127.0.0.1:{}/db
    connection.attempts: 2
    connection.backoff.ms: 200
    mode: bulk
    topic.prefix: db_
)", port)));
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"}, 60s);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find(fmt::format("cannot connect to PostgreSQL at 127.0.0.1:{}", port)) != std::string::npos);
  CHECK(r.err.find("gave up after 2 attempts, connection.attempts") != std::string::npos);
  CHECK(r.err.find("trying again in 200 ms (1 of 2 attempts)") != std::string::npos);
}
