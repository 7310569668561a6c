#include <catch2/catch.hpp>

#include "converters/byte_array_converter.h"
#include "converters/converters.h"
#include "converters/json_converter.h"
#include "converters/simple_header_converter.h"
#include "converters/string_converter.h"
#include "converters/values.h"

using namespace connectrun;

namespace {
config::ConfigValues cfg_for(const PluginInfo& info, std::map<std::string, std::string> settings) {
  config::RawConfig raw;
  for (auto& [k, v] : settings) raw[k] = config::RawEntry{v, {}};
  config::Problems problems;
  auto values = config::parse(info.spec, raw, "", problems);
  REQUIRE(problems.empty());
  return values;
}

std::unique_ptr<JsonConverter> json_conv(std::map<std::string, std::string> settings = {}) {
  auto c = std::make_unique<JsonConverter>();
  c->configure(cfg_for(json_converter_plugin(), std::move(settings)), false);
  return c;
}

std::string write(Converter& c, const SchemaPtr& s, const Value& v) {
  std::string out;
  REQUIRE(c.from_connect_data("t", s, v, out));
  return out;
}
// Serialises without asserting, for the error checks.
void attempt(Converter& c, const SchemaPtr& s, const Value& v) {
  std::string out;
  c.from_connect_data("t", s, v, out);
}
}  // namespace

TEST_CASE("JsonConverter round-trips every type", "[converter]") {
  auto c = json_conv();
  auto inner = SchemaBuilder::structure().field("x", schemas::int32()).build();
  auto schema = SchemaBuilder::structure()
                    .field("i8", schemas::int8())
                    .field("i16", schemas::int16())
                    .field("i64", schemas::int64())
                    .field("f32", schemas::float32())
                    .field("f64", schemas::float64())
                    .field("b", schemas::boolean())
                    .field("s", schemas::string(true))
                    .field("bytes", schemas::bytes())
                    .field("arr", SchemaBuilder::array(schemas::string()).build())
                    .field("smap", SchemaBuilder::map(schemas::string(), schemas::int32()).build())
                    .field("imap", SchemaBuilder::map(schemas::int32(), schemas::string()).build())
                    .field("inner", inner)
                    .field("dec", schemas::decimal(2).build())
                    .field("date", schemas::date().build())
                    .field("time", schemas::time().build())
                    .field("ts", schemas::timestamp().build())
                    .build();
  auto in = StructValue::make(inner);
  in->put("x", Value(int32_t{7}));
  auto st = StructValue::make(schema);
  st->put("i8", Value(int8_t{-128}));
  st->put("i16", Value(int16_t{300}));
  st->put("i64", Value(int64_t{1} << 40));
  st->put("f32", Value(1.5f));
  st->put("f64", Value(0.1));
  st->put("b", Value(true));
  st->put("bytes", Value(Bytes{std::string("\x00\xff", 2)}));
  st->put("arr", Value(Array{Value("a"), Value("b")}));
  st->put("smap", Value(MapEntries{{Value("k"), Value(int32_t{1})}}));
  st->put("imap", Value(MapEntries{{Value(int32_t{1}), Value("one")}}));
  st->put("inner", Value(in));
  st->put("dec", Value(Decimal::from_string("123.45")));
  st->put("date", Value(Timestamp{19797LL * 86400000}));
  st->put("time", Value(Timestamp{37230123}));
  st->put("ts", Value(Timestamp{1700000000000}));
  std::string text = write(*c, schema, Value(st));
  CHECK(text.find(R"("payload":{"i8":-128,"i16":300,"i64":1099511627776,"f32":1.5,"f64":0.1,"b":true,"s":null,)") !=
        std::string::npos);
  CHECK(text.find(R"("bytes":"AP8=","arr":["a","b"],"smap":{"k":1},"imap":[[1,"one"]],"inner":{"x":7},"dec":"MDk=","date":19797,"time":37230123,"ts":1700000000000})") !=
        std::string::npos);
  auto back = c->to_connect_data("t", std::string_view(text));
  REQUIRE(back.schema);
  CHECK(*back.schema == *schema);
  CHECK(back.value == Value(st));
  // Equal schema JSON gives the same schema instance (the cache).
  auto again = c->to_connect_data("t", std::string_view(text));
  CHECK(again.schema.get() == back.schema.get());
}

