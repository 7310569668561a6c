// The JDBC family's pieces without a database: connection.url parsing,
// kafka-connect-jdbc's WHERE clauses and offsets, and value texts.
#include <catch2/catch.hpp>

#include "connectors/jdbc/connection_url.h"
#include "connectors/jdbc/db.h"
#include "connectors/jdbc/source_query.h"
#include "connectors/jdbc/source_schema.h"
#include "converters/json_converter.h"

using namespace connectrun;
using namespace connectrun::jdbc;

TEST_CASE("connection.url forms of kafka-connect-jdbc and libpq are parsed", "[jdbc]") {
  auto pg = parse_connection_url("jdbc:postgresql://db.example.com:6543/shop?user=u&password=p%40ss&sslmode=require");
  CHECK(pg.kind == DbKind::Postgres);
  CHECK(pg.host == "db.example.com");
  CHECK(pg.port == 6543);
  CHECK(pg.database == "shop");
  CHECK(pg.params["password"] == "p@ss");
  CHECK(pg.params["sslmode"] == "require");
  auto pg2 = parse_connection_url("jdbc:postgresql://localhost/shop");
  CHECK(pg2.port == 5432);
  auto uri = parse_connection_url("postgresql://u@127.0.0.1:5433/db");
  CHECK(uri.libpq_uri == "postgresql://u@127.0.0.1:5433/db");
  CHECK(uri.where() == "127.0.0.1:5433");
  auto my = parse_connection_url("jdbc:mysql://127.0.0.1:3307/shop");
  CHECK(my.kind == DbKind::MySql);
  CHECK(my.where() == "127.0.0.1:3307");
  CHECK(parse_connection_url("jdbc:mariadb://h/db").port == 3306);
  auto lite = parse_connection_url("jdbc:sqlite:/tmp/x.db");
  CHECK(lite.kind == DbKind::Sqlite);
  CHECK(lite.path == "/tmp/x.db");
  CHECK_THROWS_WITH(parse_connection_url("jdbc:oracle:thin:@h:1521:x"), Catch::Contains("names no database connectrun supports"));
  CHECK_THROWS_WITH(parse_connection_url("jdbc:mysql://h:99999/db"), Catch::Contains("not a number from 1 to 65535"));
}

TEST_CASE("the WHERE and ORDER BY clauses are kafka-connect-jdbc's TimestampIncrementingCriteria", "[jdbc]") {
  struct D : Dialect {
    D() { name = "PostgreSQL"; }
    std::string sql_type(const Schema&) const override { return ""; }
  } d;
  Criteria c;
  c.mode = Mode::Incrementing;
  c.incrementing = "\"id\"";
  CHECK(where_clause(c, d) == " WHERE \"id\" > ? ORDER BY \"id\" ASC");
  c.mode = Mode::Timestamp;
  c.timestamps = {"\"ts\""};
  CHECK(where_clause(c, d) == " WHERE \"ts\" > ? AND \"ts\" < ? ORDER BY \"ts\" ASC");
  c.mode = Mode::TimestampIncrementing;
  CHECK(where_clause(c, d) ==
        " WHERE \"ts\" < ? AND ((\"ts\" = ? AND \"id\" > ?) OR \"ts\" > ?) ORDER BY \"ts\",\"id\" ASC");
  c.timestamps = {"\"a\"", "\"b\""};
  c.mode = Mode::Timestamp;
  CHECK(where_clause(c, d) ==
        " WHERE COALESCE(\"a\",\"b\") > ? AND COALESCE(\"a\",\"b\") < ? ORDER BY COALESCE(\"a\",\"b\") ASC");
  c.mode = Mode::Bulk;
  CHECK(where_clause(c, d).empty());
}

TEST_CASE("source offsets have kafka-connect-jdbc's keys and survive a round trip", "[jdbc]") {
  SourceOffset o;
  o.incrementing = 42;
  o.timestamp_nanos = 1700000000123456789LL;
  Value m = o.to_map();
  REQUIRE(m.find("incrementing"));
  CHECK(m.find("incrementing")->as<int64_t>() == 42);
  CHECK(m.find("timestamp")->as<int64_t>() == 1700000000123LL);
  CHECK(m.find("timestamp_nanos")->as<int64_t>() == 123456789);
  auto back = SourceOffset::from_map(m);
  CHECK(back.incrementing == 42);
  CHECK(back.timestamp_nanos == 1700000000123456789LL);
  SourceOffset inc_only;
  inc_only.incrementing = 7;
  CHECK(inc_only.to_map().find("timestamp") == nullptr);
}

