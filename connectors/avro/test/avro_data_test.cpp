// Connect ↔ Avro schema translation (AvroData) and the Avro binary codec,
// without a registry. Byte values follow the Avro specification's encoding
// examples; the outside implementations' checks are in avro_converter_test.cpp.
#include <catch2/catch.hpp>

#include "connectors/avro/avro_codec.h"
#include "connectors/avro/avro_data.h"

using namespace connectrun;
using namespace connectrun::avro;

namespace {

AvroDataOptions defaults() { return AvroDataOptions{}; }

std::string schema_json(const SchemaPtr& s, AvroDataOptions opts = defaults()) {
  return avro_schema_json(*from_connect_schema(*s, opts));
}

std::string encode(const SchemaPtr& s, const Value& v) {
  std::string out;
  encode_value(out, *s, *from_connect_schema(*s, defaults()), v, defaults());
  return out;
}

// Encodes with the Avro schema made of `s`, decodes with the Connect schema read back from that Avro schema.
Value round_trip(const SchemaPtr& s, const Value& v, SchemaPtr* read_schema = nullptr) {
  AvroPtr avro = from_connect_schema(*s, defaults());
  std::string bytes;
  encode_value(bytes, *s, *avro, v, defaults());
  AvroPtr reparsed = parse_avro_schema(avro_schema_json(*avro));
  SchemaPtr back = to_connect_schema(*reparsed, defaults());
  if (read_schema) *read_schema = back;
  return decode_value(bytes, back, *reparsed, defaults());
}

SchemaPtr all_types_schema() {
  auto inner = SchemaBuilder::structure().name("com.example.Inner").field("x", schemas::int32()).build();
  return SchemaBuilder::structure()
      .name("com.example.Row")
      .version(3)
      .doc("a row")
      .field("i8", schemas::int8())
      .field("i16", schemas::int16())
      .field("i32", schemas::int32())
      .field("i64", schemas::int64())
      .field("f32", schemas::float32())
      .field("f64", schemas::float64())
      .field("flag", schemas::boolean())
      .field("text", schemas::string())
      .field("raw", schemas::bytes())
      .field("opt", schemas::string(true))
      .field("dflt", SchemaBuilder::int32().optional().default_value(Value(int32_t{7})).build())
      .field("dec", schemas::decimal(2).parameter(std::string(kDecimalPrecision), "10").build())
      .field("day", schemas::date().build())
      .field("tod", schemas::time().build())
      .field("ts", schemas::timestamp().build())
      .field("list", SchemaBuilder::array(schemas::int64()).build())
      .field("smap", SchemaBuilder::map(schemas::string(), schemas::int32()).build())
      .field("imap", SchemaBuilder::map(schemas::int32(), schemas::string(true)).build())
      .field("inner", inner)
      .field("opt_inner", SchemaBuilder::from(*inner).optional().build())
      .build();
}

Value all_types_value(const SchemaPtr& s) {
  auto st = StructValue::make(s);
  st->put("i8", Value(int8_t{-5}));
  st->put("i16", Value(int16_t{300}));
  st->put("i32", Value(int32_t{-70000}));
  st->put("i64", Value(int64_t{1} << 40));
  st->put("f32", Value(1.5f));
  st->put("f64", Value(-2.25));
  st->put("flag", Value(true));
  st->put("text", Value("héllo"));
  st->put("raw", Value(Bytes{std::string("\x00\xff\x10", 3)}));
  st->put("dflt", Value(int32_t{9}));
  st->put("dec", Value(Decimal::from_string("-123.45")));
  st->put("day", Value(Timestamp{19000LL * 86400000}));
  st->put("tod", Value(Timestamp{45296789}));
  st->put("ts", Value(Timestamp{1700000000123}));
  st->put("list", Value(Array{Value(int64_t{1}), Value(int64_t{-2})}));
  st->put("smap", Value(MapEntries{{Value("a"), Value(int32_t{1})}}));
  st->put("imap", Value(MapEntries{{Value(int32_t{4}), Value("four")}, {Value(int32_t{5}), Value()}}));
  auto inner = StructValue::make(s->field("inner")->schema);
  inner->put("x", Value(int32_t{42}));
  st->put("inner", Value(inner));
  return Value(st);
}

}  // namespace

