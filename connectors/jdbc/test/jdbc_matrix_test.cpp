// Every insert.mode × pk.mode (with delete.enabled) of JdbcSink, and every
// mode of JdbcSource, against real PostgreSQL 15 and MariaDB 10.11 servers:
// the sink task is driven directly (struct and primitive keys, tombstones and
// Kafka coordinates cannot come from a file), the source runs as the binary;
// psql and the mariadb client check what arrived.
#include <catch2/catch.hpp>

#include <functional>

#include <spdlog/spdlog.h>

#include "child_process.h"
#include "connectors/jdbc/db.h"
#include "connectors/jdbc/jdbc_sink.h"
#include "connectors/jdbc/sink_writer.h"
#include "jdbc_test_util.h"
#include "servers/mariadb_server.h"
#include "servers/postgres_server.h"
#include "support.h"

using namespace connectrun;
using namespace testsupport;
using namespace std::chrono_literals;

namespace {

// A database under test: JDBC keys and an outside client (rows as "a|b\n").
struct Target {
  std::string url, user, password;
  std::function<std::string(const std::string&)> sql;
};

using Keys = std::map<std::string, std::string>;

// A sink task on the target with `keys`, configured and started with `ctx`.
std::unique_ptr<SinkTask> started_sink(const Target& t, const Keys& keys, SinkTaskContext& ctx) {
  auto plugin = jdbc::jdbc_sink_plugin();
  config::RawConfig raw{{"connection.url", {.value = t.url}}, {"connection.user", {.value = t.user}},
                        {"connection.password", {.value = t.password}}};
  for (auto& [k, v] : keys) raw[k] = config::RawEntry{.value = v};
  config::Problems problems;
  auto values = config::parse(plugin.spec, raw, "snk", problems);
  REQUIRE(problems.empty());
  auto task = plugin.make_sink();
  task->configure(values);
  ctx.connector_name = "snk";
  ctx.log = spdlog::default_logger();
  task->start(ctx);
  return task;
}

// Stops a task however the test leaves its scope.
struct StopTask {
  SinkTask& t;
  ~StopTask() { t.stop(); }
};

// One sink task run: configure, start, put `records` (one batch), flush, stop.
void sink(const Target& t, const Keys& keys, std::vector<Record> records) {
  SinkTaskContext ctx;
  auto task = started_sink(t, keys, ctx);
  StopTask stop{*task};
  task->put(records);
  task->flush();
}

// Batches written one after another by one SinkWriter on one connection: whether each threw.
std::vector<bool> write_batches(const Target& t, const jdbc::SinkSettings& s,
                                const std::vector<std::vector<Record>>& batches) {
  auto conn = jdbc::connect({.url = t.url, .user = t.user, .password = t.password});
  jdbc::SinkWriter writer(s, *conn);
  std::vector<bool> threw;
  for (auto& b : batches) {
    std::vector<const Record*> ptrs;
    for (auto& r : b) ptrs.push_back(&r);
    try {
      writer.write(ptrs, {}, nullptr);
      threw.push_back(false);
    } catch (const std::exception&) {
      threw.push_back(true);
    }
  }
  return threw;
}

const SchemaPtr& key_schema() {
  static const auto s = SchemaBuilder::structure().field("id", schemas::int32()).build();
  return s;
}
const SchemaPtr& value_schema() {
  static const auto s =
      SchemaBuilder::structure().field("id", schemas::int32()).field("name", schemas::string(true)).build();
  return s;
}

// A record at `offset` of partition 3 of `topic`: key struct {id} (or the
// primitive int64 `prim_key` when set), value {id, name} (a tombstone when
// `name` is empty).
Record rec(const std::string& topic, int64_t offset, int id, const std::string& name,
           std::optional<int64_t> prim_key = std::nullopt) {
  Record r;
  r.topic = topic;
  r.partition = 3;
  r.bus_offset = offset;
  r.is_source = false;
  if (prim_key) {
    r.key_schema = schemas::int64();
    r.key = Value(*prim_key);
  } else {
    auto k = StructValue::make(key_schema());
    k->put("id", Value(static_cast<int32_t>(id)));
    r.key_schema = key_schema();
    r.key = Value(k);
  }
  r.value_schema = value_schema();
  if (!name.empty()) {
    auto v = StructValue::make(value_schema());
    v->put("id", Value(static_cast<int32_t>(id)));
    v->put("name", Value(name));
    r.value = Value(v);
  }
  return r;
}

Keys with(Keys base, const Keys& more) {
  for (auto& [k, v] : more) base[k] = v;
  return base;
}

void sink_matrix(const Target& t) {
  const Keys create{{"auto.create", "true"}};
  {  // insert × none: plain rows, no key
    sink(t, with(create, {{"table.name.format", "m_in_none"}}), {rec("a", 0, 1, "ann"), rec("a", 1, 2, "bob")});
    CHECK(t.sql("SELECT id, name FROM m_in_none ORDER BY id") == "1|ann\n2|bob\n");
  }
  {  // insert × kafka: the coordinates are the key; the same offset again violates it and nothing of that batch lands
    Keys k = with(create, {{"table.name.format", "m_in_kafka"}, {"pk.mode", "kafka"}});
    sink(t, k, {rec("top", 10, 1, "ann"), rec("top", 11, 2, "bob")});
    CHECK(t.sql("SELECT __connect_topic, __connect_partition, __connect_offset, id, name FROM m_in_kafka ORDER BY 3") ==
          "top|3|10|1|ann\ntop|3|11|2|bob\n");
    CHECK_THROWS(sink(t, k, {rec("top", 12, 3, "cy"), rec("top", 10, 1, "again")}));
    CHECK(t.sql("SELECT count(*) FROM m_in_kafka") == "2\n");
  }
  {  // insert × record_key (struct) with delete.enabled: a tombstone deletes its row
    sink(t, with(create, {{"table.name.format", "m_in_rkey"}, {"pk.mode", "record_key"}, {"delete.enabled", "true"}}),
         {rec("a", 0, 1, "ann"), rec("a", 1, 2, "bob"), rec("a", 2, 3, "cy"), rec("a", 3, 2, "")});
    CHECK(t.sql("SELECT id, name FROM m_in_rkey ORDER BY id") == "1|ann\n3|cy\n");
    // without delete.enabled a tombstone is skipped
    sink(t, {{"table.name.format", "m_in_rkey"}, {"pk.mode", "record_key"}}, {rec("a", 4, 5, "eve"), rec("a", 5, 5, "")});
    CHECK(t.sql("SELECT id, name FROM m_in_rkey ORDER BY id") == "1|ann\n3|cy\n5|eve\n");
  }
  {  // insert × record_key with a primitive key named by pk.fields
    sink(t, with(create, {{"table.name.format", "m_in_pkey"}, {"pk.mode", "record_key"}, {"pk.fields", "kid"}}),
         {rec("a", 0, 1, "ann", 70), rec("a", 1, 2, "bob", 71)});
    CHECK(t.sql("SELECT kid, id, name FROM m_in_pkey ORDER BY kid") == "70|1|ann\n71|2|bob\n");
  }
  {  // insert × record_value: a duplicate key fails the batch and none of it is committed
    Keys k = with(create, {{"table.name.format", "m_in_rval"}, {"pk.mode", "record_value"}, {"pk.fields", "id"}});
    sink(t, k, {rec("a", 0, 1, "ann"), rec("a", 1, 2, "bob")});
    CHECK_THROWS(sink(t, k, {rec("a", 2, 3, "cy"), rec("a", 3, 1, "dup")}));
    CHECK(t.sql("SELECT id, name FROM m_in_rval ORDER BY id") == "1|ann\n2|bob\n");
  }
  {  // upsert × record_value: a row the upsert refuses (a CHECK) fails its whole batch, nothing of it committed
     // (on PostgreSQL the rows in the staging table go with the rollback); the next batch, on the same connection,
     // lands.
     // The same for an insert batch refused by its key.
    t.sql("CREATE TABLE m_up_check(id INT PRIMARY KEY, name VARCHAR(20) CHECK (name <> 'bad'))");
    jdbc::SinkSettings s;
    s.insert_mode = jdbc::InsertMode::Upsert;
    s.pk_mode = jdbc::PkMode::RecordValue;
    s.pk_fields = {"id"};
    s.table_format = "m_up_check";
    auto threw = write_batches(t, s, {{rec("a", 0, 1, "ann"), rec("a", 1, 2, "bad")}, {rec("a", 2, 1, "ann"), rec("a", 3, 2, "bob")}});
    CHECK(threw == std::vector<bool>{true, false});
    CHECK(t.sql("SELECT id, name FROM m_up_check ORDER BY id") == "1|ann\n2|bob\n");
    s.insert_mode = jdbc::InsertMode::Insert;
    threw = write_batches(t, s, {{rec("a", 4, 3, "cy"), rec("a", 5, 1, "dup")}, {rec("a", 6, 3, "cy"), rec("a", 7, 4, "dan")}});
    CHECK(threw == std::vector<bool>{true, false});
    CHECK(t.sql("SELECT id, name FROM m_up_check ORDER BY id") == "1|ann\n2|bob\n3|cy\n4|dan\n");
  }
  {  // upsert × kafka, then update × kafka (a missing row: nothing)
    sink(t, with(create, {{"table.name.format", "m_up_kafka"}, {"pk.mode", "kafka"}, {"insert.mode", "upsert"}}),
         {rec("top", 0, 1, "a"), rec("top", 1, 2, "b"), rec("top", 0, 1, "A")});
    CHECK(t.sql("SELECT __connect_offset, name FROM m_up_kafka ORDER BY 1") == "0|A\n1|b\n");
    sink(t, {{"table.name.format", "m_up_kafka"}, {"pk.mode", "kafka"}, {"insert.mode", "update"}},
         {rec("top", 1, 2, "B"), rec("top", 5, 9, "x")});
    CHECK(t.sql("SELECT __connect_offset, name FROM m_up_kafka ORDER BY 1") == "0|A\n1|B\n");
  }
  {  // upsert × record_key with delete.enabled, then update × record_key (and a tombstone in update mode)
    Keys k{{"table.name.format", "m_up_rkey"}, {"pk.mode", "record_key"}, {"delete.enabled", "true"}};
    sink(t, with(with(create, k), {{"insert.mode", "upsert"}}),
         {rec("a", 0, 1, "ann"), rec("a", 1, 2, "bob"), rec("a", 2, 1, "ann2"), rec("a", 3, 2, ""), rec("a", 4, 4, "dan")});
    CHECK(t.sql("SELECT id, name FROM m_up_rkey ORDER BY id") == "1|ann2\n4|dan\n");
    sink(t, with(k, {{"insert.mode", "update"}}), {rec("a", 5, 1, "ANN"), rec("a", 6, 9, "nobody"), rec("a", 7, 4, "")});
    CHECK(t.sql("SELECT id, name FROM m_up_rkey ORDER BY id") == "1|ANN\n");
  }
  {  // upsert × record_value over two batches (batch.size 2), then update × record_value
    sink(t, with(create, {{"table.name.format", "m_up_rval"}, {"pk.mode", "record_value"}, {"pk.fields", "id"},
                          {"insert.mode", "upsert"}, {"batch.size", "2"}}),
         {rec("a", 0, 1, "ann"), rec("a", 1, 2, "bob"), rec("a", 2, 1, "ann2")});
    CHECK(t.sql("SELECT id, name FROM m_up_rval ORDER BY id") == "1|ann2\n2|bob\n");
    sink(t, {{"table.name.format", "m_up_rval"}, {"pk.mode", "record_value"}, {"pk.fields", "id"}, {"insert.mode", "update"}},
         {rec("a", 3, 2, "BOB"), rec("a", 4, 9, "x")});
    CHECK(t.sql("SELECT id, name FROM m_up_rval ORDER BY id") == "1|ann2\n2|BOB\n");
  }
  // Combinations that cannot work are refused by configure.
  CHECK_THROWS_WITH(sink(t, {{"insert.mode", "update"}}, {}), Catch::Contains("needs key columns"));
  CHECK_THROWS_WITH(sink(t, {{"insert.mode", "upsert"}}, {}), Catch::Contains("needs key columns"));
  CHECK_THROWS_WITH(sink(t, {{"pk.mode", "record_value"}, {"delete.enabled", "true"}}, {}),
                    Catch::Contains("delete.enabled=true needs pk.mode=record_key"));
}

// Each JdbcSource mode reads the table `items` (3 rows), then, after an update
// of row 2 and a new row 4, reads again what that mode sees.
void source_modes(const Target& t) {
  t.sql("INSERT INTO items(name, at) VALUES ('a', '2024-01-01 00:00:01'), ('b', '2024-01-01 00:00:02'), "
        "('c', '2024-01-01 00:00:03')");
  auto keys = fmt::format("    connection.url: {}\n    connection.user: {}\n    connection.password: {}\n",
                          t.url, t.user, t.password);
  struct Mode {
    std::string name, keys;
    size_t after_change;              // lines after the second run
    std::vector<std::string> new_ids;  // ids of the lines the second run adds, in order
  };
  std::vector<Mode> modes = {
      {"bulk", "    mode: bulk\n    table.whitelist: items\n    topic.prefix: db_\n", 7, {}},  // no order
      {"incrementing", "    mode: incrementing\n    incrementing.column.name: id\n    table.whitelist: items\n"
                       "    topic.prefix: db_\n", 4, {"4"}},
      {"timestamp", "    mode: timestamp\n    timestamp.column.name: at\n    table.whitelist: items\n"
                    "    topic.prefix: db_\n", 5, {"2", "4"}},
      {"timestamp+incrementing", "    mode: timestamp+incrementing\n    timestamp.column.name: at\n"
                                 "    incrementing.column.name: id\n    table.whitelist: items\n    topic.prefix: db_\n", 5, {"2", "4"}},
      // incrementing.column.name empty: the table's auto-increment column (serial / AUTO_INCREMENT), as kafka-connect-jdbc
      {"auto-increment", "    mode: incrementing\n    table.whitelist: items\n    topic.prefix: db_\n", 4, {"4"}},
      {"query", "    mode: incrementing\n    incrementing.column.name: id\n    query: SELECT id, name FROM items\n"
                "    topic.prefix: db_query\n", 4, {"4"}},
  };
  std::vector<std::unique_ptr<TempDir>> dirs;
  auto run = [&](const Mode& m, TempDir& d) {
    auto r = run_connectrun({"run", "--once", d / "job.yaml"}, 60s);
    INFO(m.name << "\n" << r.err);
    REQUIRE(r.exit_code == 0);
    return read_lines(d / "out.txt");
  };
  for (auto& m : modes) {
    dirs.push_back(std::make_unique<TempDir>());
    auto& d = *dirs.back();
    write_file(d / "job.yaml", jdbctest::source_job(d.path(), keys + m.keys));
    auto lines = run(m, d);
    INFO(m.name);
    CHECK(lines.size() == 3);
    if (lines.size() == 3) CHECK(lines[1].find(R"({"id":2,"name":"b")") == 0);
  }
  t.sql("UPDATE items SET name = 'B2', at = '2024-01-02 00:00:00' WHERE id = 2");
  t.sql("INSERT INTO items(name, at) VALUES ('d', '2024-01-03 00:00:00')");
  for (size_t i = 0; i < modes.size(); ++i) {
    auto& m = modes[i];
    auto lines = run(m, *dirs[i]);
    INFO(m.name);
    REQUIRE(lines.size() == m.after_change);
    for (size_t j = 0; j < m.new_ids.size(); ++j)
      CHECK(lines[3 + j].find("{\"id\":" + m.new_ids[j] + ",") == 0);
    if (m.name == "timestamp") CHECK(lines[3].find(R"("name":"B2")") != std::string::npos);
    auto offsets = read_file(*dirs[i] / "offsets.json");
    if (m.name == "bulk") CHECK(offsets.find("incrementing") == std::string::npos);  // bulk stores no offset
    if (m.name == "query") CHECK(offsets.find(R"({"query":"query"})") != std::string::npos);
    if (m.name == "incrementing" || m.name == "auto-increment")
      CHECK(offsets.find(R"({"incrementing":4})") != std::string::npos);
  }
}

}  // namespace

