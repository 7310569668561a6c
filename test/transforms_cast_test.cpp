// Cast: the cases of Kafka's CastTest, rewritten.
#include "transform_test_util.h"

#include "transforms/cast.h"
#include "transforms/java_text.h"

using namespace connectrun;
using namespace connectrun::testing;

TEST_CASE("Cast rejects bad specs", "[transform]") {
  CHECK_THROWS_AS(make_transform("Cast$Value", {}), config::ConfigError);
  CHECK_THROWS_WITH(make_transform("Cast$Value", {{"spec", ""}}), Catch::Contains("at least one field"));
  CHECK_THROWS_WITH(make_transform("Cast$Value", {{"spec", "foo:faketype"}}), Catch::Contains("Invalid type found in casting spec: faketype"));
  CHECK_THROWS_WITH(make_transform("Cast$Value", {{"spec", "foo:array"}}), Catch::Contains("does not support casting to ARRAY"));
  CHECK_THROWS_WITH(make_transform("Cast$Value", {{"spec", "array"}}), Catch::Contains("does not support casting to ARRAY"));
  CHECK_THROWS_WITH(make_transform("Cast$Value", {{"spec", "foo:bytes"}}), Catch::Contains("does not support casting to BYTES"));
  CHECK_THROWS_WITH(make_transform("Cast$Value", {{"spec", "foo:int8:extra"}}), Catch::Contains("Invalid rename mapping"));
  CHECK_THROWS_WITH(make_transform("Cast$Value", {{"spec", "foo:int8,int32"}}), Catch::Contains("single cast"));
  CHECK_NOTHROW(make_transform("org.apache.kafka.connect.transforms.Cast$Key", {{"spec", "INT8"}}));
}

TEST_CASE("Cast casts the whole key or value with a schema", "[transform]") {
  auto key_cast = make_transform("Cast$Key", {{"spec", "int8"}});
  auto out = key_cast->apply(keyed_record(schemas::int32(), Value(int32_t{42})));
  CHECK(out->key_schema->type == Type::Int8);
  CHECK(out->key == Value(int8_t{42}));

  auto t = make_transform("Cast$Value", {{"spec", "string"}});
  out = t->apply(sink_record(schemas::int32(), Value(int32_t{42})));
  CHECK(out->value_schema->type == Type::String);
  CHECK(out->value == Value("42"));
  out = t->apply(sink_record(schemas::float64(), Value(42.0)));
  CHECK(out->value == Value("42.0"));
  out = t->apply(sink_record(schemas::float32(), Value(1.0e20f)));
  CHECK(out->value == Value("1.0E20"));
  out = t->apply(sink_record(schemas::bytes(), Value(Bytes{"hello"})));
  CHECK(out->value == Value("aGVsbG8="));

  auto to_bool = make_transform("Cast$Value", {{"spec", "boolean"}});
  CHECK(to_bool->apply(sink_record(schemas::int32(), Value(int32_t{42})))->value == Value(true));
  CHECK(to_bool->apply(sink_record(schemas::int32(), Value(int32_t{0})))->value == Value(false));
  CHECK(to_bool->apply(sink_record(schemas::string(), Value("TRUE")))->value == Value(true));
  CHECK(to_bool->apply(sink_record(schemas::string(), Value("yes")))->value == Value(false));

  auto to_int8 = make_transform("Cast$Value", {{"spec", "int8"}});
  CHECK(to_int8->apply(sink_record(schemas::int64(), Value(int64_t{300})))->value == Value(int8_t{44}));  // wraps as Java
  CHECK(to_int8->apply(sink_record(schemas::float64(), Value(-1.9)))->value == Value(int8_t{-1}));
  CHECK(to_int8->apply(sink_record(schemas::boolean(), Value(true)))->value == Value(int8_t{1}));
  CHECK_THROWS_WITH(to_int8->apply(sink_record(schemas::string(), Value("300"))),
                    "Value (300) was out of range for requested data type");
}

TEST_CASE("Cast keeps a null value and the schema's optionality", "[transform]") {
  auto t = make_transform("Cast$Value", {{"spec", "int64"}});
  auto out = t->apply(sink_record(schemas::int32(true), Value()));
  CHECK(out->value.is_null());
  CHECK(out->value_schema == schemas::int32(true));  // Kafka returns the record unchanged
}