TEST_CASE("AvroData: an unnamed struct becomes io.confluent.connect.avro.ConnectDefault, as Confluent writes it") {
  auto s = SchemaBuilder::structure()
               .field("i8", schemas::int8())
               .field("s", schemas::string(true))
               .field("d", schemas::decimal(2).build())
               .field("m", SchemaBuilder::map(schemas::int32(), schemas::string()).build())
               .build();
  CHECK(schema_json(s) ==
        R"({"type":"record","name":"ConnectDefault","namespace":"io.confluent.connect.avro","fields":[)"
        R"({"name":"i8","type":{"type":"int","connect.type":"int8"}},)"
        R"({"name":"s","type":["null","string"],"default":null},)"
        R"({"name":"d","type":{"type":"bytes","scale":2,"precision":64,"connect.version":1,)"
        R"("connect.parameters":{"scale":"2"},"connect.name":"org.apache.kafka.connect.data.Decimal","logicalType":"decimal"}},)"
        R"({"name":"m","type":{"type":"array","items":{"type":"record","name":"MapEntry","fields":[)"
        R"({"name":"key","type":"int"},{"name":"value","type":"string"}]}}}]})");
}

TEST_CASE("AvroData: names, versions, docs, defaults and logical types") {
  std::string json = schema_json(all_types_schema());
  CHECK(json.rfind(R"({"type":"record","name":"Row","namespace":"com.example","fields":[)", 0) == 0);
  CHECK(json.find(R"("connect.doc":"a row","connect.version":3,"connect.name":"com.example.Row"})") != std::string::npos);
  // An optional field with a default puts null second, so the default matches the first branch.
  CHECK(json.find(R"({"name":"dflt","type":[{"type":"int","connect.default":7},"null"],"default":7})") != std::string::npos);
  CHECK(json.find(R"("scale":2,"precision":10,"connect.version":1,"connect.parameters":{"scale":"2","connect.decimal.precision":"10"})") != std::string::npos);
  CHECK(json.find(R"({"type":"int","connect.version":1,"connect.name":"org.apache.kafka.connect.data.Date","logicalType":"date"})") != std::string::npos);
  CHECK(json.find(R"("connect.name":"org.apache.kafka.connect.data.Time","logicalType":"time-millis"})") != std::string::npos);
  CHECK(json.find(R"("connect.name":"org.apache.kafka.connect.data.Timestamp","logicalType":"timestamp-millis"})") != std::string::npos);
  // The same named struct again is a reference to it (short name: same namespace).
  CHECK(json.find(R"({"name":"opt_inner","type":["null","Inner"],"default":null})") != std::string::npos);
}

TEST_CASE("AvroData: Connect schema → Avro → Connect schema gives the schema back") {
  auto s = all_types_schema();
  SchemaPtr back = to_connect_schema(*parse_avro_schema(schema_json(s)), defaults());
  CHECK(*back == *s);
}

TEST_CASE("AvroData: connect.meta.data=false writes no connect.* properties") {
  AvroDataOptions opts;
  opts.connect_meta_data = false;
  std::string json = schema_json(all_types_schema(), opts);
  CHECK(json.find("\"connect.") == std::string::npos);  // no "connect.name", "connect.type", …
  CHECK(json.find(R"("logicalType":"date")") != std::string::npos);  // Avro's own logical types stay
}

TEST_CASE("AvroData: an Avro enum is a string with its symbols as parameters — enhanced support writes it back as an enum") {
  const std::string avro = R"({"type":"record","name":"E","namespace":"n","fields":[{"name":"c","type":{"type":"enum","name":"Color","symbols":["RED","GREEN"]}}]})";
  SchemaPtr s = to_connect_schema(*parse_avro_schema(avro), defaults());
  const Schema& c = *s->field("c")->schema;
  CHECK(c.type == Type::String);
  CHECK(*c.parameter(kAvroTypeEnum) == "n.Color");
  CHECK(*c.parameter("io.confluent.connect.avro.Enum.GREEN") == "GREEN");
  CHECK(schema_json(s).find(R"({"name":"c","type":"string"})") == std::string::npos);  // string, with parameters
  AvroDataOptions enhanced;
  enhanced.enhanced_schema_support = true;
  CHECK(schema_json(s, enhanced).find(R"({"type":"enum","name":"Color","symbols":["RED","GREEN"])") != std::string::npos);
}