TEST_CASE("JsonConverter tombstones and nulls", "[converter]") {
  auto c = json_conv();
  std::string out = "junk";
  CHECK_FALSE(c->from_connect_data("t", nullptr, Value(), out));
  CHECK(out.empty());
  CHECK(write(*c, schemas::string(true), Value()) == R"({"schema":{"type":"string","optional":true},"payload":null})");
  auto null_read = c->to_connect_data("t", std::nullopt);
  CHECK(null_read.schema == nullptr);
  CHECK(null_read.value.is_null());
  CHECK_THROWS_WITH(attempt(*c, schemas::string(), Value()),
                    "Conversion error: null value for field that is required and has no default value");
}

TEST_CASE("JsonConverter without schemas", "[converter]") {
  auto c = json_conv({{"schemas.enable", "false"}});
  CHECK(write(*c, schemas::int32(), Value(int32_t{5})) == "5");
  CHECK(write(*c, nullptr, Value(MapEntries{{Value("a"), Value(int64_t{1})}})) == R"({"a":1})");
  auto v = c->to_connect_data("t", std::string_view(R"({"a":[1,2.5]})"));
  CHECK(v.schema == nullptr);
  CHECK(*v.value.find("a") == Value(Array{Value(int64_t{1}), Value(2.5)}));
  CHECK(c->to_connect_data("t", std::string_view("  ")).value.is_null());
}

TEST_CASE("JsonConverter without schemas reads a string into the bytes' own memory when given them", "[converter]") {
  auto c = json_conv({{"schemas.enable", "false"}});
  // A line carried as a JSON string, with escapes of every kind, long enough to be allocated.
  const std::string json = R"("{\"id\":1,\"msg\":\"caf\u00e9 \ud83d\ude00 tab\there\"} and some more text")";
  const Value expected = c->to_connect_data("t", std::string_view(json)).value;
  REQUIRE(expected.get_if<std::string>());
  CHECK(*expected.get_if<std::string>() == "{\"id\":1,\"msg\":\"caf\xC3\xA9 \xF0\x9F\x98\x80 tab\there\"} and some more text");
  std::optional<std::string> bytes = json;
  const char* memory = bytes->data();
  SchemaPtr schema = schemas::int32();  // replaced: no schema without the envelope
  Value value(int32_t{1});
  c->take_connect_data("t", std::move(bytes), schema, value);
  CHECK(schema == nullptr);
  CHECK(value == expected);
  CHECK(value.get_if<std::string>()->data() == memory);  // no new allocation
  // Other roots, blank text, a byte order mark, null bytes and malformed text read as through to_connect_data.
  for (std::string text : {R"({"a":[1,2.5]})", "42", "null", "  ", "\xEF\xBB\xBF\"x\""}) {
    Value got;
    c->take_connect_data("t", std::string(text), schema, got);
    CHECK(got == c->to_connect_data("t", std::string_view(text)).value);
  }
  Value none(int32_t{1});
  c->take_connect_data("t", std::nullopt, schema, none);
  CHECK(none.is_null());
  CHECK_THROWS_WITH(c->take_connect_data("t", std::string("\"unterminated"), schema, value),
                    Catch::StartsWith("Converting byte[] to Kafka Connect data failed due to serialization error: "));
  // With the envelope, the same as to_connect_data.
  auto e = json_conv();
  SchemaPtr es;
  Value ev;
  e->take_connect_data("t", std::string(R"({"schema":{"type":"string","optional":false},"payload":"x"})"), es, ev);
  REQUIRE(es);
  CHECK(es->type == Type::String);
  CHECK(ev == Value("x"));
}

