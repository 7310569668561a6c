// TimestampConverter and the SimpleDateFormat wrapper: the cases of Kafka's
// TimestampConverterTest, rewritten.
#include "transform_test_util.h"

#include "transforms/date_format.h"

using namespace connectrun;
using namespace connectrun::testing;

namespace {
// 1970-01-02T03:04:05.006Z, as Kafka's test uses
constexpr int64_t kDateTime = 86400000LL + 3 * 3600000LL + 4 * 60000LL + 5000LL + 6;
constexpr int64_t kDate = 86400000LL;
constexpr int64_t kTime = 3 * 3600000LL + 4 * 60000LL + 5000LL + 6;
const char* kFormat = "yyyy MM dd HH mm ss SSS z";
const char* kString = "1970 01 02 03 04 05 006 UTC";
}  // namespace

TEST_CASE("TimestampConverter rejects bad config", "[transform]") {
  CHECK_THROWS_AS(make_transform("TimestampConverter$Value", {}), config::ConfigError);
  CHECK_THROWS_AS(make_transform("TimestampConverter$Value", {{"target.type", "Instant"}}), config::ConfigError);
  CHECK_THROWS_WITH(make_transform("TimestampConverter$Value", {{"target.type", "string"}}),
                    Catch::Contains("requires format option"));
  CHECK_THROWS_WITH(make_transform("TimestampConverter$Value", {{"target.type", "unix"}, {"format", "yyyy-qq"}}),
                    Catch::Contains("Illegal pattern character 'q'"));
  CHECK_THROWS_AS(make_transform("TimestampConverter$Value", {{"target.type", "unix"}, {"unix.precision", "minutes"}}),
                  config::ConfigError);
}

TEST_CASE("TimestampConverter whole values with schemas", "[transform]") {
  auto to_ts = make_transform("TimestampConverter$Value", {{"target.type", "Timestamp"}, {"format", kFormat}});
  auto out = to_ts->apply(sink_record(schemas::string(), Value(kString)));
  CHECK(out->value_schema->name == std::string(schemas::kTimestampName));
  CHECK(out->value == Value(Timestamp{kDateTime}));
  out = to_ts->apply(sink_record(schemas::int64(), Value(kDateTime)));
  CHECK(out->value == Value(Timestamp{kDateTime}));
  out = to_ts->apply(sink_record(schemas::date().build(), Value(Timestamp{kDate})));
  CHECK(out->value == Value(Timestamp{kDate}));

  auto to_date = make_transform("TimestampConverter$Value", {{"target.type", "Date"}});
  out = to_date->apply(sink_record(schemas::timestamp().build(), Value(Timestamp{kDateTime})));
  CHECK(out->value_schema->name == std::string(schemas::kDateName));
  CHECK(out->value == Value(Timestamp{kDate}));
  out = to_date->apply(sink_record(schemas::int64(), Value(int64_t{-1})));
  CHECK(out->value == Value(Timestamp{-86400000}));  // floors to the day before the epoch

  auto to_time = make_transform("TimestampConverter$Value", {{"target.type", "Time"}});
  CHECK(to_time->apply(sink_record(schemas::timestamp().build(), Value(Timestamp{kDateTime})))->value == Value(Timestamp{kTime}));

  auto to_unix = make_transform("TimestampConverter$Value", {{"target.type", "unix"}});
  out = to_unix->apply(sink_record(schemas::timestamp().optional().build(), Value(Timestamp{kDateTime})));
  CHECK(out->value_schema == schemas::int64(true));
  CHECK(out->value == Value(kDateTime));
  CHECK(to_unix->apply(sink_record(schemas::timestamp().optional().build(), Value()))->value.is_null());

  auto to_string = make_transform("TimestampConverter$Value", {{"target.type", "string"}, {"format", kFormat}});
  CHECK(to_string->apply(sink_record(schemas::timestamp().build(), Value(Timestamp{kDateTime})))->value == Value(kString));
  CHECK_THROWS_WITH(to_ts->apply(sink_record(schemas::string(), Value("garbage"))), Catch::Contains("Could not parse timestamp"));
  CHECK_THROWS_AS(to_ts->apply(sink_record(schemas::int32(), Value(int32_t{1}))), DataException);
}

