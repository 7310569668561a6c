// PostgresCdcSource's parts that need no server: the pgoutput decoder on
// messages built byte by byte as the protocol documents them, the type
// mapping of PostgreSQL's text forms to Debezium's semantic types, and the
// configuration's refusals.
#include <catch2/catch.hpp>

#include <map>

#include "connectors/connectors.h"
#include "connectors/postgres_cdc/pg_composite.h"
#include "connectors/postgres_cdc/pg_types.h"
#include "connectors/postgres_cdc/pgoutput.h"
#include "plugin/registry.h"

using namespace connectrun;
using namespace connectrun::postgres_cdc;

namespace {

std::string be(uint64_t v, int n) {
  std::string out;
  for (int i = n - 1; i >= 0; --i) out += static_cast<char>((v >> (i * 8)) & 0xff);
  return out;
}
std::string cstr(const std::string& s) { return s + std::string(1, '\0'); }

std::string config_error(const std::map<std::string, std::string>& keys) {
  const PluginInfo* info = builtin_plugins().find("io.debezium.connector.postgresql.PostgresConnector", {PluginKind::Source});
  REQUIRE(info);
  config::RawConfig raw;
  std::map<std::string, std::string> all = {{"database.hostname", "h"}, {"database.user", "u"},
                                            {"database.dbname", "d"}, {"topic.prefix", "srv"}};
  for (auto& [k, v] : keys) all[k] = v;
  for (auto& [k, v] : all) raw[k] = {v, {}};
  config::Problems problems;
  auto values = config::parse(info->spec, raw, "cdc", problems);
  if (!problems.empty()) return problems.list().front().key + ": " + problems.list().front().message;
  try {
    info->make_source()->configure(values);
  } catch (const config::ConfigError& e) {
    return e.key() + ": " + e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("pgoutput messages decode as the protocol documents them", "[postgres_cdc]") {
  const int64_t pg_ts = 757382400000000;  // 2024-01-01T00:00:00Z in microseconds since 2000-01-01
  auto begin = decode_pgoutput("B" + be(0x16B3748, 8) + be(pg_ts, 8) + be(741, 4));
  CHECK(begin.kind == PgMessage::Kind::Begin);
  CHECK(begin.commit_lsn == 0x16B3748);
  CHECK(begin.commit_time_us == 1704067200000000);
  CHECK(begin.xid == 741);

  auto rel = decode_pgoutput("R" + be(16384, 4) + cstr("public") + cstr("items") + "d" + be(2, 2) + "\x01" +
                             cstr("id") + be(23, 4) + be(0xffffffff, 4) + std::string(1, '\0') + cstr("name") +
                             be(25, 4) + be(0xffffffff, 4));
  REQUIRE(rel.kind == PgMessage::Kind::Relation);
  CHECK(rel.nspname == "public");
  CHECK(rel.relname == "items");
  REQUIRE(rel.columns.size() == 2);
  CHECK(rel.columns[0].key);
  CHECK_FALSE(rel.columns[1].key);
  CHECK(rel.columns[1].type_oid == 25);
  CHECK(rel.columns[1].typmod == -1);

  auto upd = decode_pgoutput("U" + be(16384, 4) + "K" + be(2, 2) + "t" + be(1, 4) + "1" + "n" + "N" + be(2, 2) + "t" +
                             be(1, 4) + "2" + "u");
  REQUIRE(upd.kind == PgMessage::Kind::Update);
  CHECK(upd.old_kind == 'K');
  CHECK(upd.old_tuple[0].text == "1");
  CHECK(upd.old_tuple[1].kind == TupleValue::Null);
  CHECK(upd.new_tuple[0].text == "2");
  CHECK(upd.new_tuple[1].kind == TupleValue::Unchanged);

  auto commit = decode_pgoutput("C" + std::string(1, '\0') + be(10, 8) + be(20, 8) + be(pg_ts, 8));
  CHECK(commit.kind == PgMessage::Kind::Commit);
  CHECK(commit.end_lsn == 20);
  auto trunc = decode_pgoutput("T" + be(2, 4) + std::string(1, '\0') + be(1, 4) + be(2, 4));
  CHECK(trunc.relids == std::vector<uint32_t>{1, 2});
  CHECK_THROWS_WITH(decode_pgoutput("I" + be(1, 4) + "N" + be(1, 2) + "t" + be(9, 4) + "ab"),
                    Catch::Contains("ends early"));
}

TEST_CASE("PostgreSQL text values map to Debezium semantic types", "[postgres_cdc]") {
  TypeModes adaptive;
  auto conv = [](ColumnInfo c, const std::string& text, TypeModes m, std::string* schema_name = nullptr) {
    auto s = column_schema(c, m);
    if (schema_name) *schema_name = s->name.value_or("");
    return column_value(c, s, text, m);
  };
  std::string name;
  CHECK(conv({"d", 1082, -1}, "2024-02-03", adaptive, &name) == Value(int32_t{19756}));
  CHECK(name == "io.debezium.time.Date");
  CHECK(conv({"t", 1083, -1}, "04:05:06.007", adaptive, &name) == Value(int64_t{14706007000}));
  CHECK(name == "io.debezium.time.MicroTime");
  CHECK(conv({"t", 1083, 3}, "04:05:06.007", adaptive, &name) == Value(int32_t{14706007}));
  CHECK(name == "io.debezium.time.Time");
  CHECK(conv({"ts", 1114, -1}, "2024-01-01 00:00:01.25", adaptive, &name) == Value(int64_t{1704067201250000}));
  CHECK(name == "io.debezium.time.MicroTimestamp");
  CHECK(conv({"ts", 1114, 3}, "2024-01-01 00:00:01.25", adaptive, &name) == Value(int64_t{1704067201250}));
  CHECK(conv({"tz", 1184, -1}, "2024-01-01 02:00:00.5+02", adaptive, &name) == Value("2024-01-01T00:00:00.500000Z"));
  CHECK(name == "io.debezium.time.ZonedTimestamp");
  CHECK(conv({"tz", 1184, -1}, "1999-12-31 23:30:00-01:30", adaptive) == Value("2000-01-01T01:00:00.000000Z"));
  CHECK(conv({"u", 2950, -1}, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11", adaptive, &name) ==
        Value("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"));
  CHECK(name == "io.debezium.data.Uuid");
  CHECK(conv({"j", 3802, -1}, "{\"a\": 1}", adaptive, &name) == Value("{\"a\": 1}"));
  CHECK(name == "io.debezium.data.Json");
  CHECK(conv({"b", 17, -1}, "\\x0102ff", adaptive) == Value(Bytes{"\x01\x02\xff"}));
  TypeModes hex;
  hex.binary = BinaryMode::Hex;
  CHECK(conv({"b", 17, -1}, "\\x0102ff", hex) == Value("0102ff"));
  // numeric(8,3): Decimal with its scale and precision
  ColumnInfo price{"p", 1700, (8 << 16 | 3) + 4};
  auto ps = column_schema(price, adaptive);
  CHECK(*ps->parameter("scale") == "3");
  CHECK(*ps->parameter("connect.decimal.precision") == "8");
  CHECK(conv(price, "1.500", adaptive) == Value(Decimal::from_string("1.500")));
  // numeric without a scale: VariableScaleDecimal
  auto vs = column_schema({"n", 1700, -1}, adaptive);
  CHECK(vs->name == std::optional<std::string>("io.debezium.data.VariableScaleDecimal"));
  auto v = conv({"n", 1700, -1}, "-12.345", adaptive);
  CHECK(v.as_struct().values[0] == Value(int32_t{3}));
  TypeModes dbl;
  dbl.decimal = DecimalMode::Double;
  CHECK(conv(price, "1.500", dbl) == Value(1.5));
  TypeModes connect;
  connect.time = TimePrecisionMode::Connect;
  CHECK(conv({"d", 1082, -1}, "2024-02-03", connect, &name) == Value(Timestamp{1706918400000}));
  CHECK(name == "org.apache.kafka.connect.data.Date");
  // a required column the change does not carry: Debezium's fallback
  ColumnInfo req{"r", 25, -1, false};
  CHECK(fallback_value(*column_schema(req, adaptive)) == Value(std::string()));
  CHECK(unavailable_value(*column_schema(req, adaptive), "__debezium_unavailable_value") ==
        Value("__debezium_unavailable_value"));
}

TEST_CASE("intervals map to Debezium's MicroDuration or Interval", "[postgres_cdc]") {
  // Expected values: Debezium's MicroDuration.durationMicros / Interval.toIsoString worked
  // out in IEEE doubles (a month is 30.4375 days; seconds as BigDecimal.valueOf(double) writes them).
  auto numeric = [](std::string_view iso) { return interval_value(iso, IntervalMode::Numeric); };
  auto string = [](std::string_view iso) { return interval_value(iso, IntervalMode::String); };
  CHECK(numeric("P1Y2M3DT4H5M6.789S") == Value(int64_t{37091106789000}));
  CHECK(numeric("P-1DT2H") == Value(int64_t{-79200000000}));
  CHECK(numeric("PT-4H-5M-6S") == Value(int64_t{-14706000000}));
  CHECK(numeric("PT0.000001S") == Value(int64_t{1}));
  CHECK(numeric("P100Y") == Value(int64_t{3155760000000000}));
  CHECK(numeric("PT0S") == Value(int64_t{0}));
  CHECK(string("P1Y2M3DT4H5M6.789S") == Value("P1Y2M3DT4H5M6.789S"));
  CHECK(string("PT0S") == Value("P0Y0M0DT0H0M0S"));
  CHECK(string("P-1DT2H") == Value("P0Y0M-1DT2H0M0S"));
  CHECK(string("PT0.3S") == Value("P0Y0M0DT0H0M0.3S"));  // the shortest decimal, not the double's expansion
  CHECK(string("PT0.000001S") == Value("P0Y0M0DT0H0M0.000001S"));
  CHECK(string("PT-1.5S") == Value("P0Y0M0DT0H0M-1.5S"));
  CHECK(string("PT10S") == Value("P0Y0M0DT0H0M10S"));
  auto ns = interval_schema(true, IntervalMode::Numeric);
  CHECK(ns->type == Type::Int64);
  CHECK(ns->name == std::optional<std::string>("io.debezium.time.MicroDuration"));
  CHECK(interval_schema(false, IntervalMode::String)->name == std::optional<std::string>("io.debezium.time.Interval"));
  CHECK_THROWS_WITH(numeric("1 day"), Catch::Contains("cannot read interval value '1 day'"));
}

TEST_CASE("one-dimensional arrays map to Connect arrays of their element type", "[postgres_cdc]") {
  TypeModes adaptive;
  auto conv = [&](ColumnInfo c, const std::string& text) {
    auto s = column_schema(c, adaptive);
    REQUIRE(s->type == Type::Array);
    CHECK(s->value_schema->optional);
    return column_value(c, s, text, adaptive);
  };
  CHECK(conv({"a", 1007, -1}, "{1,NULL,3}") == Value(Array{Value(int32_t{1}), Value(), Value(int32_t{3})}));
  CHECK(conv({"a", 1009, -1}, R"({"a b","c\"d","NULL",NULL,"x,y","","back\\slash",plain})") ==
        Value(Array{Value("a b"), Value("c\"d"), Value("NULL"), Value(), Value("x,y"), Value(""), Value("back\\slash"),
                    Value("plain")}));
  CHECK(conv({"a", 1007, -1}, "{}") == Value(Array{}));
  CHECK(conv({"a", 1182, -1}, "{2024-02-03}") == Value(Array{Value(int32_t{19756})}));
  // numeric(5,2)[]: Decimal elements with the column's scale
  ColumnInfo prices{"p", 1231, (5 << 16 | 2) + 4};
  auto ps = column_schema(prices, adaptive);
  CHECK(*ps->value_schema->parameter("scale") == "2");
  CHECK(conv(prices, "{1.50,2.00}") == Value(Array{Value(Decimal::from_string("1.50")), Value(Decimal::from_string("2.00"))}));
  CHECK(conv({"a", 1007, -1}, "[0:1]={5,6}") == Value(Array{Value(int32_t{5}), Value(int32_t{6})}));
  CHECK_THROWS_WITH(conv({"a", 1007, -1}, "{{1,2},{3,4}}"), Catch::Contains("multi-dimensional"));
  // an array type Debezium does not map (interval[]): PostgreSQL's text
  CHECK(column_schema({"a", 1187, -1}, adaptive)->type == Type::String);
}

TEST_CASE("money and enums map to Debezium's Decimal and Enum", "[postgres_cdc]") {
  TypeModes precise, dbl, str;
  dbl.decimal = DecimalMode::Double;
  str.decimal = DecimalMode::String;
  const ColumnInfo money{"m", 790, -1};
  auto ms = column_schema(money, precise);
  CHECK(ms->name == std::optional<std::string>("org.apache.kafka.connect.data.Decimal"));
  CHECK(*ms->parameter("scale") == "2");
  CHECK(column_value(money, ms, "-$1,234.56", precise) == Value(Decimal::from_string("-1234.56")));
  CHECK(column_value(money, ms, "$92,233,720,368,547,758.07", precise) ==
        Value(Decimal::from_string("92233720368547758.07")));  // exact, where Debezium's double is not
  CHECK(column_value(money, column_schema(money, dbl), "$0.50", dbl) == Value(0.5));
  CHECK(column_value(money, column_schema(money, str), "$1,234.00", str) == Value("1234.0"));  // Java's Double.toString
  CHECK_THROWS_WITH(column_value(money, ms, "EUR 1", precise), Catch::Contains("cannot read money value"));
  ColumnInfo mood{"mood", 16390, -1};
  mood.enum_values = "sad,ok,happy";
  auto es = column_schema(mood, precise);
  CHECK(es->name == std::optional<std::string>("io.debezium.data.Enum"));
  CHECK(*es->parameter("allowed") == "sad,ok,happy");
  CHECK(column_value(mood, es, "ok", precise) == Value("ok"));
  mood.default_expr = "'happy'::mood";
  CHECK(with_default(mood, es, precise)->default_value == std::optional<Value>(Value("happy")));
  mood.default_expr = "pick_mood()";
  CHECK(with_default(mood, es, precise)->default_value == std::nullopt);
}

TEST_CASE("hstore maps to Debezium's Json text or map, in Java's HashMap order", "[postgres_cdc]") {
  TypeModes json, map;
  map.hstore = HstoreMode::Map;
  ColumnInfo h{"h", 16500, -1};
  h.hstore = true;
  // Expected order worked out from String.hashCode: zz (bucket 0), a, b, e, "c d", k\k (bucket 11).
  const std::string text = R"("a"=>"1", "b"=>NULL, "e"=>"", "c d"=>"x\"y", "k\\k"=>"v\\v", "zz"=>"z")";
  auto js = column_schema(h, json);
  CHECK(js->name == std::optional<std::string>("io.debezium.data.Json"));
  CHECK(column_value(h, js, text, json) == Value(R"({"zz":"z","a":"1","b":null,"e":"","c d":"x\"y","k\\k":"v\\v"})"));
  auto ms = column_schema(h, map);
  CHECK(ms->type == Type::Map);
  CHECK(ms->value_schema->optional);
  CHECK(column_value(h, ms, R"("b"=>NULL, "a"=>"1")", map) ==
        Value(MapEntries{{Value("a"), Value("1")}, {Value("b"), Value()}}));
  CHECK(column_value(h, js, "", json) == Value("{}"));
  CHECK_THROWS_WITH(column_value(h, js, R"("a"=>)", json), Catch::Contains("cannot read hstore value"));
}

TEST_CASE("bit strings map to Debezium's boolean or Bits", "[postgres_cdc]") {
  TypeModes m;
  const ColumnInfo flag{"f", 1560, 1}, bits{"b", 1560, 10}, vbits{"v", 1562, 12}, any{"a", 1562, -1};
  CHECK(column_schema(flag, m)->type == Type::Boolean);
  CHECK(column_value(flag, column_schema(flag, m), "1", m) == Value(true));
  auto bs = column_schema(bits, m);
  CHECK(bs->name == std::optional<std::string>("io.debezium.data.Bits"));
  CHECK(*bs->parameter("length") == "10");
  // BitSet.toByteArray: bit 0 is the rightmost digit; little-endian; no trailing zero bytes.
  CHECK(column_value(bits, bs, "1000000001", m) == Value(Bytes{std::string("\x01\x02", 2)}));
  CHECK(column_value(bits, bs, "0000000101", m) == Value(Bytes{std::string("\x05", 1)}));
  CHECK(column_value(bits, bs, "0000000000", m) == Value(Bytes{}));
  CHECK(column_value(vbits, column_schema(vbits, m), "101", m) == Value(Bytes{std::string("\x05", 1)}));
  CHECK(column_schema(any, m)->type == Type::String);
}

TEST_CASE("column defaults are put in the schema as Debezium's PostgresDefaultValueConverter puts them", "[postgres_cdc]") {
  TypeModes adaptive;
  auto default_of = [&](ColumnInfo c, std::string expr) -> std::optional<Value> {
    c.default_expr = std::move(expr);
    auto s = with_default(c, column_schema(c, adaptive), adaptive);
    return s->default_value;
  };
  const ColumnInfo integer{"i", 23, -1, false}, text{"t", 25, -1, true}, bytea{"b", 17, -1, true};
  const ColumnInfo ts{"ts", 1114, -1, true}, uuid{"u", 2950, -1, true};
  const ColumnInfo price{"p", 1700, (10 << 16 | 2) + 4, true};
  CHECK(default_of(integer, "42") == Value(int32_t{42}));
  CHECK(default_of(integer, "'-1'::integer") == Value(int32_t{-1}));
  CHECK(default_of(text, "'it''s'::text") == Value("it's"));
  // generated by a function, or CURRENT_TIMESTAMP & co: a placeholder, optional column or not
  CHECK(default_of(integer, "nextval('t_i_seq'::regclass)") == Value(int32_t{0}));
  CHECK(default_of(ts, "now()") == Value(int64_t{0}));
  CHECK(default_of(ts, "CURRENT_TIMESTAMP") == Value(int64_t{0}));
  CHECK(default_of(uuid, "gen_random_uuid()") == Value("00000000-0000-0000-0000-000000000000"));
  CHECK(default_of(text, "upper('x'::text)") == Value(std::string()));
  // a numeric's default takes the column's scale (0 → 0.00)
  CHECK(default_of(price, "0") == Value(Decimal::from_string("0.00")));
  // no default: NULL, an expression Debezium does not evaluate, a type it has no mapper for
  CHECK(default_of(text, "NULL::text") == std::nullopt);
  CHECK(default_of(integer, "(1 + 2)") == std::nullopt);
  CHECK(default_of(bytea, "'\\x00'::bytea") == std::nullopt);
}

TEST_CASE("PostgresCdcSource refuses what it does not support with a clear message", "[postgres_cdc]") {
  CHECK(config_error({}) == "");
  CHECK(config_error({{"plugin.name", "pgoutput"}}) == "");
  CHECK_THAT(config_error({{"plugin.name", "decoderbufs"}}),
             Catch::StartsWith("plugin.name: ") && Catch::Contains("pgoutput") && Catch::Contains("is the one supported"));
  CHECK_THAT(config_error({{"plugin.name", "wal2json"}}), Catch::Contains("not supported by connectrun"));
  CHECK_THAT(config_error({{"message.key.columns", "public.t:id"}}),
             Catch::StartsWith("message.key.columns: ") && Catch::Contains("not supported by connectrun"));
  CHECK(config_error({{"money.fraction.digits", "2"}}) == "");  // Debezium's default changes nothing
  CHECK_THAT(config_error({{"money.fraction.digits", "3"}}), Catch::Contains("not supported by connectrun"));
  CHECK_THAT(config_error({{"snapshot.mode", "custom"}}), Catch::Contains("not supported by connectrun"));
  CHECK_THAT(config_error({{"table.include.list", "public.a"}, {"table.exclude.list", "public.b"}}),
             Catch::Contains("cannot both be set"));
  CHECK_THAT(config_error({{"table.include.list", "public.(a"}}), Catch::Contains("not a regular expression"));
  CHECK_THAT(config_error({{"topic.prefix", "bad prefix"}}), Catch::StartsWith("topic.prefix"));
}