TEST_CASE("JdbcSink insert.mode x pk.mode matrix and JdbcSource modes on PostgreSQL 15", "[jdbc][e2e][postgres]") {
  PostgresServer pg;
  Target t{pg.jdbc_url(), PostgresServer::kUser, PostgresServer::kPassword,
           [&](const std::string& sql) { return pg.psql(sql); }};
  sink_matrix(t);
  {  // Upserts on one connection share one staging table, emptied at each COMMIT; a column added by auto.evolve
     // gives a second one. The rows end as the last record per key.
    jdbc::SinkSettings s;
    s.insert_mode = jdbc::InsertMode::Upsert;
    s.pk_mode = jdbc::PkMode::RecordValue;
    s.pk_fields = {"id"};
    s.auto_create = s.auto_evolve = true;
    s.table_format = "m_up_staging";
    auto conn = jdbc::connect({.url = t.url, .user = t.user, .password = t.password});
    jdbc::SinkWriter writer(s, *conn);
    auto write = [&](const std::vector<Record>& batch) {
      std::vector<const Record*> ptrs;
      for (auto& r : batch) ptrs.push_back(&r);
      writer.write(ptrs, {}, nullptr);
    };
    auto staging_tables = [&] {
      return pg.psql("SELECT count(*) FROM pg_class WHERE relname LIKE 'connectrun_upsert%' AND relpersistence = 't'");
    };
    write({rec("a", 0, 1, "ann"), rec("a", 1, 2, "bob")});
    write({rec("a", 2, 2, "bob2"), rec("a", 3, 3, "cy")});
    CHECK(staging_tables() == "1\n");
    auto wider = SchemaBuilder::structure()
                     .field("id", schemas::int32())
                     .field("name", schemas::string(true))
                     .field("city", schemas::string(true))
                     .build();
    auto city = [&](int64_t offset, int id, const std::string& name, const std::string& c) {
      Record r = rec("a", offset, id, name);
      auto v = StructValue::make(wider);
      v->put("id", Value(static_cast<int32_t>(id)));
      v->put("name", Value(name));
      v->put("city", Value(c));
      r.value_schema = wider;
      r.value = Value(v);
      return r;
    };
    write({city(4, 3, "cy", "oslo"), city(5, 4, "dan", "rome")});
    CHECK(staging_tables() == "2\n");
    CHECK(pg.psql("SELECT id, name, city FROM m_up_staging ORDER BY id") == "1|ann|\n2|bob2|\n3|cy|oslo\n4|dan|rome\n");
  }
  pg.psql("CREATE TABLE items(id serial PRIMARY KEY, name text NOT NULL, at timestamp(3) NOT NULL)");
  source_modes(t);

  // db.timezone Europe/Berlin (UTC+2 in July): a timestamp column holds Berlin wall-clock times, a timestamptz
  // column its instant; the offsets and the WHERE parameters follow (a second run reads nothing twice).
  pg.psql("CREATE TABLE tz_src(id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, at timestamp(3) NOT NULL, atz timestamptz);"
          "INSERT INTO tz_src(at, atz) VALUES ('2024-07-01 12:00:00', '2024-07-01 12:00:00+00')");
  TempDir d;
  write_file(d / "job.yaml", jdbctest::source_job(d.path(), fmt::format(R"(    connection.url: {}
    connection.user: postgres
    connection.password: secret
    db.timezone: Europe/Berlin
    mode: timestamp+incrementing
    timestamp.column.name: at
    table.whitelist: tz_src
    topic.prefix: db_
)", pg.jdbc_url())));
  for (int run = 0; run < 2; ++run) {
    auto r = run_connectrun({"run", "--once", d / "job.yaml"}, 60s);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    if (run == 0) CHECK(r.err.find("using its auto-increment column id") != std::string::npos);  // an identity column
  }
  CHECK(read_lines(d / "out.txt") == std::vector<std::string>{R"({"id":1,"at":1719828000000,"atz":1719835200000})"});
  CHECK(read_file(d / "offsets.json").find(R"("incrementing":1,"timestamp":1719828000000)") != std::string::npos);
  // The sink writes a Timestamp as Berlin wall-clock time into timestamp, and as its instant into timestamptz.
  pg.psql("CREATE TABLE tz_dst(id int PRIMARY KEY, at timestamp(3), atz timestamptz)");
  auto schema = SchemaBuilder::structure()
                    .field("id", schemas::int32())
                    .field("at", schemas::timestamp().build())
                    .field("atz", schemas::timestamp().build())
                    .build();
  Record r;
  r.topic = "tz_dst";
  r.partition = 0;
  r.bus_offset = 0;
  r.is_source = false;
  auto v = StructValue::make(schema);
  v->put("id", Value(int32_t{1}));
  v->put("at", Value(Timestamp{1719828000000}));
  v->put("atz", Value(Timestamp{1719828000000}));
  r.value_schema = schema;
  r.value = Value(v);
  sink(t, {{"db.timezone", "Europe/Berlin"}}, {r});
  CHECK(pg.psql("SELECT at, atz AT TIME ZONE 'UTC' FROM tz_dst") == "2024-07-01 12:00:00|2024-07-01 10:00:00\n");
  // An unknown zone is a configuration error naming the key.
  CHECK_THROWS_WITH(sink(t, {{"db.timezone", "Mars/Olympus"}}, {}), Catch::Contains("not a known time zone"));
}

TEST_CASE("JdbcSink on PostgreSQL: a put's last COPY commits while the engine goes on, its positions held until then",
          "[jdbc][postgres]") {
  PostgresServer pg;
  pg.psql("CREATE TABLE deferred(id INT PRIMARY KEY, name VARCHAR(20))");
  Target t{pg.jdbc_url(), PostgresServer::kUser, PostgresServer::kPassword,
           [&](const std::string& sql) { return pg.psql(sql); }};
  SinkTaskContext ctx;
  auto task = started_sink(t, {{"table.name.format", "deferred"}, {"pk.mode", "record_value"}, {"pk.fields", "id"}}, ctx);
  StopTask stop{*task};
  const TopicPartition tp{"a", 3};

  // A trigger keeps the server busy for 2 s after the COPY's last row: put returns before that.
  pg.psql("CREATE FUNCTION slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(2); RETURN NULL; "
          "END $$; CREATE TRIGGER slow AFTER INSERT ON deferred FOR EACH STATEMENT EXECUTE FUNCTION slow()");
  std::vector<Record> batch{rec("a", 0, 1, "ann"), rec("a", 1, 2, "bob")};
  task->put(batch);
  CHECK(task->pre_commit({{tp, 2}}).at(tp) == 0);  // not committed yet: held back at its first record
  pg.psql("DROP TRIGGER slow ON deferred");  // waits for the COPY's transaction to end
  task->flush();
  CHECK(task->pre_commit({{tp, 2}}).at(tp) == 2);
  CHECK(pg.psql("SELECT id, name FROM deferred ORDER BY id") == "1|ann\n2|bob\n");

  // A deferred batch the table refuses (a duplicate key): found when it is collected, written again the usual
  // way, and under errors.tolerance=none the task fails with nothing of it committed or acknowledged.
  std::vector<Record> refused{rec("a", 2, 3, "cy"), rec("a", 3, 1, "dup")};
  task->put(refused);
  CHECK_THROWS_WITH(task->flush(), Catch::Contains("duplicate key"));
  CHECK_THROWS(task->pre_commit({{tp, 4}}));
  CHECK(pg.psql("SELECT count(*) FROM deferred") == "2\n");
}

TEST_CASE("JdbcSink insert.mode x pk.mode matrix and JdbcSource modes on MariaDB 10.11", "[jdbc][e2e][mariadb]") {
  MariadbServer my;
  Target t{my.jdbc_url(), MariadbServer::kUser, MariadbServer::kPassword, [&](const std::string& sql) {
             auto out = my.sql(sql);
             std::replace(out.begin(), out.end(), '\t', '|');
             return out;
           }};
  sink_matrix(t);
  my.sql("CREATE TABLE items(id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(40) NOT NULL, at DATETIME(3) NOT NULL)");
  source_modes(t);
}

// The PostgreSQL cursor under the source: rows across several FETCHes (the next one in flight
// while a batch is read), other queries between two FETCHes (the source lists tables again while
// a table is being read), a result left mid-way, and a cursor inside the caller's transaction.
TEST_CASE("JDBC on PostgreSQL: results through a cursor in batches, queries in between, a result left mid-way", "[jdbc][postgres]") {
  PostgresServer pg;
  pg.psql("CREATE TABLE many(id int PRIMARY KEY); INSERT INTO many SELECT g FROM generate_series(1, 2500) g");
  auto conn = jdbc::connect({.url = pg.jdbc_url(), .user = PostgresServer::kUser, .password = PostgresServer::kPassword});
  conn->set_fetch_rows(1000);
  jdbc::Row row;
  int64_t n = 0, sum = 0;
  {
    auto rs = conn->query("SELECT id FROM many ORDER BY id", {});
    while (rs->next(row)) {
      ++n;
      sum += row.values[0].as<int32_t>();
      if (n == 1500) {
        CHECK(conn->tables("", {"TABLE"}).size() == 1);
        CHECK(conn->describe(jdbc::TableId{"", "", "many"}).size() == 1);
      }
    }
  }
  CHECK(n == 2500);
  CHECK(sum == 2500 * 2501 / 2);
  {
    auto half = conn->query("SELECT id FROM many", {});
    REQUIRE(half->next(row));
  }
  auto count = [&] {
    auto rs = conn->query("SELECT count(*) FROM many", {});
    REQUIRE(rs->next(row));
    auto c = row.values[0].as<int64_t>();
    CHECK_FALSE(rs->next(row));
    return c;
  };
  CHECK(count() == 2500);
  conn->begin();
  conn->execute("INSERT INTO many VALUES (9999)");
  CHECK(count() == 2501);  // the cursor sees the transaction's own row
  conn->rollback();
  CHECK(count() == 2500);
  CHECK(pg.psql("SELECT count(*) FROM many") == "2500\n");
}

// COPY's text format: backslashes, tabs and line ends inside values are escaped, a null is \N, and
// numbers are written as the server reads them back; every value comes back as it was sent.
TEST_CASE("JDBC on PostgreSQL: COPY writes text with backslashes tabs line ends and numbers as they were", "[jdbc][postgres]") {
  PostgresServer pg;
  pg.psql("CREATE TABLE t(id int PRIMARY KEY, s text, n bigint, d double precision)");
  auto conn = jdbc::connect({.url = pg.jdbc_url(), .user = PostgresServer::kUser, .password = PostgresServer::kPassword});
  const std::vector<std::string> texts = {"plain", "a\tb", "line\nnext", "cr\rx", "back\\slash", "\\N",
                                          "", "mixed \t\n\r\\ end\\", "été 漢字", "\\\\t",
                                          // longer than the eight-byte steps: escapes at a word's last and first
                                          // byte, beside UTF-8, and a vertical tab (passed through as it is)
                                          "0123456\\89abcdef\t0123456789abcde\n", std::string(23, 'x') + "\r" + std::string(9, 'y'),
                                          "ééééééé\\ééé\tend and more text", "a\x0b" + std::string(20, 'z') + "\x0c\x0e"};
  jdbc::Params params;
  for (size_t i = 0; i < texts.size(); ++i) {
    params.push_back(Value(static_cast<int32_t>(i)));
    params.push_back(Value(texts[i]));
    params.push_back(Value(static_cast<int64_t>(i) * -1234567890123));
    params.push_back(Value(0.1 + static_cast<double>(i)));
  }
  const int32_t null_id = static_cast<int32_t>(texts.size());
  for (auto& v : {Value(null_id), Value(), Value(std::numeric_limits<int64_t>::min()), Value(-2.5e-300)}) params.push_back(v);
  jdbc::ParamRefs refs;
  for (auto& v : params) refs.push_back(&v);
  REQUIRE(conn->copy_in("t", {"id", "s", "n", "d"}, refs, texts.size() + 1, {}));
  auto rs = conn->query("SELECT id, s, n, d FROM t ORDER BY id", {});
  jdbc::Row row;
  for (size_t i = 0; i <= texts.size(); ++i) {
    REQUIRE(rs->next(row));
    INFO(i);
    CHECK(row.values[0].as<int32_t>() == static_cast<int32_t>(i));
    CHECK(row.values[1] == params[i * 4 + 1]);
    CHECK(row.values[2] == params[i * 4 + 2]);
    CHECK(row.values[3] == params[i * 4 + 3]);
  }
  CHECK_FALSE(rs->next(row));
}

// MariaDB's parameters are bound on the client: quotes, backslashes, NUL and line ends escaped
// inside string literals, question marks inside quotes left alone, numbers at their extremes.
TEST_CASE("JDBC on MariaDB: parameters bound into a multi-row INSERT come back as they were sent", "[jdbc][mariadb]") {
  MariadbServer my;
  my.sql("CREATE TABLE t(id INT PRIMARY KEY, s TEXT, n BIGINT, d DOUBLE, tag VARCHAR(10)) CHARACTER SET utf8mb4");
  auto conn = jdbc::connect({.url = my.jdbc_url(), .user = MariadbServer::kUser, .password = MariadbServer::kPassword});
  const std::vector<std::string> texts = {"plain", "it's", "quote \" and ` tick", "back\\slash", std::string("nul\0x", 5),
                                          "line\nnext\r", "?", "", "été 漢字", "'; DROP TABLE t; --"};
  jdbc::Params params;
  std::string sql = "INSERT INTO t (id, s, n, d, tag) VALUES ";
  for (size_t i = 0; i <= texts.size(); ++i) {
    sql += std::string(i ? "," : "") + "(?, ?, ?, ?, 'what?')";
    params.push_back(Value(static_cast<int32_t>(i)));
    params.push_back(i < texts.size() ? Value(texts[i]) : Value());
    params.push_back(Value(i % 2 ? std::numeric_limits<int64_t>::min() : static_cast<int64_t>(i) * 1234567890123));
    params.push_back(Value(0.25 + static_cast<double>(i)));
  }
  CHECK(conn->update(sql, params) == static_cast<int64_t>(texts.size() + 1));
  auto rs = conn->query("SELECT id, s, n, d, tag FROM t ORDER BY id", {});
  jdbc::Row row;
  for (size_t i = 0; i <= texts.size(); ++i) {
    REQUIRE(rs->next(row));
    INFO(i);
    CHECK(row.values[1] == params[i * 4 + 1]);
    CHECK(row.values[2] == params[i * 4 + 2]);
    CHECK(row.values[3] == params[i * 4 + 3]);
    CHECK(row.values[4] == Value("what?"));
  }
  CHECK_FALSE(rs->next(row));
}
