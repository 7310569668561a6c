// examples/postgres-replicate.yaml as shipped (only the server's port and
// password put in): a PostgreSQL table replicated into SQLite through
// PostgresCdcSource → ExtractNewRecordState → JdbcSink, on the in-process bus.
// After inserts, updates, a primary-key change and deletes, the replica
// (read with the sqlite3 CLI) equals the source (read with psql).
#include <catch2/catch.hpp>

#ifdef CONNECTRUN_WITH_JDBC

#include <fmt/format.h>

#include "connectors/jdbc/test/jdbc_test_util.h"
#include "servers/postgres_server.h"
#include "support.h"

using namespace testsupport;
using namespace std::chrono_literals;

namespace {
std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) s.replace(pos, from.size(), to);
  return s;
}
}  // namespace

TEST_CASE("examples/postgres-replicate.yaml keeps a SQLite replica equal to the PostgreSQL table", "[postgres_cdc][e2e]") {
  PostgresServer pg({.wal_level = "logical"});
  pg.psql("CREATE TABLE customers(id serial PRIMARY KEY, name text NOT NULL, email text, visits int);"
          "INSERT INTO customers(name, email, visits) VALUES ('Sally', 'sally@example.com', 1), "
          "('George', 'george@example.com', 2), ('Edward', NULL, 3);");
  TempDir dir;
  std::string job = read_file(std::string(CONNECTRUN_SOURCE_DIR) + "/examples/postgres-replicate.yaml");
  REQUIRE(job.find("database.port: 5432") != std::string::npos);
  job = replace_all(job, "database.port: 5432", fmt::format("database.port: {}", pg.port()));
  job = replace_all(job, "${env:PGPASSWORD}", PostgresServer::kPassword);
  write_file(dir / "job.yaml", job);

  const std::string query = "SELECT id, name, coalesce(email, '<null>'), visits FROM customers ORDER BY id";
  auto source = [&] { return pg.psql(query); };
  auto replica = [&] { return jdbctest::sqlite(dir / "replica.db", query); };
  auto run_once = [&] {
    auto r = run_connectrun({"run", "--once", "job.yaml"}, 90s, dir.path());
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  };

  run_once();  // the snapshot
  CHECK(replica() == source());
  std::string first = source();
  CHECK(std::count(first.begin(), first.end(), '\n') == 3);

  pg.psql("UPDATE customers SET visits = visits + 10, email = 'sally@new.example' WHERE name = 'Sally';"
          "DELETE FROM customers WHERE name = 'George';"
          "INSERT INTO customers(name, email, visits) VALUES ('Ann', 'ann@example.com', 7), ('Bob', NULL, 0);"
          "UPDATE customers SET id = 100 WHERE name = 'Edward';");  // a primary-key change: a delete and a create
  run_once();  // the stream
  CHECK(replica() == source());
  CHECK(source().find("100|Edward") != std::string::npos);
  CHECK(source().find("George") == std::string::npos);

  pg.psql("DELETE FROM customers WHERE visits < 5; UPDATE customers SET name = 'Sally Q' WHERE id = 1;");
  run_once();
  CHECK(replica() == source());
  run_once();  // nothing new: nothing changes
  CHECK(replica() == source());
}

#endif
