#include <catch2/catch.hpp>

#include "bus/bus.h"
#include "data/value.h"

using namespace connectrun;

TEST_CASE("Decimal converts between text and two's complement", "[value]") {
  auto d = Decimal::from_string("-12.345");
  CHECK(d.scale == 3);
  CHECK(d.to_string() == "-12.345");
  CHECK(Decimal::from_string("0").unscaled == std::string(1, '\0'));
  CHECK(Decimal::from_string("128").unscaled == std::string("\x00\x80", 2));
  CHECK(Decimal::from_string("-128").unscaled == std::string("\x80", 1));
  CHECK(Decimal::from_string("-129").unscaled == std::string("\xff\x7f", 2));
  CHECK(Decimal::from_string("1.5E3").to_string() == "1500");
  CHECK(Decimal::from_string("12345678901234567890123.5").to_string() == "12345678901234567890123.5");
  CHECK(Decimal::from_int64(-1, 2).to_string() == "-0.01");
  CHECK_THROWS_AS(Decimal::from_string("12a"), DataException);
}

TEST_CASE("validate_value gives Kafka's messages", "[value]") {
  auto s = SchemaBuilder::structure().field("a", schemas::int32()).field("b", schemas::string(true)).build();
  auto st = StructValue::make(s);
  CHECK_THROWS_WITH(st->put("a", Value(std::string("x"))),
                    "Invalid Java object for schema with type INT32: class java.lang.String for field: \"a\"");
  CHECK_THROWS_WITH(st->validate(), "Invalid value: null used for required field: \"a\", schema type: INT32");
  st->put("a", Value(int32_t{1}));
  CHECK_NOTHROW(st->validate());
  CHECK_THROWS_WITH(st->get("zz"), "zz is not a valid field name");
  CHECK_THROWS_WITH(validate_value(schemas::decimal(2).build(), Value(int64_t{1})),
                    "Invalid Java object for schema \"org.apache.kafka.connect.data.Decimal\" with type BYTES: "
                    "class java.lang.Long for value");
}

TEST_CASE("schemas compare deeply and builders reject duplicate fields", "[value]") {
  auto a = SchemaBuilder::structure().field("x", schemas::int64()).build();
  auto b = SchemaBuilder::structure().field("x", schemas::int64()).build();
  CHECK(schemas_equal(a, b));
  CHECK_FALSE(schemas_equal(a, SchemaBuilder::structure().field("x", schemas::int64(true)).build()));
  CHECK_THROWS_AS(SchemaBuilder::structure().field("x", schemas::int8()).field("x", schemas::int8()), DataException);
  CHECK(type_from_name("float64") == Type::Float64);
  CHECK_FALSE(type_from_name("double").has_value());
}

TEST_CASE("primitive schemas are one instance each, copied without reference counts", "[value]") {
  // Records copy and drop these per record: with no control block a copy is two pointer moves.
  SchemaPtr s = schemas::string();
  CHECK(s == schemas::string());
  CHECK(s != schemas::string(true));
  CHECK(s->type == Type::String);
  CHECK_FALSE(s->optional);
  CHECK(schemas::string(true)->optional);
  CHECK(s.use_count() == 0);  // no owner: nothing is counted
  {
    SchemaPtr copy = s;
    CHECK(copy == s);
    CHECK(copy.use_count() == 0);
  }
  CHECK(schemas::of_type(Type::Int64, true) == schemas::int64(true));
  // Built schemas are counted as before.
  SchemaPtr built = SchemaBuilder::structure().field("x", schemas::int64()).build();
  CHECK(built.use_count() == 1);
}

TEST_CASE("a default Record and BusRecord start empty, with their defaults", "[value]") {
  // Their default constructors are user-provided (no clearing of the whole object first):
  // every member must still start in its documented state.
  std::vector<Record> records(3);
  for (auto& r : records) {
    CHECK(r.topic.empty());
    CHECK_FALSE(r.partition);
    CHECK_FALSE(r.key_schema);
    CHECK(r.key.is_null());
    CHECK_FALSE(r.value_schema);
    CHECK(r.value.is_null());
    CHECK(r.headers.empty());
    CHECK_FALSE(r.timestamp);
    CHECK_FALSE(r.source_partition);
    CHECK(r.source_offset.is_null());
    CHECK_FALSE(r.offset_only);
    CHECK(r.bus_offset == -1);
    CHECK(r.is_source);
  }
  std::vector<BusRecord> bus_records(3);
  for (auto& b : bus_records) {
    CHECK(b.topic.empty());
    CHECK_FALSE(b.partition);
    CHECK_FALSE(b.key);
    CHECK_FALSE(b.value);
    CHECK(b.headers.empty());
    CHECK_FALSE(b.timestamp);
    CHECK(b.offset == -1);
  }
}