TEST_CASE("Avro codec: bytes as the Avro specification encodes them") {
  CHECK(encode(schemas::int32(), Value(int32_t{1})) == "\x02");
  CHECK(encode(schemas::int32(), Value(int32_t{-1})) == "\x01");
  CHECK(encode(schemas::int64(), Value(int64_t{64})) == std::string("\x80\x01"));
  CHECK(encode(schemas::string(), Value("foo")) == "\x06" "foo");
  CHECK(encode(schemas::string(true), Value()) == std::string(1, '\0'));  // union branch 0: null
  CHECK(encode(schemas::string(true), Value("a")) == "\x02\x02" "a");
  CHECK(encode(SchemaBuilder::array(schemas::int64()).build(), Value(Array{Value(int64_t{3}), Value(int64_t{27})})) ==
        std::string("\x04\x06\x36\x00", 4));
  CHECK(encode(schemas::decimal(2).build(), Value(Decimal::from_string("1.00"))) == "\x02\x64");
}

TEST_CASE("Avro codec: every type, optional field, nested struct and map round-trips") {
  auto s = all_types_schema();
  Value v = all_types_value(s);
  SchemaPtr back;
  Value got = round_trip(s, v, &back);
  CHECK(*back == *s);
  const StructValue& st = got.as_struct();
  const StructValue& want = v.as_struct();
  for (size_t i = 0; i < s->fields.size(); ++i) {
    INFO("field " << s->fields[i].name);
    CHECK(st.values[i] == want.values[i]);
  }
}

TEST_CASE("Avro codec: bad values are refused naming the field") {
  auto s = SchemaBuilder::structure()
               .field("amount", schemas::decimal(2).parameter(std::string(kDecimalPrecision), "4").build())
               .field("name", schemas::string())
               .build();
  auto st = StructValue::make(s);
  st->put("amount", Value(Decimal::from_string("12.34")));
  st->put("name", Value("ok"));
  CHECK_NOTHROW(encode(s, Value(st)));
  st->values[0] = Value(Decimal::from_string("123.45"));
  CHECK_THROWS_WITH(encode(s, Value(st)), Catch::Contains("beyond the precision 4") && Catch::Contains("field amount"));
  st->values[0] = Value(Decimal::from_string("1.5"));
  CHECK_THROWS_WITH(encode(s, Value(st)), Catch::Contains("mismatching scale"));
  st->values[0] = Value(Decimal::from_string("1.50"));
  st->values[1] = Value();
  CHECK_THROWS_WITH(encode(s, Value(st)), Catch::Contains("null value for non-optional schema") && Catch::Contains("field name"));
}

TEST_CASE("Avro codec: truncated or trailing bytes are refused") {
  auto s = schemas::string();
  AvroPtr a = from_connect_schema(*s, defaults());
  CHECK_THROWS_WITH(decode_value("\x06" "fo", s, *a, defaults()), Catch::Contains("ends before"));
  CHECK_THROWS_WITH(decode_value("\x02" "fo", s, *a, defaults()), Catch::Contains("bytes left"));
}

TEST_CASE("AvroData: names Avro refuses are refused as Avro's Java library does, or scrubbed with scrub.invalid.names") {
  auto s = SchemaBuilder::structure().name("my-db.my-table").field("user-id", schemas::int32()).field("1st", schemas::string()).build();
  CHECK_THROWS_WITH(schema_json(s), Catch::Contains("Illegal character in: my-table"));
  auto unnamed = SchemaBuilder::structure().field("user-id", schemas::int32()).build();
  CHECK_THROWS_WITH(schema_json(unnamed), Catch::Contains("Illegal character in: user-id"));
  AvroDataOptions scrub;
  scrub.scrub_invalid_names = true;
  CHECK(schema_json(s, scrub) ==
        R"({"type":"record","name":"my_table","namespace":"my_db","fields":[{"name":"user_id","type":"int"},)"
        R"({"name":"x1st","type":"string"}],"connect.name":"my-db.my-table"})");
  CHECK(scrub_name("a b") == "a_b");      // URL-encoded as "a+b" first
  CHECK(scrub_name("é") == "_C3_A9");     // %C3%A9
  CHECK(scrub_name("ok_1") == "ok_1");
}