TEST_CASE("JsonConverter errors carry Kafka's messages", "[converter]") {
  auto c = json_conv();
  CHECK_THROWS_WITH(c->to_connect_data("t", std::string_view(R"({"payload":1})")),
                    Catch::Contains("requires \"schema\" and \"payload\" fields"));
  CHECK_THROWS_WITH(c->to_connect_data("t", std::string_view(R"({"schema":{"type":"uuid"},"payload":1})")),
                    "Unknown schema type: uuid");
  CHECK_THROWS_WITH(c->to_connect_data("t", std::string_view(R"({"schema":{"type":"int32"},"payload":null})")),
                    "Invalid null value for required INT32 field");
  CHECK_THROWS_WITH(c->to_connect_data("t", std::string_view("not json")),
                    Catch::StartsWith("Converting byte[] to Kafka Connect data failed due to serialization error: "));
  CHECK_THROWS_WITH(attempt(*c, schemas::int32(), Value("x")), "Invalid type for INT32: class java.lang.String");
  CHECK_THROWS_WITH(attempt(*c, schemas::decimal(3).build(), Value(Decimal::from_string("1.5"))),
                    "BigDecimal has mismatching scale value for given Decimal schema");
}

TEST_CASE("JsonConverter decimal.format and replace.null.with.default", "[converter]") {
  auto numeric = json_conv({{"decimal.format", "numeric"}, {"schemas.enable", "false"}});
  CHECK(write(*numeric, schemas::decimal(2).build(), Value(Decimal::from_string("123.45"))) == "123.45");
  auto s = SchemaBuilder::int32().optional().default_value(Value(int32_t{42})).build();
  CHECK(write(*json_conv({{"schemas.enable", "false"}}), s, Value()) == "42");
  CHECK(write(*json_conv({{"schemas.enable", "false"}, {"replace.null.with.default", "false"}}), s, Value()) == "null");
  config::Problems problems;
  config::RawConfig raw{{"decimal.format", config::RawEntry{"HEX", {}}}};
  config::parse(json_converter_plugin().spec, raw, "", problems);
  CHECK(problems.size() == 1);
}

TEST_CASE("StringConverter", "[converter]") {
  StringConverter c;
  c.configure(cfg_for(string_converter_plugin(), {}), false);
  CHECK(write(c, nullptr, Value("héllo")) == "héllo");
  CHECK(write(c, nullptr, Value(int32_t{42})) == "42");
  CHECK(write(c, nullptr, Value(1e20)) == "1.0E20");
  CHECK(write(c, nullptr, Value(true)) == "true");
  CHECK(write(c, nullptr, Value(Timestamp{0})) == "Thu Jan 01 00:00:00 UTC 1970");
  CHECK(write(c, nullptr, Value(Array{Value(int32_t{1}), Value("a")})) == R"([1,"a"])");
  std::string out;
  CHECK_FALSE(c.from_connect_data("t", nullptr, Value(), out));
  auto r = c.to_connect_data("t", std::string_view("abc"));
  CHECK(*r.schema == *schemas::string(true));
  CHECK(r.value == Value("abc"));
  CHECK(c.to_connect_data("t", std::nullopt).value.is_null());
  // The engine's fast paths give what the converter's own methods give.
  Value v("moved");
  CHECK(StringConverter::take_string(v, out));
  CHECK(out == "moved");
  Value n(int32_t{7});
  CHECK_FALSE(StringConverter::take_string(n, out));  // not a string: the engine falls back to from_connect_data
  SchemaPtr taken_schema;
  Value taken;
  c.take_connect_data("t", std::string("abc"), taken_schema, taken);
  CHECK(*taken_schema == *r.schema);
  CHECK(taken == r.value);
  c.take_connect_data("t", std::nullopt, taken_schema, taken);
  CHECK(taken.is_null());
  // The engine gives a record without key this schema itself (and a null key), without a call.
  CHECK(StringConverter::optional_schema() == taken_schema);
  CHECK(*StringConverter::optional_schema() == *c.to_connect_data("t", std::nullopt).schema);
  StringConverter latin;
  CHECK_THROWS_AS(latin.configure(cfg_for(string_converter_plugin(), {{"converter.encoding", "ISO-8859-1"}}), false),
                  config::ConfigError);
}

TEST_CASE("ByteArrayConverter", "[converter]") {
  ByteArrayConverter c;
  CHECK(write(c, schemas::bytes(), Value(Bytes{"ab"})) == "ab");
  CHECK(write(c, nullptr, Value(Bytes{"ab"})) == "ab");
  std::string out;
  CHECK_THROWS_WITH(c.from_connect_data("t", schemas::string(), Value("x"), out),
                    "Invalid schema type for ByteArrayConverter: STRING");
  CHECK_THROWS_AS(c.from_connect_data("t", nullptr, Value("x"), out), DataException);
  CHECK_FALSE(c.from_connect_data("t", schemas::bytes(true), Value(), out));
  auto r = c.to_connect_data("t", std::string_view("\x01\x02"));
  CHECK(r.value == Value(Bytes{"\x01\x02"}));
}

