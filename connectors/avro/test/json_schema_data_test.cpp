// Connect ↔ JSON Schema translation and values (JsonSchemaData), without a
// registry. The expected schema texts follow Confluent's JsonSchemaData and
// everit's ToStringVisitor (1.12.2) read by hand; the HashMap orders in them
// were taken from the JVM, and java_hash_map_order is checked against the JVM
// here too (JavaHashOrder.java, run with Debian's OpenJDK).
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "connectors/avro/json_schema_data.h"
#include "connectors/common/java_hash_map.h"
#include "support.h"

using namespace connectrun;
using namespace connectrun::avro;

namespace {

JsonSchemaDataOptions defaults() { return JsonSchemaDataOptions{}; }

SchemaPtr row_schema() {
  auto inner = SchemaBuilder::structure().name("com.example.Inner").doc("inner doc").optional()
                   .field("x", schemas::int32()).build();
  return SchemaBuilder::structure()
      .name("com.example.Row")
      .version(3)
      .doc("a row")
      .field("id", schemas::int64())
      .field("small", SchemaBuilder::int8().default_value(Value(int8_t{5})).build())
      .field("name", schemas::string(true))
      .field("score", schemas::float32())
      .field("ok", schemas::boolean())
      .field("raw", schemas::bytes())
      .field("amount", schemas::decimal(2).build())
      .field("day", schemas::date().build())
      .field("ts", schemas::timestamp().build())
      .field("tags", SchemaBuilder::array(schemas::string()).build())
      .field("attrs", SchemaBuilder::map(schemas::string(), schemas::int32()).build())
      .field("codes", SchemaBuilder::map(schemas::int32(), schemas::string()).build())
      .field("inner", inner)
      .build();
}

Value row(const SchemaPtr& s) {
  auto st = StructValue::make(s);
  st->put("id", Value(int64_t{51}));
  st->put("small", Value(int8_t{-12}));
  st->put("name", Value("odd"));
  st->put("score", Value(0.5f));
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

std::string value_json(const SchemaPtr& s, const Value& v, JsonSchemaDataOptions opts = defaults()) {
  std::string out;
  REQUIRE(json_schema_value(out, *s, v, opts));
  return out;
}

Value read_back(const SchemaPtr& s, const std::string& json, JsonSchemaDataOptions opts = defaults()) {
  simdjson::dom::parser p;
  return json_schema_value_to_connect(s, p.parse(json).value(), opts);
}

}  // namespace

TEST_CASE("JsonSchemaData: java_hash_map_order is java.util.HashMap's order (checked against the JVM)") {
  std::vector<std::string> keys;
  for (int i = 1; i <= 20; ++i) keys.push_back(fmt::format("k{}", i));  // past 12 keys: the table grows
  for (const char* k : {"größe", "\xF0\x9F\x98\x80x", "connect.index", "connect.type", "connect.version", "value", "key"})
    keys.emplace_back(k);
  testsupport::TempDir dir;
  std::string input;
  for (auto& k : keys) input += k + "\n";
  testsupport::write_file(dir / "keys.txt", input);
  int status = -1;
  std::string out = testsupport::shell(
      fmt::format("java {}/connectors/avro/test/JavaHashOrder.java < {} 2>&1", CONNECTRUN_SOURCE_DIR, dir / "keys.txt"),
      &status);
  INFO(out);
  REQUIRE(status == 0);
  std::string want_first, want_copy;
  bool copy = false;
  size_t start = 0;
  for (size_t nl; (nl = out.find('\n', start)) != std::string::npos; start = nl + 1) {
    std::string line = out.substr(start, nl - start);
    if (line == "--") copy = true;
    else (copy ? want_copy : want_first) += line + ",";
  }
  std::string got_first, got_copy;
  auto order = java_hash_map_order(keys);
  std::vector<std::string> first;
  for (size_t i : order) first.push_back(keys[i]), got_first += keys[i] + ",";
  for (size_t i : java_hash_map_order(first, java_hash_map_copy_capacity(first.size()))) got_copy += first[i] + ",";
  CHECK(got_first == want_first);
  CHECK(got_copy == want_copy);
  // Small maps, where the copy's smaller table changes the order.
  CHECK(java_hash_map_order({"connect.version", "connect.index"}) == std::vector<size_t>{0, 1});
  CHECK(java_hash_map_order({"connect.version", "connect.index"}, java_hash_map_copy_capacity(2)) ==
        std::vector<size_t>{1, 0});
}

TEST_CASE("JsonSchemaData: a struct of every Connect type as the JSON Schema text Confluent registers") {
  const std::string want =
      R"({"type":"object","title":"com.example.Row","description":"a row","connect.version":3,"properties":{)"
      R"("small":{"type":"integer","default":5,"connect.index":1,"connect.type":"int8"},)"
      R"("codes":{"type":"array","connect.index":11,"connect.type":"map","items":{"type":"object","properties":{)"
      R"("value":{"type":"string","connect.index":1},"key":{"type":"integer","connect.index":0,"connect.type":"int32"}}}},)"
      R"("amount":{"type":"string","title":"org.apache.kafka.connect.data.Decimal","connect.index":6,"connect.version":1,)"
      R"("connect.type":"bytes","connect.parameters":{"scale":"2"}},)"
      R"("raw":{"type":"string","connect.index":5,"connect.type":"bytes"},)"
      R"("inner":{"connect.index":12,"oneOf":[{"type":"null"},{"type":"object","title":"com.example.Inner",)"
      R"("description":"inner doc","properties":{"x":{"type":"integer","connect.index":0,"connect.type":"int32"}}}]},)"
      R"("tags":{"type":"array","connect.index":9,"items":{"type":"string"}},)"
      R"("attrs":{"type":"object","connect.index":10,"connect.type":"map","additionalProperties":{"type":"integer","connect.type":"int32"}},)"
      R"("score":{"type":"number","connect.index":3,"connect.type":"float32"},)"
      R"("name":{"connect.index":2,"oneOf":[{"type":"null"},{"type":"string"}]},)"
      R"("id":{"type":"integer","connect.index":0,"connect.type":"int64"},)"
      R"("ok":{"connect.index":4,"type":"boolean"},)"
      R"("day":{"type":"integer","title":"org.apache.kafka.connect.data.Date","connect.index":7,"connect.version":1,"connect.type":"int32"},)"
      R"("ts":{"type":"integer","title":"org.apache.kafka.connect.data.Timestamp","connect.index":8,"connect.version":1,"connect.type":"int64"}}})";
  CHECK(json_schema_from_connect(*row_schema(), defaults()) == want);
}

TEST_CASE("JsonSchemaData: top-level primitives — a boolean's type after its keywords, Time's title and version") {
  CHECK(json_schema_from_connect(*SchemaBuilder::boolean().doc("d").build(), defaults()) == R"({"description":"d","type":"boolean"})");
  CHECK(json_schema_from_connect(*schemas::time().build(), defaults()) ==
        R"({"type":"integer","title":"org.apache.kafka.connect.data.Time","connect.version":1,"connect.type":"int32"})");
  auto t = schemas::time().build();
  CHECK(*json_schema_to_connect(json_schema_from_connect(*t, defaults()), defaults()) == *t);
  CHECK(value_json(t, Value(Timestamp{3600000})) == "3600000");
  CHECK(read_back(t, "3600000") == Value(Timestamp{3600000}));
}

TEST_CASE("JsonSchemaData: the JSON Schema reads back as the Connect schema it came from") {
  auto s = row_schema();
  SchemaPtr back = json_schema_to_connect(json_schema_from_connect(*s, defaults()), defaults());
  CHECK(*back == *s);
  // The registry's version counts only where the schema has no connect.version.
  auto plain = SchemaBuilder::structure().name("p.P").field("a", schemas::int32()).build();
  CHECK(json_schema_to_connect(json_schema_from_connect(*plain, defaults()), defaults(), 4)->version == 4);
  CHECK(json_schema_to_connect(json_schema_from_connect(*s, defaults()), defaults(), 4)->version == 3);
}

TEST_CASE("JsonSchemaData: optional fields with defaults, a top-level optional struct, additionalProperties false") {
  auto s = SchemaBuilder::structure()
               .name("d.D")
               .optional()
               .field("s", SchemaBuilder::string().optional().default_value(Value("dflt")).build())
               .field("f", SchemaBuilder::float64().default_value(Value(1.5)).parameter("p", "v").build())
               .build();
  JsonSchemaDataOptions closed;
  closed.allow_additional_properties = false;
  CHECK(json_schema_from_connect(*s, closed) ==
        R"({"oneOf":[{"type":"null"},{"type":"object","additionalProperties":false,"title":"d.D","properties":{)"
        R"("s":{"connect.index":0,"oneOf":[{"type":"null"},{"type":"string","default":"dflt"}]},)"
        R"("f":{"type":"number","default":1.5,"connect.index":1,"connect.type":"float64","connect.parameters":{"p":"v"}}}}]})");
  SchemaPtr back = json_schema_to_connect(json_schema_from_connect(*s, closed), closed);
  CHECK(*back == *s);
}

TEST_CASE("JsonSchemaData: defaults as Confluent's text holds them — org.json numbers, objects in hash order") {
  auto m = SchemaBuilder::map(schemas::string(), schemas::float64())
               .default_value(Value(MapEntries{{Value("b"), Value(1.0)}, {Value("a"), Value(2.5)}}))
               .build();
  auto s = SchemaBuilder::structure()
               .name("d.E")
               .field("w", SchemaBuilder::float64().default_value(Value(2.0)).build())
               .field("big", SchemaBuilder::float64().default_value(Value(1e20)).build())
               .field("pt", m)
               .build();
  CHECK(json_schema_from_connect(*s, defaults()) ==
        R"({"type":"object","title":"d.E","properties":{)"
        R"("big":{"type":"number","default":1.0E+20,"connect.index":1,"connect.type":"float64"},)"
        R"("pt":{"type":"object","default":{"a":2.5,"b":1},"connect.index":2,"connect.type":"map",)"
        R"("additionalProperties":{"type":"number","connect.type":"float64"}},)"
        R"("w":{"type":"number","default":2,"connect.index":0,"connect.type":"float64"}}})");
  SchemaPtr back = json_schema_to_connect(json_schema_from_connect(*s, defaults()), defaults());
  CHECK(back->field("w")->schema->default_value == Value(2.0));
  CHECK(back->field("big")->schema->default_value == Value(1e20));
  CHECK(back->field("pt")->schema->default_value == Value(MapEntries{{Value("a"), Value(2.5)}, {Value("b"), Value(1.0)}}));
}

TEST_CASE("JsonSchemaData: values as Jackson writes them, in field order, and read back") {
  auto s = row_schema();
  std::string json = value_json(s, row(s));
  CHECK(json ==
        R"({"id":51,"small":-12,"name":"odd","score":0.5,"ok":true,"raw":"AQI=","amount":"+y4=","day":3,)"
        R"("ts":1700000000123,"tags":["a","b"],"attrs":{"k":1},"codes":[{"key":7,"value":"seven"}],"inner":{"x":99}})");
  CHECK(read_back(s, json) == row(s));

  JsonSchemaDataOptions numeric;
  numeric.decimal_format = json::DecimalFormat::Numeric;
  CHECK(value_json(s, row(s), numeric).find(R"("amount":-12.34,)") != std::string::npos);
  CHECK(json_schema_from_connect(*s, numeric).find(R"("amount":{"type":"number","title":"org.apache.kafka.connect.data.Decimal")") !=
        std::string::npos);
  CHECK(read_back(s, value_json(s, row(s), numeric), numeric) == row(s));
}

TEST_CASE("JsonSchemaData: nulls — optional fields write null, defaults replace null, required nulls are left out") {
  auto s = SchemaBuilder::structure()
               .field("opt", schemas::string(true))
               .field("dflt", SchemaBuilder::int32().default_value(Value(int32_t{7})).build())
               .field("req", schemas::string())
               .field("list", SchemaBuilder::array(schemas::string()).build())
               .build();
  auto st = StructValue::make(s);
  st->values[3] = Value(Array{Value("a"), Value()});
  Value v(st);
  CHECK(value_json(s, v) == R"({"opt":null,"dflt":7,"list":["a",null]})");
  // Read: a missing member is null (Confluent's reader does not refuse it); a JSON null for a required field is refused.
  Value back = read_back(s, R"({"dflt":null,"list":[]})");
  CHECK(back.as_struct().get("dflt") == Value(int32_t{7}));
  CHECK(back.as_struct().get("req").is_null());
  CHECK_THROWS_WITH(read_back(s, R"({"req":null,"list":[]})"), Catch::Contains("Invalid null value for required STRING field"));
  // A top-level null: no document for a required schema, "null" for an optional one.
  std::string out;
  CHECK(!json_schema_value(out, *schemas::string(), Value(), defaults()));
  CHECK(json_schema_value(out, *schemas::string(true), Value(), defaults()));
  CHECK(out == "null");
}

TEST_CASE("JsonSchemaData: a payload of the wrong type is refused naming what was expected") {
  auto s = row_schema();
  CHECK_THROWS_WITH(read_back(s, R"({"id":"x"})"), Catch::Contains("INT64") && Catch::Contains("STRING"));
  CHECK_THROWS_WITH(read_back(s, R"([1])"), Catch::Contains("Structs should be encoded as JSON objects, but found ARRAY"));
  CHECK_THROWS_WITH(read_back(s, R"({"attrs":[1]})"), Catch::Contains("Maps with string fields should be encoded as JSON objects"));
  CHECK_THROWS_WITH(read_back(s, R"({"codes":{"a":1}})"), Catch::Contains("JSON array of objects"));
  CHECK_THROWS_WITH(read_back(s, R"({"tags":"a"})"), Catch::Contains("expected an array"));
}

TEST_CASE("JsonSchemaData: schemas written by others — no connect.index, required, type lists, oneOf, enum") {
  // Fields without connect.index are numbered in the order everit's HashMap holds them (a, b).
  const std::string plain = R"({"type":"object","title":"T","properties":{"b":{"type":"string"},"a":{"type":"integer"}},"required":["a"]})";
  SchemaPtr t = json_schema_to_connect(plain, defaults());
  REQUIRE(t->fields.size() == 2);
  CHECK(t->fields[0].name == "a");
  CHECK(t->fields[0].schema->type == Type::Int64);
  CHECK(t->fields[1].name == "b");
  CHECK(!t->fields[1].schema->optional);
  CHECK(*t->name == "T");
  JsonSchemaDataOptions nonrequired;
  nonrequired.use_optional_for_nonrequired = true;
  SchemaPtr t2 = json_schema_to_connect(plain, nonrequired);
  CHECK(t2->field("b")->schema->optional);
  CHECK(!t2->field("a")->schema->optional);

  SchemaPtr nullable = json_schema_to_connect(R"({"type":["null","number"]})", defaults());
  CHECK(nullable->type == Type::Float64);
  CHECK(nullable->optional);

  SchemaPtr u = json_schema_to_connect(R"({"oneOf":[{"type":"string"},{"type":"integer"},{"type":"null"}]})", defaults());
  CHECK(*u->name == kJsonOneOf);
  CHECK(u->optional);
  REQUIRE(u->fields.size() == 2);
  Value five = read_back(u, "5");
  CHECK(five.as_struct().values[1] == Value(int64_t{5}));
  CHECK(five.as_struct().values[0].is_null());
  CHECK(value_json(u, five) == "5");
  CHECK(value_json(u, read_back(u, R"("x")")) == R"("x")");
  CHECK(json_schema_to_connect(json_schema_from_connect(*u, defaults()), defaults())->fields.size() == 2);

  SchemaPtr e = json_schema_to_connect(R"({"enum":["red","green"]})", defaults());
  CHECK(e->type == Type::String);
  CHECK(e->parameter("io.confluent.connect.json.Enum.green"));
  CHECK(json_schema_from_connect(*e, defaults()) == R"({"enum":["red","green"]})");
  CHECK(json_schema_to_connect(R"({"oneOf":[{"type":"boolean"}]})", defaults())->type == Type::Boolean);
}

TEST_CASE("JsonSchemaData: what is not supported is refused by name") {
  CHECK_THROWS_WITH(json_schema_to_connect(R"({"$ref":"#/definitions/x"})", defaults()), Catch::Contains("$ref"));
  CHECK_THROWS_WITH(json_schema_to_connect(R"({"allOf":[{"type":"string"}]})", defaults()), Catch::Contains("allOf"));
  CHECK_THROWS_WITH(json_schema_to_connect(R"({})", defaults()), Catch::Contains("takes anything"));
  CHECK_THROWS_WITH(json_schema_to_connect(R"({"type":"array"})", defaults()),
                    Catch::Contains("Array schema did not specify the items type"));
  CHECK_THROWS_WITH(json_schema_to_connect(R"({"type":["string","integer"]})", defaults()), Catch::Contains("use oneOf"));
  CHECK_THROWS_WITH(json_schema_to_connect(R"({not json)", defaults()), Catch::Contains("not valid JSON"));
}
