// JsonSchemaConverter against the STAND-IN Schema Registry (test/servers/
// schema_registry_standin.py, written for these tests), with the messages
// checked by an outside implementation: @kafkajs/confluent-schema-registry
// (npm, installed by scripts/install-deps) decodes what connectrun writes —
// validating each payload against the registered JSON Schema with Ajv — and
// connectrun reads what it writes.
#include <catch2/catch.hpp>
#include <simdjson.h>

#include <fmt/format.h>

#include "connectors/avro/avro_converter.h"
#include "connectors/avro/json_schema_converter.h"
#include "connectors/avro/test/registry_test_helpers.h"
#include "servers/schema_registry_server.h"
#include "support.h"

using namespace connectrun;
using namespace connectrun::avro;
using namespace registrytest;
using testsupport::SchemaRegistryStandIn;

namespace {

config::ConfigValues settings_of(std::map<std::string, std::string> settings, config::Problems& problems) {
  config::RawConfig raw;
  for (auto& [k, v] : settings) raw[k] = config::RawEntry{v, {}};
  return config::parse(json_schema_converter_plugin().spec, raw, "", problems);
}

std::unique_ptr<JsonSchemaConverter> converter(std::map<std::string, std::string> settings, bool is_key = false) {
  config::Problems problems;
  auto values = settings_of(std::move(settings), problems);
  REQUIRE(problems.empty());
  auto c = std::make_unique<JsonSchemaConverter>();
  c->configure(values, is_key);
  return c;
}

std::string js_check(const std::string& args) { return node_script("json_schema_check.js", args); }

SchemaPtr order_schema() {
  return SchemaBuilder::structure()
      .name("shop.Order")
      .field("id", schemas::int64())
      .field("qty", schemas::int16())
      .field("note", schemas::string(true))
      .field("price", schemas::decimal(2).build())
      .field("at", schemas::timestamp().build())
      .field("raw", schemas::bytes())
      .field("tags", SchemaBuilder::array(schemas::string()).build())
      .field("codes", SchemaBuilder::map(schemas::int32(), schemas::string()).build())
      .field("attrs", SchemaBuilder::map(schemas::string(), schemas::float64()).build())
      .build();
}

Value order(const SchemaPtr& s, int64_t id) {
  auto st = StructValue::make(s);
  st->put("id", Value(id));
  st->put("qty", Value(int16_t{3}));
  st->put("note", id % 2 ? Value("gift") : Value());
  st->put("price", Value(Decimal::from_string("19.99")));
  st->put("at", Value(Timestamp{1700000000123}));
  st->put("raw", Value(Bytes{std::string("\xff\x00", 2)}));
  st->put("tags", Value(Array{Value("a")}));
  st->put("codes", Value(MapEntries{{Value(int32_t{7}), Value("seven")}}));
  st->put("attrs", Value(MapEntries{{Value("w"), Value(2.5)}}));
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

TEST_CASE("JsonSchemaConverter: the wire format byte for byte, registered as schemaType JSON, asked once per schema") {
  SchemaRegistryStandIn registry;
  auto conv = converter({{"schema.registry.url", registry.url()}});
  auto s = order_schema();
  std::string bytes;
  for (int64_t i = 0; i < 20; ++i) REQUIRE(conv->from_connect_data("orders", s, order(s, i), bytes));
  CHECK(registry.requests() == 1);
  REQUIRE(conv->from_connect_data("orders", s, order(s, 21), bytes));
  CHECK(bytes == std::string("\x00\x00\x00\x00\x01", 5) +
                     R"({"id":21,"qty":3,"note":"gift","price":"B88=","at":1700000000123,"raw":"/wA=","tags":["a"],)"
                     R"("codes":[{"key":7,"value":"seven"}],"attrs":{"w":2.5}})");

  SchemaAndValue back = conv->to_connect_data("orders", bytes);
  CHECK(registry.requests() == 2);  // the id was known from registering; one lookup for the version
  REQUIRE(back.schema);
  CHECK(back.schema->version == 1);  // the registry's version under orders-value
  CHECK(*back.schema->name == "shop.Order");
  check_same_fields(back.value, order(s, 21));

  std::string body = testsupport::shell(fmt::format("curl -s {}/schemas/ids/1", registry.url()));
  CHECK(body.find(R"("schemaType": "JSON")") != std::string::npos);
  CHECK(registered_schema(registry, 1) == json_schema_from_connect(*s, JsonSchemaDataOptions{}));
}

TEST_CASE("JsonSchemaConverter: what connectrun writes, @kafkajs/confluent-schema-registry decodes and Ajv validates") {
  SchemaRegistryStandIn registry;
  auto conv = converter({{"schema.registry.url", registry.url()}});
  auto s = order_schema();
  std::string bytes;
  REQUIRE(conv->from_connect_data("orders", s, order(s, 1), bytes));
  std::string out = js_check(fmt::format("decode {} {}", registry.url(), hex(bytes)));
  simdjson::dom::parser p;
  auto doc = p.parse(out).value();
  CHECK(int64_t(doc["id"]) == 1);
  auto v = doc["kafkajs"];
  CHECK(int64_t(v["id"]) == 1);
  CHECK(std::string_view(v["note"]) == "gift");
  CHECK(std::string_view(v["price"]) == "B88=");
  CHECK(int64_t(v["codes"].at(0)["key"]) == 7);
  CHECK(double(v["attrs"]["w"]) == 2.5);
  // An optional field's null passes the oneOf [null, string] in Ajv too.
  REQUIRE(conv->from_connect_data("orders", s, order(s, 2), bytes));
  CHECK(js_check(fmt::format("decode {} {}", registry.url(), hex(bytes))).find(R"("note":null)") != std::string::npos);
}

TEST_CASE("JsonSchemaConverter: reads what @kafkajs/confluent-schema-registry writes with its own JSON Schema") {
  SchemaRegistryStandIn registry;
  const std::string schema =
      R"({"type":"object","title":"sensors.Reading","properties":{"id":{"type":"integer"},"where":{"type":["string","null"]},)"
      R"("level":{"enum":["LOW","HIGH"]},"vals":{"type":"array","items":{"type":"number"}}},"required":["id"]})";
  std::string h = js_check(fmt::format("encode {} sensors-value {} {}", registry.url(), quote(schema),
                                       quote(R"({"id":12,"where":"roof","level":"HIGH","vals":[21.5,3]})")));
  CHECK(h.substr(0, 10) == "0000000001");
  auto conv = converter({{"schema.registry.url", registry.url()}, {"use.optional.for.nonrequired", "true"}});
  SchemaAndValue got = conv->to_connect_data("sensors", unhex(h));
  REQUIRE(got.schema);
  CHECK(*got.schema->name == "sensors.Reading");
  CHECK(got.schema->version == 1);
  const StructValue& st = got.value.as_struct();
  CHECK(st.get("id") == Value(int64_t{12}));
  CHECK(st.get("where") == Value("roof"));
  CHECK(st.get("level") == Value("HIGH"));
  CHECK(st.get("vals") == Value(Array{Value(21.5), Value(3.0)}));
  CHECK(got.schema->field("where")->schema->optional);
  CHECK(got.schema->field("vals")->schema->optional);  // not required
  CHECK(!got.schema->field("id")->schema->optional);
}

TEST_CASE("JsonSchemaConverter: null values — tombstones, and Confluent's \"null\" document for an optional schema") {
  SchemaRegistryStandIn registry;
  auto conv = converter({{"schema.registry.url", registry.url()}});
  std::string bytes = "x";
  CHECK(!conv->from_connect_data("t", nullptr, Value(), bytes));
  CHECK(bytes.empty());
  CHECK(!conv->from_connect_data("t", order_schema(), Value(), bytes));
  CHECK(registry.requests() == 0);  // nothing to register for a null message
  auto optional = SchemaBuilder::structure().name("o.O").optional().field("a", schemas::int32()).build();
  REQUIRE(conv->from_connect_data("t", optional, Value(), bytes));
  CHECK(bytes == std::string("\x00\x00\x00\x00\x01", 5) + "null");
  SchemaAndValue back = conv->to_connect_data("t", bytes);
  CHECK(back.value.is_null());
  CHECK(back.schema->optional);
  CHECK(!conv->to_connect_data("t", std::nullopt).schema);
}

TEST_CASE("JsonSchemaConverter: schemaless data is refused, as Confluent's converter fails it") {
  SchemaRegistryStandIn registry;
  auto conv = converter({{"schema.registry.url", registry.url()}});
  std::string bytes;
  CHECK_THROWS_WITH(conv->from_connect_data("loose", nullptr, Value(MapEntries{{Value("a"), Value(int64_t{1})}}), bytes),
                    Catch::Contains("cannot write schemaless data (topic loose)") &&
                        Catch::Contains("schemas.enable=false as the value.converter"));
}

TEST_CASE("JsonSchemaConverter: subject name strategies, and RecordNameStrategy needs a named schema") {
  SchemaRegistryStandIn registry;
  auto s = order_schema();
  std::string bytes;
  converter({{"schema.registry.url", registry.url()}}, true)->from_connect_data("t", s, order(s, 1), bytes);
  converter({{"schema.registry.url", registry.url()}, {"value.subject.name.strategy", "RecordNameStrategy"}})
      ->from_connect_data("t", s, order(s, 1), bytes);
  converter({{"schema.registry.url", registry.url()},
             {"value.subject.name.strategy", "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy"}})
      ->from_connect_data("t", s, order(s, 1), bytes);
  for (const char* subject : {"t-key", "shop.Order", "t-shop.Order"}) {
    INFO(subject);
    CHECK(testsupport::shell(fmt::format("curl -s {}/subjects/{}/versions/latest", registry.url(), subject))
              .find("\"version\": 1") != std::string::npos);
  }
  auto unnamed = SchemaBuilder::structure().field("a", schemas::int32()).build();
  auto st = StructValue::make(unnamed);
  st->put("a", Value(int32_t{1}));
  CHECK_THROWS_WITH(converter({{"schema.registry.url", registry.url()}, {"value.subject.name.strategy", "RecordNameStrategy"}})
                        ->from_connect_data("t", unnamed, Value(st), bytes),
                    Catch::Contains("has none") && Catch::Contains("TopicNameStrategy"));
}

TEST_CASE("JsonSchemaConverter: auto.register.schemas=false looks the schema up, use.latest.version writes with the latest id") {
  SchemaRegistryStandIn registry;
  auto s = order_schema();
  std::string bytes, again;
  CHECK_THROWS_WITH(converter({{"schema.registry.url", registry.url()}, {"auto.register.schemas", "false"}})
                        ->from_connect_data("t", s, order(s, 1), bytes),
                    Catch::Contains("not registered under subject \"t-value\""));
  converter({{"schema.registry.url", registry.url()}})->from_connect_data("t", s, order(s, 1), bytes);
  CHECK(converter({{"schema.registry.url", registry.url()}, {"auto.register.schemas", "false"}})
            ->from_connect_data("t", s, order(s, 1), again));
  CHECK(again == bytes);
  // The latest is a wider schema (one more optional field): the record is written with its id.
  auto wider = SchemaBuilder::from(*s).field("extra", schemas::string(true)).build();
  auto wide = StructValue::make(wider);
  for (auto& f : s->fields) wide->values[f.index] = order(s, 1).as_struct().values[f.index];
  converter({{"schema.registry.url", registry.url()}})->from_connect_data("t", wider, Value(wide), again);
  auto latest = converter({{"schema.registry.url", registry.url()},
                           {"auto.register.schemas", "false"},
                           {"use.latest.version", "true"}});
  REQUIRE(latest->from_connect_data("t", s, order(s, 1), again));
  CHECK(again.substr(0, 5) == std::string("\x00\x00\x00\x00\x02", 5));
  CHECK(again.substr(5) == bytes.substr(5));
  auto other = SchemaBuilder::structure().name("shop.Order").field("id", schemas::string()).build();
  auto o = StructValue::make(other);
  o->put("id", Value("x"));
  CHECK_THROWS_WITH(latest->from_connect_data("t", other, Value(o), again),
                    Catch::Contains("field id is int64 in the latest, string in the record") &&
                        Catch::Contains("latest.compatibility.strict=false"));
}

TEST_CASE("JsonSchemaConverter: bytes without the magic byte, an unknown schema id, an Avro schema id") {
  SchemaRegistryStandIn registry;
  auto conv = converter({{"schema.registry.url", registry.url()}});
  CHECK_THROWS_WITH(conv->to_connect_data("events", std::string_view(R"({"a":1})")),
                    Catch::Contains("topic events") && Catch::Contains("Unknown magic byte") &&
                        Catch::Contains("value.converter"));
  CHECK_THROWS_WITH(conv->to_connect_data("events", std::string_view("\x00\x00\x00\x00\x63{}", 7)),
                    Catch::Contains("topic events") && Catch::Contains("schema id 99") && Catch::Contains("40403"));
  RegistryOptions o;
  o.urls = {registry.url()};
  SchemaRegistryClient avro_client(o);
  int32_t avro_id = avro_client.register_schema("events-value", R"("string")");
  std::string avro_message;
  append_wire_header(avro_message, avro_id);
  avro_message += "\x02x";
  CHECK_THROWS_WITH(conv->to_connect_data("events", avro_message),
                    Catch::Contains("schema id 1 is registered as schemaType AVRO, not JSON") && Catch::Contains("AvroConverter"));
  // And the other way: AvroConverter given a JSON Schema's id.
  auto s = SchemaBuilder::structure().name("e.E").field("a", schemas::int32()).build();
  auto st = StructValue::make(s);
  st->put("a", Value(int32_t{1}));
  std::string json_message;
  REQUIRE(converter({{"schema.registry.url", registry.url()}})->from_connect_data("other", s, Value(st), json_message));
  AvroConverter avro;
  config::Problems problems;
  config::RawConfig raw;
  raw["schema.registry.url"] = config::RawEntry{registry.url(), {}};
  avro.configure(config::parse(avro_converter_plugin().spec, raw, "", problems), false);
  CHECK_THROWS_WITH(avro.to_connect_data("other", json_message),
                    Catch::Contains("to Avro: schema id 2 is registered as schemaType JSON, not AVRO") && Catch::Contains("JsonSchemaConverter"));
}

TEST_CASE("JsonSchemaConverter: a payload that does not fit its schema, or is not JSON, names topic and schema id") {
  SchemaRegistryStandIn registry;
  auto conv = converter({{"schema.registry.url", registry.url()}});
  auto s = order_schema();
  std::string bytes;
  REQUIRE(conv->from_connect_data("orders", s, order(s, 1), bytes));
  std::string header = bytes.substr(0, 5);
  CHECK_THROWS_WITH(conv->to_connect_data("orders", header + R"({"id":"one"})"),
                    Catch::Contains("topic orders to JSON (schema id 1)") && Catch::Contains("INT64"));
  CHECK_THROWS_WITH(conv->to_connect_data("orders", header + "{\"id\":"),
                    Catch::Contains("schema id 1") && Catch::Contains("not valid JSON"));
}

TEST_CASE("JsonSchemaConverter: an incompatible change (40901) names the subject and the property") {
  SchemaRegistryStandIn registry;
  auto conv = converter({{"schema.registry.url", registry.url()}});
  auto v1 = SchemaBuilder::structure().name("r.R").field("a", schemas::int32()).build();
  auto v2 = SchemaBuilder::structure().name("r.R").field("a", schemas::string()).build();
  std::string bytes;
  auto st = StructValue::make(v1);
  st->put("a", Value(int32_t{1}));
  CHECK(conv->from_connect_data("t", v1, Value(st), bytes));
  auto st2 = StructValue::make(v2);
  st2->put("a", Value("x"));
  CHECK_THROWS_WITH(conv->from_connect_data("t", v2, Value(st2), bytes),
                    Catch::Contains("incompatible") && Catch::Contains("\"t-value\"") && Catch::Contains("40901") &&
                        Catch::Contains("properties/a"));
}

TEST_CASE("JsonSchemaConverter: registry down — retries, then an error naming the URL") {
  int port = testsupport::free_local_port();
  auto conv = converter({{"schema.registry.url", fmt::format("http://127.0.0.1:{}", port)},
                         {"max.retries", "1"},
                         {"retries.wait.ms", "1"}});
  auto s = order_schema();
  std::string bytes;
  CHECK_THROWS_WITH(conv->from_connect_data("t", s, order(s, 1), bytes),
                    Catch::Contains(fmt::format("http://127.0.0.1:{}", port)) && Catch::Contains("after 2 attempts") &&
                        Catch::Contains("Failed to serialize JSON Schema data for topic t"));
  CHECK_THROWS_WITH(conv->to_connect_data("t", std::string("\x00\x00\x00\x00\x01{}", 7)),
                    Catch::Contains("could not be reached"));
}

TEST_CASE("JsonSchemaConverter: Confluent switches it does not implement are refused, not ignored") {
  for (const char* key : {"json.fail.invalid.schema", "normalize.schemas", "generalized.sum.type.support",
                          "ignore.default.for.nullables", "preserve.additional.properties", "ignore.modern.dialects"}) {
    INFO(key);
    config::Problems problems;
    auto values = settings_of({{"schema.registry.url", "http://127.0.0.1:1"}, {key, "true"}}, problems);
    REQUIRE(problems.empty());
    JsonSchemaConverter c;
    CHECK_THROWS_WITH(c.configure(values, false), Catch::Contains(key) && Catch::Contains("not supported"));
  }
  config::Problems bad_format;
  settings_of({{"schema.registry.url", "http://127.0.0.1:1"}, {"decimal.format", "HEX"}}, bad_format);
  CHECK(!bad_format.empty());
}