TEST_CASE("Values.parseString infers schemas", "[converter]") {
  auto p = [](std::string_view s) { return values::parse_string(s); };
  CHECK(p("42").value == Value(int8_t{42}));
  CHECK(p("300").value == Value(int16_t{300}));
  CHECK(p("70000").value == Value(int32_t{70000}));
  CHECK(p("5000000000").value == Value(int64_t{5000000000}));
  CHECK(p("1.5").value == Value(1.5f));
  CHECK(p("true").value == Value(true));
  CHECK(p("true}").value == Value("true}"));
  CHECK(p("hello world").value == Value("hello world"));
  CHECK(p("").value == Value(""));
  CHECK(p("null").value.is_null());
  auto arr = p("[1,2,300]");
  REQUIRE(arr.schema);
  CHECK(arr.schema->type == Type::Array);
  CHECK(arr.schema->value_schema->type == Type::Int16);
  CHECK(arr.value == Value(Array{Value(int16_t{1}), Value(int16_t{2}), Value(int16_t{300})}));
  auto map = p(R"({"a":1,"b":2})");
  REQUIRE(map.schema);
  CHECK(map.schema->type == Type::Map);
  CHECK(map.value == Value(MapEntries{{Value("a"), Value(int8_t{1})}, {Value("b"), Value(int8_t{2})}}));
  CHECK(p("[1,").value == Value("[1,"));
  auto date = p("2024-03-15");
  CHECK(schemas::is_logical(*date.schema, schemas::kDateName));
  CHECK(date.value == Value(Timestamp{19797LL * 86400000}));
  auto ts = p("2024-03-15T10:20:30.123Z");
  CHECK(schemas::is_logical(*ts.schema, schemas::kTimestampName));
  CHECK(ts.value == Value(Timestamp{19797LL * 86400000 + 37230123}));
  auto time = p("10:20:30.123Z");
  CHECK(schemas::is_logical(*time.schema, schemas::kTimeName));
  CHECK(time.value == Value(Timestamp{37230123}));
}

// parse_string decides plain integers and plain words without its parser:
// the results must be the parser's, at every integer width and edge.
TEST_CASE("Values.parseString gives plain integers and words the parser's types", "[converter]") {
  auto p = [](std::string_view s) { return values::parse_string(s); };
  CHECK(p("0").value == Value(int8_t{0}));
  CHECK(p("-0").value == Value(int8_t{0}));
  CHECK(p("007").value == Value(int8_t{7}));
  CHECK(p("127").value == Value(int8_t{127}));
  CHECK(p("-128").value == Value(int8_t{-128}));
  CHECK(p("128").value == Value(int16_t{128}));
  CHECK(p("-129").value == Value(int16_t{-129}));
  CHECK(p("32768").value == Value(int32_t{32768}));
  CHECK(p("2147483648").value == Value(int64_t{2147483648}));
  CHECK(p("123456789012345678").value == Value(int64_t{123456789012345678}));
  CHECK(p("9223372036854775807").value == Value(int64_t{9223372036854775807}));  // 19 digits: the parser's path
  CHECK(p("+5").value == Value(int8_t{5}));
  CHECK(p("-").value == Value("-"));
  CHECK(p("1e3").value == Value(int16_t{1000}));
  CHECK(p("/var/log/app.log").value == Value("/var/log/app.log"));
  CHECK(p("app.log").schema->type == Type::String);
  CHECK(p(" true ").value == Value(true));
  CHECK(p("True").value == Value("True"));
  CHECK(p("a\\b").value == Value("a\\b"));
}