TEST_CASE("Cast converts logical types to primitives and strings", "[transform]") {
  auto to_int64 = make_transform("Cast$Value", {{"spec", "int64"}});
  auto out = to_int64->apply(sink_record(schemas::timestamp().build(), Value(Timestamp{1700000000123})));
  CHECK(out->value == Value(int64_t{1700000000123}));
  auto to_int32 = make_transform("Cast$Value", {{"spec", "int32"}});
  out = to_int32->apply(sink_record(schemas::date().build(), Value(Timestamp{86400000LL * 3})));
  CHECK(out->value == Value(int32_t{3}));
  auto to_string = make_transform("Cast$Value", {{"spec", "string"}});
  CHECK(to_string->apply(sink_record(schemas::date().build(), Value(Timestamp{86400000LL * 3})))->value == Value("1970-01-04"));
  CHECK(to_string->apply(sink_record(schemas::time().build(), Value(Timestamp{3723004})))->value == Value("01:02:03.004Z"));
  CHECK(to_string->apply(sink_record(schemas::timestamp().build(), Value(Timestamp{1700000000123})))->value ==
        Value("2023-11-14T22:13:20.123Z"));
  CHECK(to_string->apply(sink_record(schemas::decimal(2).build(), Value(Decimal::from_string("12.34"))))->value ==
        Value("12.34"));
  auto to_double = make_transform("Cast$Value", {{"spec", "float64"}});
  CHECK(to_double->apply(sink_record(schemas::decimal(2).build(), Value(Decimal::from_string("12.34"))))->value ==
        Value(12.34));
}

TEST_CASE("Cast casts struct fields and caches the schema", "[transform]") {
  auto schema = SchemaBuilder::structure()
                    .name("com.example.R")
                    .field("int8", schemas::int8())
                    .field("int32", schemas::int32(true))
                    .field("float32", schemas::float32())
                    .field("string", schemas::string())
                    .field("flag", SchemaBuilder::boolean().default_value(Value(true)).build())
                    .field("other", schemas::string())
                    .build();
  auto s = StructValue::make(schema);
  s->put("int8", Value(int8_t{8}));
  s->put("float32", Value(32.5f));
  s->put("string", Value("42"));
  s->put("other", Value("x"));
  auto t = make_transform("Cast$Value", {{"spec", "int8:int16,int32:int64,float32:float64,string:int32,flag:int8"}});
  auto out = t->apply(sink_record(schema, Value(s)));
  const auto& os = out->value.as_struct();
  CHECK(*out->value_schema->name == "com.example.R");
  CHECK(out->value_schema->field("int8")->schema->type == Type::Int16);
  CHECK(out->value_schema->field("int32")->schema->optional);
  CHECK(out->value_schema->field("flag")->schema->default_value == Value(int8_t{1}));
  CHECK(os.get("int8") == Value(int16_t{8}));
  CHECK(os.get("int32").is_null());
  CHECK(os.get("float32") == Value(32.5));
  CHECK(os.get("string") == Value(int32_t{42}));
  CHECK(os.get("flag") == Value(int8_t{1}));  // null reads as the default
  CHECK(os.get("other") == Value("x"));
  auto again = t->apply(sink_record(schema, Value(s)));
  CHECK(again->value_schema == out->value_schema);  // same input schema, same output SchemaPtr
}

TEST_CASE("Cast casts schemaless map fields", "[transform]") {
  auto t = make_transform("Cast$Value", {{"spec", "a:int32,b:int64,c:string,d:boolean,e:float32,missing:int8"}});
  auto out = t->apply(sink_record(nullptr, Value(map_of({{"a", Value("42")}, {"b", Value(1.9)}, {"c", Value(true)},
                                                         {"d", Value("true")}, {"e", Value(int64_t{3})}}))));
  CHECK(field(out->value, "a") == Value(int32_t{42}));
  CHECK(field(out->value, "b") == Value(int64_t{1}));
  CHECK(field(out->value, "c") == Value("true"));
  CHECK(field(out->value, "d") == Value(true));
  CHECK(field(out->value, "e") == Value(3.0f));
  CHECK(field(out->value, "missing").is_null());  // Kafka puts every cast field, present or not
  CHECK_THROWS_WITH(t->apply(sink_record(nullptr, Value(map_of({{"a", Value("abc")}})))),
                    "Value (abc) was out of range for requested data type");
  auto whole = make_transform("Cast$Value", {{"spec", "int8"}});
  CHECK(whole->apply(sink_record(nullptr, Value(int64_t{42})))->value == Value(int8_t{42}));
  CHECK_THROWS_AS(whole->apply(sink_record(nullptr, Value(Timestamp{1}))), DataException);
  CHECK_THROWS_WITH(whole->apply(sink_record(nullptr, Value(map_of({})))), Catch::Contains("casting from MAP"));
}

TEST_CASE("Java number text", "[transform]") {
  using namespace connectrun::transforms;
  CHECK(java_double_string(100.0) == "100.0");
  CHECK(java_double_string(1e7) == "1.0E7");
  CHECK(java_double_string(1e-7) == "1.0E-7");
  CHECK(java_double_string(0.001) == "0.001");
  CHECK(java_double_string(-12345.678) == "-12345.678");
  CHECK(java_float_string(0.1f) == "0.1");
  CHECK(java_parse_integer("+12", INT32_MIN, INT32_MAX) == 12);
  CHECK(!java_parse_integer(" 12", INT32_MIN, INT32_MAX));
  CHECK(!java_parse_integer("128", INT8_MIN, INT8_MAX));
  CHECK(java_parse_double(" 1.5f ") == 1.5);
  CHECK(!java_parse_double("abc"));
}
