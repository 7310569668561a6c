// MariaDB's bulk path for the sink's plain inserts: LOAD DATA LOCAL INFILE with
// the rows sent from memory (Connection::copy_in), against a real MariaDB 10.11.
// The server's own Com_load counter says which path wrote a batch; the mariadb
// client and a SELECT check what arrived.
#include <catch2/catch.hpp>

#include <limits>

#include <fmt/format.h>

#include "connectors/jdbc/db.h"
#include "jdbc_test_util.h"
#include "servers/mariadb_server.h"
#include "support.h"

using namespace connectrun;
using namespace testsupport;

namespace {

// How many LOAD DATA statements the server has run.
int loads(const MariadbServer& my) {
  auto out = my.sql("SHOW GLOBAL STATUS LIKE 'Com_load'");
  return std::stoi(out.substr(out.find('\t') + 1));
}

std::unique_ptr<jdbc::Connection> connect(const MariadbServer& my) {
  return jdbc::connect({.url = my.jdbc_url(), .user = MariadbServer::kUser, .password = MariadbServer::kPassword});
}

jdbc::ParamRefs refs_of(const jdbc::Params& params) {
  jdbc::ParamRefs refs;
  for (auto& v : params) refs.push_back(&v);
  return refs;
}

}  // namespace

TEST_CASE("JDBC on MariaDB: plain inserts go by LOAD DATA LOCAL and every value comes back as it was sent",
          "[jdbc][mariadb]") {
  MariadbServer my;
  my.sql("CREATE TABLE t(id INT PRIMARY KEY, s TEXT, n BIGINT, d DOUBLE, ok BOOLEAN, price DECIMAL(10,3), "
         "at DATETIME(3)) CHARACTER SET utf8mb4");
  auto conn = connect(my);
  // What LOAD DATA's text format gives a meaning to (tab, line ends, backslash, \N), quotes, NUL,
  // UTF-8, and escapes on either side of the eight-byte steps.
  const std::vector<std::string> texts = {"plain", "a\tb", "line\nnext", "cr\rx", "back\\slash", "\\N", "",
                                          "quote ' \" ` and ?", std::string("nul\0x", 5), "été 漢字",
                                          "0123456\\89abcdef\t0123456789abcde\n", "'; DROP TABLE t; --"};
  jdbc::Params params;
  for (size_t i = 0; i < texts.size(); ++i) {
    params.push_back(Value(static_cast<int32_t>(i)));
    params.push_back(Value(texts[i]));
    params.push_back(Value(i % 2 ? std::numeric_limits<int64_t>::min() : static_cast<int64_t>(i) * 1234567890123));
    params.push_back(Value(0.25 + static_cast<double>(i)));
    params.push_back(Value(i % 2 == 0));
    params.push_back(Value(Decimal::from_string("-12.500")));
    params.push_back(Value(Timestamp{1704067200500 + static_cast<int64_t>(i)}));
  }
  const size_t rows = texts.size() + 1;
  for (auto& v : {Value(static_cast<int32_t>(texts.size())), Value(), Value(), Value(), Value(), Value(), Value()})
    params.push_back(v);
  // The same with the session's sql_mode NO_BACKSLASH_ESCAPES (string literals without escapes).
  for (bool no_backslash_escapes : {false, true}) {
    INFO("NO_BACKSLASH_ESCAPES: " << no_backslash_escapes);
    if (no_backslash_escapes) {
      conn->execute("DELETE FROM t");
      conn->execute("SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')");
    }
    const int before = loads(my);
    conn->begin();
    REQUIRE(conn->copy_in("t", {"id", "s", "n", "d", "ok", "price", "at"}, refs_of(params), rows, {}));
    conn->commit();
    CHECK(loads(my) == before + 1);
    auto rs = conn->query("SELECT id, s, n, d, ok, price, at FROM t ORDER BY id", {});
    jdbc::Row row;
    for (size_t i = 0; i < rows; ++i) {
      REQUIRE(rs->next(row));
      INFO(i);
      CHECK(row.values[0].as<int32_t>() == static_cast<int32_t>(i));
      CHECK(row.values[1] == params[i * 7 + 1]);
      CHECK(row.values[2] == params[i * 7 + 2]);
      CHECK(row.values[3] == params[i * 7 + 3]);
      if (i < texts.size()) {
        CHECK(row.values[4].as<bool>() == (i % 2 == 0));
        CHECK(row.values[5].as<Decimal>().to_string() == "-12.500");
        CHECK(row.values[6].as<Timestamp>().millis == 1704067200500 + static_cast<int64_t>(i));
      } else {
        for (int c = 4; c < 7; ++c) CHECK(row.values[c].is_null());
      }
    }
    CHECK_FALSE(rs->next(row));
    CHECK(my.sql("SELECT s FROM t WHERE id = 5") == "\\\\N\n");  // the text \N, not NULL (the client escapes it)
  }
}