TEST_CASE("timestamps dates and decimals convert between text and Connect values", "[jdbc]") {
  CHECK(format_timestamp(0) == "1970-01-01 00:00:00.000");
  CHECK(format_timestamp(1700000000123) == "2023-11-14 22:13:20.123");
  CHECK(parse_timestamp_nanos("2023-11-14 22:13:20.123456") == 1700000000123456000LL);
  CHECK(parse_timestamp_nanos("2023-11-14 23:13:20.5+01") == 1700000000500000000LL);
  CHECK(parse_timestamp_nanos("2023-11-14") == 1699920000000000000LL);
  CHECK(parse_time_ms("01:02:03.004") == 3723004);
  CHECK(format_date(-86400000) == "1969-12-31");
  CHECK(decimal_at_scale("12.345", 2).to_string() == "12.35");
  CHECK(decimal_at_scale("-1.5", 3).to_string() == "-1.500");
  CHECK(decimal_at_scale("7", 0).to_string() == "7");
  CHECK(decimal_at_scale("1.5e2", 1).to_string() == "150.0");
}

TEST_CASE("a source record through JsonConverter is the envelope Kafka's JsonConverter writes", "[jdbc]") {
  std::vector<Column> cols(5);
  cols[0] = {.name = "id", .kind = ColKind::Int32, .nullable = false};
  cols[1] = {.name = "price", .kind = ColKind::Decimal, .precision = 10, .scale = 2};
  cols[2] = {.name = "at", .kind = ColKind::Timestamp};
  cols[3] = {.name = "day", .kind = ColKind::Date, .nullable = false};
  cols[4] = {.name = "arr", .kind = ColKind::Unsupported, .db_type = "type oid 1007"};
  auto shape = source_schema(cols, "orders", NumericMapping::None);
  CHECK(shape.dropped == std::vector<std::string>{"arr (type oid 1007)"});
  auto v = StructValue::make(shape.schema);
  v->put("id", Value(int32_t{1}));
  v->put("price", Value(decimal_at_scale("1.5", 2)));
  v->put("at", Value(Timestamp{1704164645678}));
  v->put("day", Value(Timestamp{1704153600000}));
  static const PluginInfo info = json_converter_plugin();
  config::RawConfig raw{{"schemas.enable", config::RawEntry{"true", {}}}};
  config::Problems problems;
  auto values = config::parse(info.spec, raw, "", problems);
  JsonConverter json;
  json.configure(values, false);
  std::string out;
  REQUIRE(json.from_connect_data("db_orders", shape.schema, Value(v), out));
  CHECK(out ==
        R"({"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"},)"
        R"({"type":"bytes","optional":true,"name":"org.apache.kafka.connect.data.Decimal","version":1,)"
        R"("parameters":{"scale":"2","connect.decimal.precision":"10"},"field":"price"},)"
        R"({"type":"int64","optional":true,"name":"org.apache.kafka.connect.data.Timestamp","version":1,"field":"at"},)"
        R"({"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Date","version":1,"field":"day"}],)"
        R"("optional":false,"name":"orders"},"payload":{"id":1,"price":"AJY=","at":1704164645678,"day":19724}})");
  // numeric.mapping best_fit: NUMERIC(10,2) becomes float64, NUMERIC(5,0) int32.
  cols[1].scale = 2;
  auto best = source_schema(cols, "orders", NumericMapping::BestFit);
  CHECK(best.schema->field("price")->schema->type == Type::Float64);
  cols[1].precision = 5;
  cols[1].scale = 0;
  CHECK(source_schema(cols, "orders", NumericMapping::PrecisionOnly).schema->field("price")->schema->type == Type::Int32);
  CHECK(fit_value(Value(decimal_at_scale("42", 0)), *schemas::int32()) == Value(int32_t{42}));
}

// Integer columns: a bare number is read as it is; anything else as std::stoi/stol/stoll read it
// (leading spaces and '+', trailing text ignored), and a number beyond what they hold is an error.
TEST_CASE("integer columns are read from their text as the std::sto functions read them", "[jdbc]") {
  auto read = [](ColKind kind, const std::string& text) {
    Column c;
    c.name = "n";
    c.kind = kind;
    return value_from_text(c, text.data(), text.size(), nullptr);
  };
  CHECK(read(ColKind::Int64, "9223372036854775807") == Value(std::numeric_limits<int64_t>::max()));
  CHECK(read(ColKind::Int64, "-9223372036854775808") == Value(std::numeric_limits<int64_t>::min()));
  CHECK(read(ColKind::Int32, "-2147483648") == Value(std::numeric_limits<int32_t>::min()));
  CHECK(read(ColKind::Int16, "-32768") == Value(int16_t{-32768}));
  CHECK(read(ColKind::Int8, "127") == Value(int8_t{127}));
  CHECK(read(ColKind::Int64, " +42") == Value(int64_t{42}));
  CHECK(read(ColKind::Int32, "7 ") == Value(int32_t{7}));
  CHECK(read(ColKind::Int64, "12abc") == Value(int64_t{12}));
  CHECK_THROWS_AS(read(ColKind::Int64, "9223372036854775808"), ConnectError);
  CHECK_THROWS_AS(read(ColKind::Int8, "99999999999"), ConnectError);
  CHECK_THROWS_AS(read(ColKind::Int32, "x"), ConnectError);
  CHECK_THROWS_AS(read(ColKind::Int64, ""), ConnectError);
}