TEST_CASE("SimpleHeaderConverter writes Values strings and reads them back", "[converter]") {
  SimpleHeaderConverter h;
  std::string out;
  REQUIRE(h.from_connect_header("t", "k", nullptr, Value(MapEntries{{Value("a"), Value("x\"y")}}), out));
  CHECK(out == R"({"a":"x\"y"})");
  REQUIRE(h.from_connect_header("t", "k", schemas::timestamp().build(), Value(Timestamp{19797LL * 86400000 + 1}), out));
  CHECK(out == "2024-03-15T00:00:00.001Z");
  CHECK_FALSE(h.from_connect_header("t", "k", nullptr, Value(), out));
  auto r = h.to_connect_header("t", "k", std::string_view("42"));
  CHECK(r.value == Value(int8_t{42}));
  CHECK(h.to_connect_header("t", "k", std::nullopt).value.is_null());
}

TEST_CASE("converters are registered and usable as header converters", "[converter]") {
  PluginRegistry reg;
  register_converters(reg);
  CHECK(reg.find("org.apache.kafka.connect.json.JsonConverter", {PluginKind::Converter}) != nullptr);
  CHECK(reg.find("org.apache.kafka.connect.storage.StringConverter", {PluginKind::Converter}) != nullptr);
  CHECK(reg.find("org.apache.kafka.connect.converters.ByteArrayConverter", {PluginKind::Converter}) != nullptr);
  CHECK(reg.find("org.apache.kafka.connect.storage.SimpleHeaderConverter", {PluginKind::HeaderConverter}) != nullptr);
  auto h = header_converter_from(std::make_unique<StringConverter>());
  std::string out;
  REQUIRE(h->from_connect_header("t", "k", nullptr, Value(int32_t{7}), out));
  CHECK(out == "7");
  CHECK(h->to_connect_header("t", "k", std::string_view("7")).value == Value("7"));
}

// Kafka's strings are Java strings: bytes read by StringConverter and
// SimpleHeaderConverter are decoded with U+FFFD for malformed UTF-8, and
// JsonConverter never writes a string that its own reader (or Kafka's) refuses.
TEST_CASE("malformed UTF-8 becomes U+FFFD when read as text — JsonConverter always writes valid JSON",
          "[converter][utf8]") {
  const std::string bad = "caf\xC3(\xFF" "fin";  // a cut two-byte sequence, then a byte never valid
  const std::string replaced = "caf\xEF\xBF\xBD(\xEF\xBF\xBD" "fin";
  StringConverter s;
  s.configure(cfg_for(string_converter_plugin(), {}), false);
  CHECK(s.to_connect_data("t", std::string_view(bad)).value == Value(replaced));
  SchemaPtr taken_schema;
  Value taken;
  s.take_connect_data("t", std::string(bad), taken_schema, taken);  // the engine's path, moving the bytes
  CHECK(taken == Value(replaced));
  CHECK(s.to_connect_data("t", std::string_view("héllo")).value == Value("héllo"));  // valid text untouched

  SimpleHeaderConverter h;
  CHECK(h.to_connect_header("t", "h", std::string_view(bad)).value == Value(replaced));

  // A string holding the raw bytes (as a source may produce them), with and without schemas.
  for (const char* schemas_enable : {"true", "false"}) {
    auto c = json_conv({{"schemas.enable", schemas_enable}});
    std::string text = write(*c, schemas::string(), Value(bad));
    INFO(text);
    auto back = c->to_connect_data("t", std::string_view(text));  // would throw on invalid UTF-8
    CHECK(back.value == Value(replaced));
    auto map = write(*c, nullptr, Value(MapEntries{{Value(bad), Value(bad)}}));
    CHECK(c->to_connect_data("t", std::string_view(map)).value ==
          Value(MapEntries{{Value(replaced), Value(replaced)}}));
  }
  // Bytes that are not UTF-8 on the bus cannot be read as JSON (Kafka refuses them too): the error policy applies.
  CHECK_THROWS_AS(json_conv()->to_connect_data("t", std::string_view("{\"schema\":null,\"payload\":\"\xFF\"}")),
                  DataException);
}