TEST_CASE("JDBC on MariaDB: a LOAD DATA that warns is undone and the rows are left to INSERT", "[jdbc][mariadb]") {
  MariadbServer my;
  my.sql("CREATE TABLE t(id INT PRIMARY KEY, name VARCHAR(5) NOT NULL, b VARBINARY(4))");
  auto conn = connect(my);
  const std::vector<std::string> cols = {"id", "name"};
  conn->begin();
  REQUIRE(conn->copy_in("t", cols, refs_of({Value(1), Value("ann"), Value(2), Value("bob")}), 2, {}));
  // LOAD DATA LOCAL would skip a duplicate key, store '' for a NULL in a NOT NULL column and cut a
  // name too long, each with a warning; an INSERT fails on each. None of these loads leaves a row.
  int before = loads(my);
  CHECK_FALSE(conn->copy_in("t", cols, refs_of({Value(3), Value("cy"), Value(1), Value("dup")}), 2, {}));
  CHECK_FALSE(conn->copy_in("t", cols, refs_of({Value(4), Value("dan"), Value(5), Value()}), 2, {}));
  CHECK_FALSE(conn->copy_in("t", cols, refs_of({Value(6), Value("eve"), Value(7), Value("toolong")}), 2, {}));
  CHECK(loads(my) == before + 3);
  conn->commit();
  CHECK(my.sql("SELECT id, name FROM t ORDER BY id") == "1\tann\n2\tbob\n");
  // Bytes are not sent as text: no LOAD at all.
  before = loads(my);
  conn->begin();
  CHECK_FALSE(conn->copy_in("t", {"id", "name", "b"},
                            refs_of({Value(8), Value("fay"), Value(Bytes{"\x01\x02"}), Value(9), Value("gus"), Value()}), 2,
                            {}));
  conn->commit();
  CHECK(loads(my) == before);
}

TEST_CASE("JDBC on MariaDB: a server with local_infile off still takes the sink's inserts", "[jdbc][mariadb][e2e]") {
  MariadbServer my;
  my.sql("SET GLOBAL local_infile = 0");
  auto conn = connect(my);
  my.sql("CREATE TABLE t(id INT PRIMARY KEY, name TEXT)");
  conn->begin();
  CHECK_FALSE(conn->copy_in("t", {"id", "name"}, refs_of({Value(1), Value("ann"), Value(2), Value("bob")}), 2, {}));
  conn->commit();
  CHECK(my.sql("SELECT count(*) FROM t") == "0\n");
  // The sink itself: its batches are written by INSERT instead, all of them.
  TempDir dir;
  std::string in;
  for (int i = 0; i < 5; ++i) in += jdbctest::person(10 + i, "n" + std::to_string(i));
  write_file(dir / "in.txt", in);
  write_file(dir / "job.yaml", jdbctest::sink_job(dir.path(), "people",
                                                  fmt::format("    connection.url: {}\n    connection.user: app\n"
                                                              "    connection.password: secret\n"
                                                              "    table.name.format: t\n    batch.size: 2\n",
                                                              my.jdbc_url())));
  const int before = loads(my);
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"}, std::chrono::seconds(60));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(my.sql("SELECT id, name FROM t ORDER BY id") == "10\tn0\n11\tn1\n12\tn2\n13\tn3\n14\tn4\n");
  // Three batches (batch.size 2): the first tries LOAD DATA, refused (the server counts it); no more tries.
  CHECK(loads(my) == before + 1);
}