// The expectations of Confluent's AvroDataTest (testFromConnectStructsWithNullName,
// testFromConnectOptionalAndNonOptionalStruct), written as the JSON Avro's Java library prints.
TEST_CASE("AvroData: unnamed structs are ConnectDefault, ConnectDefault2 and one reused is referenced, as in Confluent's tests") {
  auto inner = SchemaBuilder::structure().field("value", schemas::int64()).optional().build();
  auto outer = SchemaBuilder::structure().field("struct", inner).field("array", SchemaBuilder::array(inner).build()).build();
  CHECK(schema_json(outer) ==
        R"({"type":"record","name":"ConnectDefault","namespace":"io.confluent.connect.avro","fields":[)"
        R"({"name":"struct","type":["null",{"type":"record","name":"ConnectDefault2","fields":[{"name":"value","type":"long"}]}],"default":null},)"
        R"({"name":"array","type":{"type":"array","items":["null","ConnectDefault2"]}}]})");
  CHECK(*to_connect_schema(*parse_avro_schema(schema_json(outer)), defaults()) == *outer);

  auto named_inner = SchemaBuilder::structure().name("inner").field("value", schemas::int64()).optional().build();
  auto named_outer =
      SchemaBuilder::structure().name("outer").field("struct", named_inner).field("array", SchemaBuilder::array(named_inner).build()).build();
  CHECK(schema_json(named_outer) ==
        R"({"type":"record","name":"outer","fields":[)"
        R"({"name":"struct","type":["null",{"type":"record","name":"inner","fields":[{"name":"value","type":"long"}],"connect.name":"inner"}],"default":null},)"
        R"({"name":"array","type":{"type":"array","items":["null","inner"]}}],"connect.name":"outer"})");
  CHECK(*to_connect_schema(*parse_avro_schema(schema_json(named_outer)), defaults()) == *named_outer);
}

// More of Confluent's AvroDataTest expectations (testFromConnectOptionalPrimitiveWithMetadata,
// testFromConnectRecordWithMetadata, testFromConnectMapWithNonStringKey); Avro compares properties
// regardless of order, the order here is the one AvroData adds them in.
TEST_CASE("AvroData: metadata on a primitive and a record, a top-level non-string map, as in Confluent's tests") {
  auto str = SchemaBuilder::string().doc("doc").default_value(Value("foo")).name("io.confluent.stringtype").version(2)
                 .optional().parameter("foo", "bar").parameter("baz", "baz").build();
  CHECK(schema_json(str) ==
        R"([{"type":"string","connect.doc":"doc","connect.version":2,"connect.parameters":{"foo":"bar","baz":"baz"},)"
        R"("connect.default":"foo","connect.name":"io.confluent.stringtype"},"null"])");
  CHECK(*to_connect_schema(*parse_avro_schema(schema_json(str)), defaults()) == *str);

  auto rec = SchemaBuilder::structure().name("io.confluent.test.TestSchema").version(12).doc("doc")
                 .field("int32", schemas::int32()).build();
  CHECK(schema_json(rec) ==
        R"({"type":"record","name":"TestSchema","namespace":"io.confluent.test","fields":[{"name":"int32","type":"int"}],)"
        R"("connect.doc":"doc","connect.version":12,"connect.name":"io.confluent.test.TestSchema"})");

  auto map = SchemaBuilder::map(schemas::int32(), schemas::int32()).build();
  CHECK(schema_json(map) ==
        R"({"type":"array","items":{"type":"record","name":"MapEntry","namespace":"io.confluent.connect.avro","fields":[)"
        R"({"name":"key","type":"int"},{"name":"value","type":"int"}]}})");
}

TEST_CASE("AvroData: an Avro field default without connect.default is kept, flagged, and written back as it was") {
  const std::string avro = R"({"type":"record","name":"R","fields":[{"name":"a","type":"int","default":5},)"
                           R"({"name":"s","type":["null","string"],"default":null}]})";
  SchemaPtr s = to_connect_schema(*parse_avro_schema(avro), defaults());
  const Schema& a = *s->field("a")->schema;
  REQUIRE(a.default_value);
  CHECK(*a.default_value == Value(int32_t{5}));
  CHECK(*a.parameter(kAvroFieldDefaultFlag) == "true");
  CHECK(s->field("s")->schema->optional);
  CHECK(!s->field("s")->schema->default_value);
  CHECK(schema_json(s) == R"({"type":"record","name":"R","fields":[{"name":"a","type":"int","default":5},)"
                          R"({"name":"s","type":["null","string"],"default":null}],"connect.name":"R"})");
}