// Kafka's JsonDeserializer: Jackson's ObjectNode keeps the last of duplicate
// keys (in the place of the first), and ALLOW_LEADING_ZEROS_FOR_NUMBERS reads 007 as 7.
TEST_CASE("JsonConverter keeps the last of duplicate keys and reads numbers with leading zeros as Kafka does",
          "[converter][json]") {
  auto plain = json_conv({{"schemas.enable", "false"}});
  auto read = [&](std::string_view text) { return plain->to_connect_data("t", text).value; };
  CHECK(read(R"({"a":1,"b":2,"a":3})") == Value(MapEntries{{Value("a"), Value(int64_t{3})}, {Value("b"), Value(int64_t{2})}}));
  CHECK(write(*plain, nullptr, read(R"({"a":1,"a":{"x":1,"x":2}})")) == R"({"a":{"x":2}})");
  CHECK(read("007") == Value(int64_t{7}));
  CHECK(read("-007") == Value(int64_t{-7}));
  CHECK(read("000") == Value(int64_t{0}));
  CHECK(read("00.5") == Value(0.5));
  CHECK(read(R"({"n":[007,010e1,-01],"s":"007 stays"})") ==
        Value(MapEntries{{Value("n"), Value(Array{Value(int64_t{7}), Value(100.0), Value(int64_t{-1})})},
                         {Value("s"), Value("007 stays")}}));
  CHECK_THROWS_AS(read("0x7"), DataException);
  CHECK_THROWS_AS(read("1.2.3"), DataException);

  auto enveloped = json_conv();
  // Struct fields, string-keyed maps, the schema and the envelope itself: the last duplicate counts.
  auto st = enveloped->to_connect_data(
      "t", std::string_view(R"({"schema":{"type":"struct","fields":[{"field":"id","type":"int32"}]},)"
                            R"("payload":{"id":1,"id":02}})"));
  CHECK(st.value.as_struct().get("id") == Value(int32_t{2}));
  auto m = enveloped->to_connect_data(
      "t", std::string_view(R"({"schema":{"type":"map","keys":{"type":"string"},"values":{"type":"int32"}},)"
                            R"("payload":{"k":1,"j":5,"k":2}})"));
  CHECK(m.value == Value(MapEntries{{Value("k"), Value(int32_t{2})}, {Value("j"), Value(int32_t{5})}}));
  auto twice = enveloped->to_connect_data(
      "t", std::string_view(R"({"schema":{"type":"string"},"payload":"first","schema":{"type":"int64"},"payload":7})"));
  CHECK(twice.schema->type == Type::Int64);
  CHECK(twice.value == Value(int64_t{7}));
  auto opt = enveloped->to_connect_data("t", std::string_view(R"({"schema":{"type":"int32","optional":false,"optional":true},"payload":null})"));
  CHECK(opt.schema->optional);
  CHECK_THROWS_WITH(enveloped->to_connect_data("t", std::string_view(R"({"schema":null,"payload":1,"extra":2})")),
                    Catch::Contains("requires \"schema\" and \"payload\" fields"));
}

TEST_CASE("JsonConverter reuses the schema of an envelope whose schema bytes repeat, and only then", "[converter]") {
  auto c = json_conv();
  const std::string s1 = R"({"type":"struct","fields":[{"type":"int32","optional":false,"field":"a"}],"optional":false})";
  const std::string s2 = R"({"type":"struct","fields":[{"type":"int64","optional":false,"field":"a"}],"optional":false})";
  auto first = c->to_connect_data("t", R"({"schema":)" + s1 + R"(,"payload":{"a":1}})");
  auto again = c->to_connect_data("t", R"({"schema":)" + s1 + R"(,"payload":{"a":2}})");
  REQUIRE(first.schema);
  CHECK(again.schema.get() == first.schema.get());
  CHECK(again.value.as_struct().get("a") == Value(int32_t{2}));
  // Another schema after the same leading bytes is read, not taken from the last one.
  auto other = c->to_connect_data("t", R"({"schema":)" + s2 + R"(,"payload":{"a":3}})");
  CHECK(other.schema->fields[0].schema->type == Type::Int64);
  auto back = c->to_connect_data("t", R"({"schema":)" + s1 + R"(,"payload":{"a":4}})");
  CHECK(back.schema->fields[0].schema->type == Type::Int32);
  // A repeated "schema" field: the last one counts, as in Jackson, even when the first repeats.
  auto dup = c->to_connect_data("t", R"({"schema":)" + s1 + R"(,"schema":)" + s2 + R"(,"payload":{"a":5}})");
  CHECK(dup.schema->fields[0].schema->type == Type::Int64);
  // Spaces around the schema: the same schema by its text.
  auto spaced = c->to_connect_data("t", R"({ "schema" : )" + s1 + R"( , "payload":{"a":6}})");
  CHECK(spaced.schema.get() == first.schema.get());
}