TEST_CASE("TimestampConverter unix precision", "[transform]") {
  auto from_seconds = make_transform("TimestampConverter$Value", {{"target.type", "Timestamp"}, {"unix.precision", "seconds"}});
  CHECK(from_seconds->apply(sink_record(schemas::int64(), Value(int64_t{1700000000})))->value == Value(Timestamp{1700000000000}));
  auto to_micros = make_transform("TimestampConverter$Value", {{"target.type", "unix"}, {"unix.precision", "microseconds"}});
  CHECK(to_micros->apply(sink_record(schemas::timestamp().build(), Value(Timestamp{1700000000123})))->value ==
        Value(int64_t{1700000000123000}));
  auto from_nanos = make_transform("TimestampConverter$Value", {{"target.type", "Timestamp"}, {"unix.precision", "nanoseconds"}});
  CHECK(from_nanos->apply(sink_record(schemas::int64(), Value(int64_t{1700000000123456789})))->value ==
        Value(Timestamp{1700000000123}));
}

TEST_CASE("TimestampConverter one field, with and without schema", "[transform]") {
  auto schema = SchemaBuilder::structure().field("ts", schemas::int64()).field("other", schemas::string()).build();
  auto v = StructValue::make(schema);
  v->put("ts", Value(kDateTime));
  v->put("other", Value("x"));
  auto t = make_transform("TimestampConverter$Value", {{"field", "ts"}, {"target.type", "string"}, {"format", kFormat}});
  auto out = t->apply(sink_record(schema, Value(v)));
  CHECK(out->value_schema->field("ts")->schema == schemas::string());
  CHECK(out->value.as_struct().get("ts") == Value(kString));
  CHECK(out->value.as_struct().get("other") == Value("x"));
  CHECK(t->apply(sink_record(schema, Value(v)))->value_schema == out->value_schema);
  auto schemaless = t->apply(sink_record(nullptr, Value(map_of({{"ts", Value(kDateTime)}, {"other", Value("x")}}))));
  CHECK(field(schemaless->value, "ts") == Value(kString));
  auto key = make_transform("TimestampConverter$Key", {{"target.type", "Timestamp"}});
  CHECK(key->apply(keyed_record(nullptr, Value(kDateTime)))->key == Value(Timestamp{kDateTime}));
}

TEST_CASE("SimpleDateFormat patterns in UTC, parsed leniently", "[transform]") {
  using connectrun::transforms::JavaDateFormat;
  JavaDateFormat f("yyyy-MM-dd HH:mm:ss.SSS");
  CHECK(f.format(1700000000000) == "2023-11-14 22:13:20.000");
  CHECK(f.format(-1) == "1969-12-31 23:59:59.999");
  CHECK(f.parse("2024-03-15 10:20:30.123") == 1710498030123);
  CHECK(f.parse("2024-13-45 25:61:61.000") == 1739584921000);  // fields roll over as in Java
  CHECK(f.parse("2024-03-15 10:20:30.123 trailing") == 1710498030123);
  CHECK_FALSE(f.parse("nope").has_value());
  CHECK(JavaDateFormat("EEE, d MMM yyyy").format(0) == "Thu, 1 Jan 1970");
  CHECK(JavaDateFormat("dd MMM yyyy").parse("02 Jan 1970") == 86400000);
  CHECK_THROWS_WITH(JavaDateFormat("yyyy-qq"), "Illegal pattern character 'q'");
  CHECK_THROWS_AS(JavaDateFormat("yyyy 'unterminated"), std::invalid_argument);
}
