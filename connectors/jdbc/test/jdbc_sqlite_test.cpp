// JdbcSource and JdbcSink against SQLite files, through the connectrun binary;
// the sqlite3 CLI makes and checks the tables.
#include <catch2/catch.hpp>

#include "child_process.h"
#include "jdbc_test_util.h"
#include "support.h"

using namespace testsupport;
using namespace jdbctest;
using namespace std::chrono_literals;

namespace {

RunResult run_once(const std::string& job) {
  auto r = run_connectrun({"run", "--once", job}, 60s);
  return r;
}

size_t count_lines_with(const std::string& path, const std::string& needle) {
  size_t n = 0;
  for (auto& l : read_lines(path)) n += l.find(needle) != std::string::npos;
  return n;
}

}  // namespace

TEST_CASE("JdbcSource on SQLite in incrementing mode copies new rows and resumes at the stored offset", "[jdbc][e2e]") {
  TempDir dir;
  auto db = dir / "shop.db";
  sqlite(db, "CREATE TABLE orders(id INTEGER PRIMARY KEY NOT NULL, name TEXT, price NUMERIC(10,2), at DATETIME, "
             "data BLOB, qty SMALLINT NOT NULL, ok BOOLEAN);"
             "INSERT INTO orders VALUES(1,'apple',1.5,'2024-01-02 03:04:05.678',x'0102',3,1),"
             "(2,'pear',NULL,NULL,NULL,4,0),(3,'fig',10,'2024-01-02',x'ff',5,NULL);"
             "CREATE TABLE other(id INTEGER PRIMARY KEY NOT NULL);");
  write_file(dir / "job.yaml", source_job(dir.path(), fmt::format(R"(    connection.url: jdbc:sqlite:{}
    mode: incrementing
    incrementing.column.name: id
    table.whitelist: orders
    topic.prefix: db_
)", db)));
  auto r = run_once(dir / "job.yaml");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto lines = read_lines(dir / "out.txt");
  REQUIRE(lines.size() == 3);
  // FileStreamSink prints the struct as JSON: Decimal(scale 2) as its number,
  // bytes as base64, the Timestamp as epoch milliseconds.
  CHECK(lines[0] == R"({"id":1,"name":"apple","price":1.50,"at":1704164645678,"data":"AQI=","qty":3,"ok":true})");
  CHECK(lines[1].find(R"({"id":2,"name":"pear","price":null,"at":null,"data":null,"qty":4,"ok":false})") !=
        std::string::npos);
  auto offsets = read_file(dir / "offsets.json");
  CHECK(offsets.find(R"({"protocol":"1","table":"orders"})") != std::string::npos);
  CHECK(offsets.find(R"({"incrementing":3})") != std::string::npos);
  CHECK(count_lines_with(dir / "out.txt", "\"name\":\"other\"") == 0);  // not in table.whitelist

  sqlite(db, "INSERT INTO orders(id,name,qty) VALUES(4,'kiwi',1),(5,'lime',2); UPDATE orders SET name='APPLE' WHERE id=1;");
  auto again = run_once(dir / "job.yaml");
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  lines = read_lines(dir / "out.txt");
  REQUIRE(lines.size() == 5);  // only the new rows; the update is not seen in incrementing mode
  CHECK(lines[3].find(R"("id":4,"name":"kiwi")") != std::string::npos);
  CHECK(read_file(dir / "offsets.json").find(R"({"incrementing":5})") != std::string::npos);
}

TEST_CASE("JdbcSource on SQLite in timestamp timestamp+incrementing bulk and query modes", "[jdbc][e2e]") {
  TempDir dir;
  auto db = dir / "t.db";
  sqlite(db, "CREATE TABLE events(id INTEGER NOT NULL, changed TIMESTAMP NOT NULL, v TEXT);"
             "INSERT INTO events VALUES(1,'2024-01-01 00:00:00','a'),(2,'2024-01-01 00:00:00','b'),"
             "(3,'2024-01-01 00:00:01.5','c');");
  auto job = [&](const std::string& mode, const std::string& extra) {
    return source_job(dir.path(), fmt::format(R"(    connection.url: jdbc:sqlite:{}
    mode: {}
    topic.prefix: db_
{})", db, mode, extra));
  };
  SECTION("timestamp: rows changed after the stored timestamp, updates included") {
    write_file(dir / "job.yaml", job("timestamp", "    timestamp.column.name: changed\n"));
    auto r = run_once(dir / "job.yaml");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(read_lines(dir / "out.txt").size() == 3);
    CHECK(read_file(dir / "offsets.json").find(R"("timestamp":1704067201500,"timestamp_nanos":500000000)") !=
          std::string::npos);
    sqlite(db, "UPDATE events SET v='B', changed='2024-01-02 00:00:00' WHERE id=2;");
    auto again = run_once(dir / "job.yaml");
    INFO(again.err);
    REQUIRE(again.exit_code == 0);
    auto lines = read_lines(dir / "out.txt");
    REQUIRE(lines.size() == 4);
    CHECK(lines[3].find(R"("id":2,"changed":1704153600000,"v":"B")") != std::string::npos);
  }
  SECTION("timestamp+incrementing: a new row with the same timestamp and a larger id is read") {
    write_file(dir / "job.yaml", job("timestamp+incrementing", "    timestamp.column.name: changed\n    incrementing.column.name: id\n"));
    auto r = run_once(dir / "job.yaml");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(read_lines(dir / "out.txt").size() == 3);
    CHECK(read_file(dir / "offsets.json").find(R"({"incrementing":3,"timestamp":1704067201500,"timestamp_nanos":500000000})") !=
          std::string::npos);
    sqlite(db, "INSERT INTO events VALUES(4,'2024-01-01 00:00:01.5','d');");
    auto again = run_once(dir / "job.yaml");
    INFO(again.err);
    REQUIRE(again.exit_code == 0);
    auto lines = read_lines(dir / "out.txt");
    REQUIRE(lines.size() == 4);
    CHECK(lines[3].find(R"("id":4)") != std::string::npos);
  }
  SECTION("bulk: the whole table once per --once run, no offsets") {
    write_file(dir / "job.yaml", job("bulk", "    batch.max.rows: 2\n"));
    auto r = run_once(dir / "job.yaml");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(read_lines(dir / "out.txt").size() == 3);
    REQUIRE(run_once(dir / "job.yaml").exit_code == 0);
    CHECK(read_lines(dir / "out.txt").size() == 6);
  }
  SECTION("query mode: the query's rows into the topic named by topic.prefix, partition {query: query}") {
    write_file(dir / "job.yaml", source_job(dir.path(), fmt::format(R"(    connection.url: jdbc:sqlite:{}
    mode: incrementing
    incrementing.column.name: id
    query: SELECT id, upper(v) AS v FROM events
    topic.prefix: db_q
)", db)));
    auto r = run_once(dir / "job.yaml");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    auto lines = read_lines(dir / "out.txt");
    REQUIRE(lines.size() == 3);
    CHECK(lines[2].find(R"({"id":3,"v":"C"})") != std::string::npos);
    CHECK(read_file(dir / "offsets.json").find(R"({"query":"query"})") != std::string::npos);
  }
}

TEST_CASE("JdbcSource refuses a nullable incrementing column and unsupported kafka-connect-jdbc keys", "[jdbc][e2e]") {
  TempDir dir;
  auto db = dir / "t.db";
  sqlite(db, "CREATE TABLE loose(id INTEGER, v TEXT); INSERT INTO loose VALUES(1,'a');");
  write_file(dir / "job.yaml", source_job(dir.path(), fmt::format(R"(    connection.url: jdbc:sqlite:{}
    mode: incrementing
    incrementing.column.name: id
    topic.prefix: db_
)", db)));
  auto r = run_once(dir / "job.yaml");
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("cannot make incremental queries using incrementing column id on loose because this column is "
                   "nullable") != std::string::npos);
  // validate refuses keys connectrun does not implement.
  write_file(dir / "job.yaml", source_job(dir.path(), fmt::format(R"(    connection.url: jdbc:sqlite:{}
    mode: bulk
    topic.prefix: db_
    timestamp.granularity: nanos_long
)", db)));
  auto v = run_connectrun({"validate", dir / "job.yaml"});
  CHECK(v.exit_code != 0);
  CHECK((v.out + v.err).find("timestamp.granularity is not supported by connectrun") != std::string::npos);
}

TEST_CASE("JdbcSink on SQLite: auto.create upsert and auto.evolve", "[jdbc][e2e]") {
  TempDir dir;
  auto db = dir / "out.db";
  write_file(dir / "in.txt", person(1, "ann") + person(2, "bob"));
  write_file(dir / "job.yaml", sink_job(dir.path(), "people", fmt::format(R"(    connection.url: jdbc:sqlite:{}
    auto.create: true
    insert.mode: upsert
    pk.mode: record_value
    pk.fields: id
)", db)));
  auto r = run_once(dir / "job.yaml");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(sqlite(db, "SELECT id, name FROM people ORDER BY id") == "1|ann\n2|bob\n");
  CHECK(sqlite(db, ".schema people").find("PRIMARY KEY(\"id\")") != std::string::npos);
  // upsert: an existing key is replaced.
  append_file(dir / "in.txt", person(2, "bobby") + person(3, "cy"));
  REQUIRE(run_once(dir / "job.yaml").exit_code == 0);
  CHECK(sqlite(db, "SELECT id, name FROM people ORDER BY id") == "1|ann\n2|bobby\n3|cy\n");
  // a new optional field without auto.evolve: a clear error, nothing written.
  append_file(dir / "in.txt", person(4, "dee", true, "x"));
  auto bad = run_once(dir / "job.yaml");
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("table people is missing column(s) extra for the record's fields and auto.evolve is disabled") !=
        std::string::npos);
  CHECK(sqlite(db, "SELECT count(*) FROM people") == "3\n");
  // with auto.evolve the column is added.
  write_file(dir / "job.yaml", read_file(dir / "job.yaml") + "    auto.evolve: true\n");
  auto ok = run_once(dir / "job.yaml");
  INFO(ok.err);
  REQUIRE(ok.exit_code == 0);
  CHECK(sqlite(db, "SELECT id, name, extra FROM people WHERE id=4") == "4|dee|x\n");
}

TEST_CASE("JdbcSink on SQLite: insert mode and pk.mode kafka write the bus coordinates", "[jdbc][e2e]") {
  TempDir dir;
  auto db = dir / "out.db";
  write_file(dir / "in.txt", person(1, "ann") + person(1, "ann again"));
  write_file(dir / "job.yaml", sink_job(dir.path(), "people", fmt::format(R"(    connection.url: jdbc:sqlite:{}
    auto.create: true
    pk.mode: kafka
    fields.whitelist: name
)", db)));
  auto r = run_once(dir / "job.yaml");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(sqlite(db, "SELECT __connect_topic, __connect_partition, __connect_offset, name FROM people ORDER BY 3") ==
        "people|0|0|ann\npeople|0|1|ann again\n");
  CHECK(sqlite(db, "PRAGMA table_info(people)").find("|id|") == std::string::npos);  // not in fields.whitelist
}

TEST_CASE("JdbcSink refuses schemaless records and handles a constraint violation under errors.tolerance none and all", "[jdbc][e2e]") {
  TempDir dir;
  auto db = dir / "out.db";
  sqlite(db, "CREATE TABLE people(id INTEGER PRIMARY KEY NOT NULL, name TEXT CHECK (name <> 'bad'));");
  SECTION("schemaless") {
    write_file(dir / "in.txt", "{\"id\":1}\n");
    write_file(dir / "job.yaml", sink_job(dir.path(), "people", fmt::format(R"(    connection.url: jdbc:sqlite:{}
    value.converter: JsonConverter
    value.converter.schemas.enable: false
)", db)));
    auto r = run_once(dir / "job.yaml");
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("the JDBC sink needs records with a struct schema; this one has no schema") != std::string::npos);
  }
  SECTION("none: the batch is rolled back and the connector fails") {
    write_file(dir / "in.txt", person(1, "ann") + person(2, "bad") + person(3, "cy"));
    write_file(dir / "job.yaml", sink_job(dir.path(), "people", fmt::format("    connection.url: jdbc:sqlite:{}\n", db)));
    auto r = run_once(dir / "job.yaml");
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("CHECK constraint failed") != std::string::npos);
    CHECK(sqlite(db, "SELECT count(*) FROM people") == "0\n");
    CHECK(stored_position(dir / "offsets.json") == -1);
  }
  SECTION("all: the bad record goes to the dead letter queue and the rest is written") {
    write_file(dir / "in.txt", person(1, "ann") + person(2, "bad") + person(3, "cy"));
    write_file(dir / "job.yaml", sink_job(dir.path(), "people", fmt::format(R"(    connection.url: jdbc:sqlite:{}
    errors.tolerance: all
    errors.deadletterqueue.topic.name: dead
  - name: dead-sink
    connector.class: FileStreamSink
    file: {}
    topics: dead
    value.converter: StringConverter
)", db, dir / "dead.txt")));
    auto r = run_once(dir / "job.yaml");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(sqlite(db, "SELECT id, name FROM people ORDER BY id") == "1|ann\n3|cy\n");
    auto dead = read_lines(dir / "dead.txt");
    REQUIRE(dead.size() == 1);
    CHECK(dead[0].find("\"name\":\"bad\"") != std::string::npos);
  }
}

TEST_CASE("JdbcSink exactly.once writes every record once across a kill -9 in insert mode", "[jdbc][e2e]") {
  TempDir dir;
  auto db = dir / "out.db";
  const int n = 20000;
  std::string in;
  for (int i = 0; i < n; ++i) in += person(i, "p" + std::to_string(i));
  write_file(dir / "in.txt", in);
  sqlite(db, "PRAGMA journal_mode=WAL; CREATE TABLE people(id INTEGER NOT NULL, name TEXT);");
  write_file(dir / "job.yaml", sink_job(dir.path(), "people", fmt::format(R"(    connection.url: jdbc:sqlite:{}
    batch.size: 50
    exactly.once: true
)", db)));
  auto count = [&] {
    return shell(fmt::format("sqlite3 -cmd '.timeout 5000' {} 'SELECT count(*) FROM people' 2>/dev/null", sh_quote(db)));
  };
  {
    Process p({"run", dir / "job.yaml"}, dir / "run.log");
    REQUIRE(eventually([&] { auto c = count(); return !c.empty() && c != "0\n"; }, 30s));
    p.signal(SIGKILL);
    p.wait(10s);
  }
  auto written_before = count();
  INFO("rows before the restart: " << written_before);
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"}, 120s);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(sqlite(db, "SELECT count(*), count(DISTINCT id), min(id), max(id) FROM people") ==
        fmt::format("{}|{}|0|{}\n", n, n, n - 1));
  CHECK(sqlite(db, "SELECT topic, kafka_partition, next_offset FROM connectrun_jdbc_positions") ==
        fmt::format("people|0|{}\n", n));
}

TEST_CASE("JdbcSource with tasks.max 2 splits the tables across two tasks and skips the positions table", "[jdbc][e2e]") {
  TempDir dir;
  auto db = dir / "t.db";
  // An exactly.once sink's positions table in the same database is not data (it has no id column either).
  sqlite(db, "CREATE TABLE connectrun_jdbc_positions(topic TEXT); INSERT INTO connectrun_jdbc_positions VALUES('x');"
             "CREATE TABLE a(id INTEGER NOT NULL); CREATE TABLE b(id INTEGER NOT NULL); CREATE TABLE c(id INTEGER NOT NULL);"
             "INSERT INTO a VALUES(1); INSERT INTO b VALUES(2); INSERT INTO c VALUES(3);");
  write_file(dir / "job.yaml", source_job(dir.path(), fmt::format(R"(    connection.url: jdbc:sqlite:{}
    mode: incrementing
    incrementing.column.name: id
    topic.prefix: db_
    tasks.max: 2
)", db)));
  auto r = run_once(dir / "job.yaml");
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(read_lines(dir / "out.txt").size() == 3);  // every table once, none twice
  // task 0 logs as [src], task 1 as [src-1]
  CHECK(r.err.find("[src] reading table a") != std::string::npos);
  CHECK(r.err.find("[src-1] reading table b") != std::string::npos);
  CHECK(r.err.find("[src] reading table c") != std::string::npos);
}

TEST_CASE("JdbcSource and JdbcSink on SQLite with db.timezone America/New_York and the auto-increment column found", "[jdbc][e2e]") {
  TempDir dir;
  auto db = dir / "tz.db";
  sqlite(db, "CREATE TABLE events(id INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, at TIMESTAMP NOT NULL);"
             "INSERT INTO events(at) VALUES('2024-01-15 09:30:00'), ('2024-07-15 09:30:00');"
             "CREATE TABLE plain(id INTEGER PRIMARY KEY, at TIMESTAMP NOT NULL);");
  // incrementing.column.name empty: SQLite's INTEGER PRIMARY KEY AUTOINCREMENT column, as xerial reports it.
  auto keys = fmt::format(R"(    connection.url: jdbc:sqlite:{}
    db.timezone: America/New_York
    mode: timestamp+incrementing
    timestamp.column.name: at
    topic.prefix: db_
)", db);
  write_file(dir / "job.yaml", source_job(dir.path(), keys + "    table.whitelist: events\n"));
  for (int run = 0; run < 2; ++run) {  // the second run reads nothing again: the parameters are New York times too
    auto r = run_once(dir / "job.yaml");
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  }
  // 09:30 in New York: 14:30 UTC in January (EST), 13:30 UTC in July (EDT).
  CHECK(read_lines(dir / "out.txt") ==
        std::vector<std::string>{R"({"id":1,"at":1705329000000})", R"({"id":2,"at":1721050200000})"});
  CHECK(read_file(dir / "offsets.json").find(R"("incrementing":2,"timestamp":1721050200000)") != std::string::npos);
  // A table without an auto-increment column: a clear error.
  TempDir plain;
  write_file(plain / "job.yaml", source_job(plain.path(), keys + "    table.whitelist: plain\n"));
  auto bad = run_once(plain / "job.yaml");
  CHECK(bad.exit_code != 0);
  CHECK(bad.err.find("table plain has no auto-increment column: set incrementing.column.name") != std::string::npos);

  // The sink writes a Timestamp as a New York wall-clock time.
  TempDir sd;
  auto out_db = sd / "out.db";
  write_file(sd / "in.txt", R"({"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},)"
                            R"({"type":"int64","optional":false,"name":"org.apache.kafka.connect.data.Timestamp",)"
                            R"("version":1,"field":"at"}],"optional":false,"name":"ev"},"payload":{"id":1,"at":1705329000000}})"
                            "\n");
  write_file(sd / "job.yaml", sink_job(sd.path(), "ev", fmt::format(R"(    connection.url: jdbc:sqlite:{}
    db.timezone: America/New_York
    auto.create: true
)", out_db)));
  auto s = run_once(sd / "job.yaml");
  INFO(s.err);
  REQUIRE(s.exit_code == 0);
  CHECK(sqlite(out_db, "SELECT id, at FROM ev") == "1|2024-01-15 09:30:00.000\n");
}