// After an envelope, a message with the same schema bytes is read from its payload alone
// (JsonConverter::with_known_schema): whatever follows the schema, it must give what a converter
// that never saw the schema gives, value or error.
TEST_CASE("JsonConverter reading only the payload after a known schema gives what a full read gives", "[converter]") {
  const std::string s = R"({"type":"struct","fields":[{"type":"int32","optional":false,"field":"a"}],"optional":false})";
  const std::string head = R"({"schema":)" + s;
  const std::vector<std::string> tails = {
      R"(,"payload":{"a":2}})",         R"(,"payload":{"a":2}}  )" "\n",  R"(,"payload": {"a":2} })",
      R"(,"payload":{"a":02}})",        R"(,"payload":{"a":2},"payload":{"a":3}})",
      R"(,"payload":{"a":2},"x":1})",   R"(,"payload":{"a":2}}})",       R"(,"payload":})",
      R"(,"payload":{"a":2}])",         R"(,"payload":{"a":2})",         R"(,"payload":null})",
      R"(,"payload":{"a":"no"}})",      R"(,"payload":{"a":2}} x)",      R"(,"payload":1,2})",
      R"(,"payload":{"a":2,"b":1}})",   R"(,"payload":{"a":2}} })"};
  auto primed = json_conv();
  primed->to_connect_data("t", head + R"(,"payload":{"a":1}})");
  for (auto& tail : tails) {
    INFO(head + tail);
    auto fresh = json_conv();
    std::optional<SchemaAndValue> want, got;
    std::string want_error, got_error;
    try { want = fresh->to_connect_data("t", head + tail); } catch (const DataException& e) { want_error = e.what(); }
    try { got = primed->to_connect_data("t", head + tail); } catch (const DataException& e) { got_error = e.what(); }
    CHECK(got_error == want_error);
    REQUIRE(want.has_value() == got.has_value());
    if (want) {
      CHECK(got->value == want->value);
      CHECK(got->schema->fields[0].schema->type == want->schema->fields[0].schema->type);
    }
  }
  // The reading is of the payload only: a schema seen before is the same instance.
  auto a = primed->to_connect_data("t", head + R"(,"payload":{"a":7}})");
  auto b = primed->to_connect_data("t", head + R"(,"payload":{"a":8}})");
  CHECK(a.schema.get() == b.schema.get());
  CHECK(b.value.as_struct().get("a") == Value(int32_t{8}));
}

// Struct payloads are read by position when their members are the schema's fields in order, by name
// otherwise: every shape gives what Kafka's JsonConverter gives (a member per field by name, the last
// of duplicates, others ignored).
TEST_CASE("JsonConverter reads struct members in the schema's order or any other", "[converter]") {
  auto c = json_conv();
  const std::string head = R"({"schema":{"type":"struct","fields":[{"type":"int32","optional":true,"field":"a"},)"
                           R"({"type":"string","optional":true,"field":"b"}],"optional":false},"payload":)";
  auto read = [&](const std::string& payload) { return c->to_connect_data("t", head + payload + "}").value.as_struct(); };
  auto in_order = read(R"({"a":1,"b":"x"})");
  CHECK(in_order.get("a") == Value(int32_t{1}));
  CHECK(in_order.get("b") == Value("x"));
  auto reversed = read(R"({"b":"y","a":2})");
  CHECK(reversed.get("a") == Value(int32_t{2}));
  CHECK(reversed.get("b") == Value("y"));
  auto repeated = read(R"({"a":1,"a":3})");  // as many members as fields, but not the fields
  CHECK(repeated.get("a") == Value(int32_t{3}));
  CHECK(repeated.get("b").is_null());
  auto other = read(R"({"a":4,"c":"z"})");
  CHECK(other.get("a") == Value(int32_t{4}));
  CHECK(other.get("b").is_null());
  auto extra = read(R"({"a":5,"b":"w","c":1})");
  CHECK(extra.get("b") == Value("w"));
  CHECK_THROWS_WITH(read(R"({"a":"no","b":"v"})"), Catch::Contains("INT32"));
}
