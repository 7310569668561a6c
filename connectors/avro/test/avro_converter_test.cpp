// AvroConverter against the STAND-IN Schema Registry (test/servers/
// schema_registry_standin.py, written for these tests), with the bytes checked
// by outside implementations: @kafkajs/confluent-schema-registry and avsc (npm,
// installed by scripts/install-deps) decode what connectrun writes, and
// connectrun reads what @kafkajs/confluent-schema-registry writes.
#include <catch2/catch.hpp>
#include <simdjson.h>

#include <fmt/format.h>

#include "connectors/avro/avro_converter.h"
#include "connectors/avro/test/registry_test_helpers.h"
#include "servers/schema_registry_server.h"
#include "support.h"

using namespace connectrun;
using namespace connectrun::avro;
using testsupport::SchemaRegistryStandIn;
using namespace registrytest;

namespace {

std::unique_ptr<AvroConverter> converter(std::map<std::string, std::string> settings, bool is_key = false) {
  config::RawConfig raw;
  for (auto& [k, v] : settings) raw[k] = config::RawEntry{v, {}};
  config::Problems problems;
  auto values = config::parse(avro_converter_plugin().spec, raw, "", problems);
  REQUIRE(problems.empty());
  auto c = std::make_unique<AvroConverter>();
  c->configure(values, is_key);
  return c;
}

// Runs connectors/avro/test/avro_check.js (@kafkajs/confluent-schema-registry and avsc).
std::string node_check(const std::string& args) { return node_script("avro_check.js", args); }

// Runs connectors/avro/test/avro_check.py with Debian's interpreter and python3-avro (Apache Avro's own).
std::string python_avro(const std::string& args) {
  int status = 0;
  std::string out = testsupport::shell(
      fmt::format("/usr/bin/python3 {}/connectors/avro/test/avro_check.py {} 2>&1", CONNECTRUN_SOURCE_DIR, args), &status);
  INFO(out);
  REQUIRE(status == 0);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

SchemaPtr row_schema() {
  return SchemaBuilder::structure()
      .name("com.example.Row")
      .field("id", schemas::int64())
      .field("small", schemas::int16())
      .field("name", schemas::string(true))
      .field("score", schemas::float64())
      .field("ok", schemas::boolean())
      .field("raw", schemas::bytes())
      .field("amount", schemas::decimal(2).build())
      .field("day", schemas::date().build())
      .field("ts", schemas::timestamp().build())
      .field("tags", SchemaBuilder::array(schemas::string()).build())
      .field("attrs", SchemaBuilder::map(schemas::string(), schemas::int32()).build())
      .field("codes", SchemaBuilder::map(schemas::int32(), schemas::string()).build())
      .field("inner", SchemaBuilder::structure().name("com.example.Inner").field("x", schemas::int32()).build())
      .build();
}

Value row(const SchemaPtr& s, int64_t id) {
  auto st = StructValue::make(s);
  st->put("id", Value(id));
  st->put("small", Value(int16_t{-12}));
  st->put("name", id % 2 ? Value("odd") : Value());
  st->put("score", Value(0.5));
  st->put("ok", Value(true));
  st->put("raw", Value(Bytes{"\x01\x02"}));
  st->put("amount", Value(Decimal::from_string("-12.34")));
  st->put("day", Value(Timestamp{86400000LL * 3}));
  st->put("ts", Value(Timestamp{1700000000123}));
  st->put("tags", Value(Array{Value("a"), Value("b")}));
  st->put("attrs", Value(MapEntries{{Value("k"), Value(int32_t{1})}}));
  st->put("codes", Value(MapEntries{{Value(int32_t{7}), Value("seven")}}));
  auto inner = StructValue::make(s->field("inner")->schema);
  inner->put("x", Value(int32_t{99}));
  st->put("inner", Value(inner));
  return Value(st);
}

// Field by field: the schema read back carries the registry's version, which the written one has not.
void check_same_fields(const Value& got, const Value& want) {
  const StructValue& g = got.as_struct();
  const StructValue& w = want.as_struct();
  REQUIRE(g.values.size() == w.values.size());
  for (size_t i = 0; i < g.values.size(); ++i) {
    INFO("field " << w.schema->fields[i].name);
    CHECK(g.values[i] == w.values[i]);
  }
}

}  // namespace

TEST_CASE("AvroConverter: what connectrun writes, @kafkajs/confluent-schema-registry and avsc decode — the registry is asked once per schema") {
  SchemaRegistryStandIn registry;
  auto conv = converter({{"schema.registry.url", registry.url()}});
  auto s = row_schema();
  std::string bytes;
  for (int64_t i = 0; i < 50; ++i) REQUIRE(conv->from_connect_data("orders", s, row(s, i), bytes));
  CHECK(registry.requests() == 1);  // one registration for 50 records
  REQUIRE(conv->from_connect_data("orders", s, row(s, 51), bytes));
  CHECK(bytes.substr(0, 5) == std::string("\x00\x00\x00\x00\x01", 5));

  simdjson::dom::parser p;
  std::string out = node_check(fmt::format("decode {} {}", registry.url(), hex(bytes)));
  INFO(out);
  auto doc = p.parse(out).value();
  for (const char* who : {"kafkajs", "avsc"}) {
    INFO(who);
    auto v = doc[who];
    CHECK(int64_t(v["id"]) == 51);
    CHECK(int64_t(v["small"]) == -12);
    CHECK(std::string_view(v["name"]) == "odd");
    CHECK(double(v["score"]) == 0.5);
    CHECK(bool(v["ok"]));
    CHECK(std::string_view(v["raw"]["$bytes"]) == "0102");
    CHECK(std::string_view(v["amount"]["$bytes"]) == "fb2e");  // -1234 two's complement
    CHECK(int64_t(v["day"]) == 3);
    CHECK(int64_t(v["ts"]) == 1700000000123);
    CHECK(std::string_view(v["tags"].at(1)) == "b");
    CHECK(int64_t(v["attrs"]["k"]) == 1);
    CHECK(int64_t(v["codes"].at(0)["key"]) == 7);
    CHECK(std::string_view(v["codes"].at(0)["value"]) == "seven");
    CHECK(int64_t(v["inner"]["x"]) == 99);
  }

  // Read back by connectrun: the same values, the schema with the registry's version.
  SchemaAndValue back = conv->to_connect_data("orders", bytes);
  check_same_fields(back.value, row(s, 51));
  REQUIRE(back.schema);
  CHECK(back.schema->version == 1);
  CHECK(back.schema->name == "com.example.Row");
}

TEST_CASE("AvroConverter: reads what @kafkajs/confluent-schema-registry writes") {
  SchemaRegistryStandIn registry;
  const std::string schema =
      R"({"type":"record","name":"Reading","namespace":"sensors","fields":[{"name":"id","type":"long"},)"
      R"({"name":"where","type":["null","string"],"default":null},{"name":"level","type":{"type":"enum","name":"Level","symbols":["LOW","HIGH"]}},)"
      R"({"name":"at","type":{"type":"long","logicalType":"timestamp-millis"}},{"name":"vals","type":{"type":"map","values":"double"}},)"
      R"({"name":"either","type":["null","string","long"],"default":null}]})";
  std::string h = node_check(fmt::format("encode {} sensors-value {} {}", registry.url(), quote(schema),
                                         quote(R"({"id":12,"where":"roof","level":"HIGH","at":1700000000000,"vals":{"t":21.5},"either":77})")));
  auto conv = converter({{"schema.registry.url", registry.url()}});
  SchemaAndValue got = conv->to_connect_data("sensors", unhex(h));
  REQUIRE(got.schema);
  CHECK(got.schema->name == "sensors.Reading");
  const StructValue& st = got.value.as_struct();
  CHECK(st.get("id") == Value(int64_t{12}));
  CHECK(st.get("where") == Value("roof"));
  CHECK(st.get("level") == Value("HIGH"));
  CHECK(st.get("at") == Value(Timestamp{1700000000000}));
  CHECK(st.get("vals") == Value(MapEntries{{Value("t"), Value(21.5)}}));
  CHECK(got.schema->field("where")->schema->optional);
  // A union of several types is a Connect struct io.confluent.connect.avro.Union, one field per member.
  const Schema& either = *got.schema->field("either")->schema;
  CHECK(either.name == "io.confluent.connect.avro.Union");
  CHECK(either.optional);
  CHECK(st.get("either").as_struct().get("long") == Value(int64_t{77}));
  CHECK(st.get("either").as_struct().get("string").is_null());
  // Written back by connectrun: the same Avro body kafkajs wrote. The enum stays an enum only with
  // enhanced.avro.schema.support (as a string it would be an incompatible change, 40901).
  std::string again;
  CHECK_THROWS_WITH(conv->from_connect_data("sensors", got.schema, got.value, again), Catch::Contains("enum read as string"));
  auto enhanced = converter({{"schema.registry.url", registry.url()}, {"enhanced.avro.schema.support", "true"}});
  REQUIRE(enhanced->from_connect_data("sensors", got.schema, got.value, again));
  CHECK(hex(again).substr(10) == h.substr(10));
}

TEST_CASE("AvroConverter: key and value subjects follow the subject name strategies") {
  SchemaRegistryStandIn registry;
  auto s = row_schema();
  std::string bytes;
  converter({{"schema.registry.url", registry.url()}}, true)->from_connect_data("t", s, row(s, 1), bytes);
  converter({{"schema.registry.url", registry.url()}, {"value.subject.name.strategy", "RecordNameStrategy"}})
      ->from_connect_data("t", s, row(s, 1), bytes);
  converter({{"schema.registry.url", registry.url()},
             {"value.subject.name.strategy", "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy"}})
      ->from_connect_data("t", s, row(s, 1), bytes);
  for (const char* subject : {"t-key", "com.example.Row", "t-com.example.Row"}) {
    INFO(subject);
    CHECK(testsupport::shell(fmt::format("curl -s {}/subjects/{}/versions/latest", registry.url(), subject))
              .find("\"version\": 1") != std::string::npos);
  }
}

TEST_CASE("AvroConverter: basic auth with USER_INFO, and a 401 says which keys to set") {
  SchemaRegistryStandIn registry("alice:secret");
  auto s = row_schema();
  std::string bytes;
  auto good = converter({{"schema.registry.url", registry.url()},
                         {"basic.auth.credentials.source", "USER_INFO"},
                         {"basic.auth.user.info", "alice:secret"}});
  CHECK(good->from_connect_data("t", s, row(s, 1), bytes));
  auto none = converter({{"schema.registry.url", registry.url()}});
  CHECK_THROWS_WITH(none->from_connect_data("t", s, row(s, 1), bytes),
                    Catch::Contains("401 Unauthorized") && Catch::Contains("basic.auth.user.info") &&
                        Catch::Contains(registry.url()));
}

TEST_CASE("AvroConverter: credentials in the URL (basic.auth.credentials.source=URL), and a 403 names the subject") {
  SchemaRegistryStandIn registry("alice:secret", "t-value");
  auto s = row_schema();
  std::string bytes;
  std::string url = fmt::format("http://alice:secret@127.0.0.1:{}", registry.port());
  CHECK(converter({{"schema.registry.url", url}})->from_connect_data("other", s, row(s, 1), bytes));
  CHECK_THROWS_WITH(converter({{"schema.registry.url", url}})->from_connect_data("t", s, row(s, 1), bytes),
                    Catch::Contains("403 Forbidden") && Catch::Contains("subject \"t-value\"") &&
                        !Catch::Contains("secret"));  // the URL's credentials are not shown
}

TEST_CASE("AvroConverter: an https registry trusted through a PEM trust store, JKS refused with what to do") {
  testsupport::TempDir dir;
  int status = -1;
  std::string out = testsupport::shell(
      fmt::format("openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 "
                  "-addext subjectAltName=IP:127.0.0.1 -keyout {0}/reg.key -out {0}/reg.crt 2>&1",
                  dir.path()),
      &status);
  INFO(out);
  REQUIRE(status == 0);
  SchemaRegistryStandIn registry("", "", dir / "reg.crt", dir / "reg.key");
  auto s = row_schema();
  std::string bytes;
  auto trusted = converter({{"schema.registry.url", registry.url()},
                            {"schema.registry.ssl.truststore.location", dir / "reg.crt"},
                            {"schema.registry.ssl.truststore.type", "PEM"},
                            {"max.retries", "0"}});
  REQUIRE(trusted->from_connect_data("t", s, row(s, 1), bytes));
  check_same_fields(trusted->to_connect_data("t", bytes).value, row(s, 1));
  auto untrusted = converter({{"schema.registry.url", registry.url()}, {"max.retries", "0"}});
  CHECK_THROWS_WITH(untrusted->from_connect_data("t", s, row(s, 1), bytes),
                    Catch::Contains("could not be reached") && Catch::Contains("schema.registry.ssl.truststore.location"));
  config::RawConfig raw;
  raw["schema.registry.url"] = config::RawEntry{registry.url(), {}};
  raw["schema.registry.ssl.truststore.location"] = config::RawEntry{dir / "reg.crt", {}};
  config::Problems problems;
  auto values = config::parse(avro_converter_plugin().spec, raw, "", problems);
  AvroConverter jks;
  CHECK_THROWS_WITH(jks.configure(values, false), Catch::Contains("JKS is not supported") && Catch::Contains("PEM"));
}

TEST_CASE("AvroConverter: a bearer token (bearer.auth.token) is sent as Authorization: Bearer") {
  SchemaRegistryStandIn registry("Bearer t0ken");
  auto s = row_schema();
  std::string bytes;
  CHECK(converter({{"schema.registry.url", registry.url()}, {"bearer.auth.token", "t0ken"}})
            ->from_connect_data("t", s, row(s, 1), bytes));
  CHECK_THROWS_WITH(converter({{"schema.registry.url", registry.url()}, {"bearer.auth.token", "wrong"}})
                        ->from_connect_data("t", s, row(s, 1), bytes),
                    Catch::Contains("401 Unauthorized"));
}

TEST_CASE("Schema Registry client: an invalid schema (42201) names the subject, an unknown id says 40403") {
  SchemaRegistryStandIn registry;
  RegistryOptions o;
  o.urls = {registry.url()};
  SchemaRegistryClient client(o);
  CHECK_THROWS_WITH(client.register_schema("bad-value", "{not avro"),
                    Catch::Contains("rejected the schema for subject \"bad-value\" as invalid (42201)"));
  try {
    client.schema_by_id(42);
    FAIL("no error");
  } catch (const RegistryError& e) {
    CHECK(e.status() == 404);
    CHECK(e.code() == 40403);
  }
  CHECK(client.register_schema("ok-value", "\"string\"") == 1);
  CHECK(client.register_schema("ok-value", "\"string\"") == 1);
  CHECK(client.requests() == 3);  // the second registration came from the cache
}

TEST_CASE("AvroConverter: registry down — retries, then an error naming the URL") {
  int port = testsupport::free_local_port();
  auto conv = converter({{"schema.registry.url", fmt::format("http://127.0.0.1:{}", port)},
                         {"max.retries", "2"},
                         {"retries.wait.ms", "1"}});
  auto s = row_schema();
  std::string bytes;
  CHECK_THROWS_WITH(conv->from_connect_data("t", s, row(s, 1), bytes),
                    Catch::Contains(fmt::format("http://127.0.0.1:{}", port)) && Catch::Contains("after 3 attempts") &&
                        Catch::Contains("check schema.registry.url"));
  CHECK(conv->registry().requests() == 3);
}

TEST_CASE("AvroConverter: a second URL is tried when the first is down") {
  SchemaRegistryStandIn registry;
  int port = testsupport::free_local_port();
  auto conv = converter({{"schema.registry.url", fmt::format("http://127.0.0.1:{},{}", port, registry.url())}});
  auto s = row_schema();
  std::string bytes;
  CHECK(conv->from_connect_data("t", s, row(s, 1), bytes));
  check_same_fields(conv->to_connect_data("t", bytes).value, row(s, 1));
}

TEST_CASE("AvroConverter: an incompatible schema (40901) names the subject and the field") {
  SchemaRegistryStandIn registry;
  auto conv = converter({{"schema.registry.url", registry.url()}});
  auto v1 = SchemaBuilder::structure().name("r.R").field("a", schemas::int32()).build();
  auto v2 = SchemaBuilder::structure().name("r.R").field("a", schemas::int32()).field("b", schemas::string()).build();
  auto v3 = SchemaBuilder::structure().name("r.R").field("a", schemas::int32()).field("c", schemas::string(true)).build();
  std::string bytes;
  auto st = StructValue::make(v1);
  st->put("a", Value(int32_t{1}));
  CHECK(conv->from_connect_data("t", v1, Value(st), bytes));
  auto st2 = StructValue::make(v2);
  st2->put("a", Value(int32_t{1}));
  st2->put("b", Value("x"));
  CHECK_THROWS_WITH(conv->from_connect_data("t", v2, Value(st2), bytes),
                    Catch::Contains("incompatible") && Catch::Contains("\"t-value\"") && Catch::Contains("40901") &&
                        Catch::Contains("'b'"));
  auto st3 = StructValue::make(v3);  // an optional field (default null) is a compatible change
  st3->put("a", Value(int32_t{1}));
  CHECK(conv->from_connect_data("t", v3, Value(st3), bytes));
}

TEST_CASE("AvroConverter: bytes without the magic byte, or with an unknown schema id, name the topic") {
  SchemaRegistryStandIn registry;
  auto conv = converter({{"schema.registry.url", registry.url()}});
  CHECK_THROWS_WITH(conv->to_connect_data("events", std::string_view("{\"a\":1}")),
                    Catch::Contains("topic events") && Catch::Contains("Unknown magic byte") &&
                        Catch::Contains("value.converter"));
  CHECK_THROWS_WITH(conv->to_connect_data("events", std::string_view("\x00\x00\x00\x00\x63\x02", 6)),
                    Catch::Contains("topic events") && Catch::Contains("schema id 99") && Catch::Contains("40403"));
  CHECK(!conv->to_connect_data("events", std::nullopt).schema);
}

TEST_CASE("AvroConverter: auto.register.schemas=false looks the schema up, use.latest.version writes with the latest") {
  SchemaRegistryStandIn registry;
  auto s = row_schema();
  std::string bytes;
  auto lookup_only = converter({{"schema.registry.url", registry.url()}, {"auto.register.schemas", "false"}});
  CHECK_THROWS_WITH(lookup_only->from_connect_data("t", s, row(s, 1), bytes),
                    Catch::Contains("not registered under subject \"t-value\"") && Catch::Contains("auto.register.schemas"));
  converter({{"schema.registry.url", registry.url()}})->from_connect_data("t", s, row(s, 1), bytes);
  auto fresh = converter({{"schema.registry.url", registry.url()}, {"auto.register.schemas", "false"}});
  std::string again;
  CHECK(fresh->from_connect_data("t", s, row(s, 1), again));
  CHECK(again == bytes);

  // The latest schema widens `a` to long and has a doc: the record (a int32) is written with its id and types.
  auto v1 = SchemaBuilder::structure().name("r.R").field("a", schemas::int32()).field("b", schemas::string()).build();
  const std::string latest =
      R"({"type":"record","name":"R","namespace":"r","fields":[{"name":"a","type":"long"},{"name":"b","type":"string","doc":"d"}]})";
  REQUIRE(testsupport::shell(fmt::format("curl -s -X POST -H 'Content-Type: application/vnd.schemaregistry.v1+json' "
                                         "--data {} {}/subjects/w-value/versions",
                                         quote(fmt::format(R"({{"schema":{}}})", fmt::format("\"{}\"", [&] {
                                           std::string e;
                                           for (char c : latest) e += c == '"' ? std::string("\\\"") : std::string(1, c);
                                           return e;
                                         }()))),
                                         registry.url()))
              .find("\"id\"") != std::string::npos);
  auto st = StructValue::make(v1);
  st->put("a", Value(int32_t{5}));
  st->put("b", Value("x"));
  auto use_latest = converter({{"schema.registry.url", registry.url()},
                               {"auto.register.schemas", "false"},
                               {"use.latest.version", "true"}});
  REQUIRE(use_latest->from_connect_data("w", v1, Value(st), again));
  CHECK(again == std::string("\x00\x00\x00\x00\x02\x0a\x02x", 8));  // id 2, long 5, "x"
  check_same_fields(use_latest->to_connect_data("w", again).value, [&] {
    auto want = StructValue::make(SchemaBuilder::structure().name("r.R").field("a", schemas::int64()).field("b", schemas::string()).build());
    want->put("a", Value(int64_t{5}));
    want->put("b", Value("x"));
    return Value(want);
  }());
  auto swapped = SchemaBuilder::structure().name("r.R").field("b", schemas::string()).field("a", schemas::int32()).build();
  auto st3 = StructValue::make(swapped);
  st3->put("b", Value("x"));
  st3->put("a", Value(int32_t{5}));
  CHECK_THROWS_WITH(use_latest->from_connect_data("w", swapped, Value(st3), again),
                    Catch::Contains("field 0 of r.R is a in the latest") && Catch::Contains("latest.compatibility.strict"));
}

TEST_CASE("AvroConverter: schemaless data travels in Confluent's Anything record, which kafkajs decodes") {
  SchemaRegistryStandIn registry;
  auto conv = converter({{"schema.registry.url", registry.url()}});
  Value v(MapEntries{{Value("n"), Value(int64_t{5})},
                     {Value("list"), Value(Array{Value("x"), Value(), Value(true)})},
                     {Value(int32_t{3}), Value(2.5)}});
  std::string bytes;
  REQUIRE(conv->from_connect_data("loose", nullptr, v, bytes));
  SchemaAndValue back = conv->to_connect_data("loose", bytes);
  CHECK(!back.schema);
  CHECK(back.value == v);
  std::string out = node_check(fmt::format("decode {} {}", registry.url(), hex(bytes)));
  // kafkajs: {"map":[{"key":{"string":"n",…},"value":{"long":5,…}},…], …}
  CHECK(out.find(R"("key":{"boolean":null,"bytes":null,"double":null,"float":null,"int":null,"long":null,"string":"n")") !=
        std::string::npos);
  CHECK(out.find(R"("long":5)") != std::string::npos);
  CHECK(out.find(R"("double":2.5)") != std::string::npos);
  CHECK(testsupport::shell(fmt::format("curl -s {}/schemas/ids/1", registry.url())).find("io.confluent.connect.avro") !=
        std::string::npos);
  CHECK_THROWS_WITH(conv->from_connect_data("loose", nullptr, Value(Decimal::from_string("1.5")), bytes),
                    Catch::Contains("schemaless"));
}

TEST_CASE("AvroConverter: Apache Avro's Python implementation reads what connectrun writes, and the other way round") {
  SchemaRegistryStandIn registry;
  auto conv = converter({{"schema.registry.url", registry.url()}});
  auto s = row_schema();
  std::string bytes;
  REQUIRE(conv->from_connect_data("orders", s, row(s, 1), bytes));
  std::string schema = registered_schema(registry, 1);
  simdjson::dom::parser p;
  std::string out = python_avro(fmt::format("decode {} {}", quote(schema), hex(bytes.substr(5))));
  INFO(out);
  auto v = p.parse(out).value();
  CHECK(int64_t(v["id"]) == 1);
  CHECK(int64_t(v["small"]) == -12);
  CHECK(std::string_view(v["name"]) == "odd");
  CHECK(std::string_view(v["amount"]) == "-12.34");  // read through Avro's decimal logical type
  CHECK(std::string_view(v["day"]) == "1970-01-04");
  CHECK(std::string_view(v["ts"]).rfind("2023-11-14 22:13:20.123", 0) == 0);
  CHECK(int64_t(v["codes"].at(0)["key"]) == 7);
  CHECK(int64_t(v["inner"]["x"]) == 99);

  // The other way: a body Apache Avro writes with the schema connectrun registered, read by connectrun.
  auto plain = SchemaBuilder::structure()
                   .name("p.Plain")
                   .field("b", schemas::int8())
                   .field("s", schemas::string(true))
                   .field("f", schemas::float32())
                   .field("raw", schemas::bytes())
                   .field("m", SchemaBuilder::map(schemas::int32(), schemas::string()).build())
                   .field("a", SchemaBuilder::array(schemas::int64(true)).build())
                   .build();
  auto st = StructValue::make(plain);
  st->put("b", Value(int8_t{-3}));
  st->put("s", Value("z"));
  st->put("f", Value(0.25f));
  st->put("raw", Value(Bytes{"\x7f"}));
  st->put("m", Value(MapEntries{{Value(int32_t{1}), Value("one")}}));
  st->put("a", Value(Array{Value(int64_t{9}), Value()}));
  REQUIRE(conv->from_connect_data("plain", plain, Value(st), bytes));
  std::string body = python_avro(fmt::format(
      "encode {} {}", quote(registered_schema(registry, 2)),
      quote(R"({"b":-3,"s":"z","f":0.25,"raw":{"$bytes":"7f"},"m":[{"key":1,"value":"one"}],"a":[9,null]})")));
  CHECK(body == hex(bytes.substr(5)));
  check_same_fields(conv->to_connect_data("plain", std::string("\x00\x00\x00\x00\x02", 5) + unhex(body)).value, Value(st));
}
