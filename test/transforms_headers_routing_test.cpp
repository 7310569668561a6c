// DropHeaders, HeaderFrom, InsertHeader, RegexRouter, TimestampRouter, Filter and
// the predicates: the cases of Kafka's unit tests, rewritten.
#include "transform_test_util.h"

#include "transforms/regex.h"

using namespace connectrun;
using namespace connectrun::testing;

namespace {
Record with_headers(std::vector<Header> headers) {
  Record r = sink_record(nullptr, Value("v"), "orders");
  r.headers = std::move(headers);
  return r;
}
}  // namespace

TEST_CASE("DropHeaders removes every header with the names", "[transform]") {
  auto t = make_transform("DropHeaders", {{"headers", "a,c"}});
  auto out = t->apply(with_headers({{"a", schemas::string(), Value("1")}, {"b", schemas::string(), Value("2")},
                                    {"a", nullptr, Value()}, {"c", nullptr, Value()}}));
  REQUIRE(out->headers.size() == 1);
  CHECK(out->headers[0].key == "b");
  CHECK_THROWS_WITH(make_transform("DropHeaders", {{"headers", ""}}), Catch::Contains("Empty list"));
  CHECK_THROWS_AS(make_transform("DropHeaders", {}), config::ConfigError);
}

TEST_CASE("HeaderFrom copies and moves fields into headers", "[transform]") {
  auto schema = SchemaBuilder::structure().name("R").field("id", schemas::int32()).field("name", schemas::string()).build();
  auto v = StructValue::make(schema);
  v->put("id", Value(int32_t{7}));
  v->put("name", Value("Ada"));
  auto copy = make_transform("HeaderFrom$Value", {{"fields", "id"}, {"headers", "h_id"}, {"operation", "copy"}});
  auto out = copy->apply(sink_record(schema, Value(v)));
  REQUIRE(out->headers.size() == 1);
  CHECK(out->headers[0].key == "h_id");
  CHECK(out->headers[0].schema == schemas::int32());
  CHECK(out->headers[0].value == Value(int32_t{7}));
  CHECK(out->value_schema == schema);

  auto move = make_transform("HeaderFrom$Value", {{"fields", "id"}, {"headers", "h_id"}, {"operation", "move"}});
  out = move->apply(sink_record(schema, Value(v)));
  REQUIRE(out->value_schema->fields.size() == 1);
  CHECK(*out->value_schema->name == "R");
  CHECK(out->value.as_struct().get("name") == Value("Ada"));
  CHECK(move->apply(sink_record(schema, Value(v)))->value_schema == out->value_schema);

  auto schemaless = move->apply(sink_record(nullptr, Value(map_of({{"id", Value(int64_t{7})}, {"x", Value(true)}}))));
  CHECK(schemaless->value == Value(map_of({{"x", Value(true)}})));
  CHECK(schemaless->headers[0].value == Value(int64_t{7}));
  CHECK_THROWS_WITH(move->apply(sink_record(schema, Value())), Catch::Contains("Only Struct objects supported for [header move]"));

  CHECK_THROWS_WITH(make_transform("HeaderFrom$Value", {{"fields", "a,b"}, {"headers", "h"}, {"operation", "copy"}}),
                    Catch::Contains("same number of elements"));
  CHECK_THROWS_AS(make_transform("HeaderFrom$Value", {{"fields", "a"}, {"headers", "h"}, {"operation", "steal"}}),
                  config::ConfigError);
}

TEST_CASE("InsertHeader adds a header parsed like SimpleHeaderConverter", "[transform]") {
  auto t = make_transform("InsertHeader", {{"header", "hdr"}, {"value.literal", "42"}});
  auto out = t->apply(with_headers({{"hdr", schemas::string(), Value("old")}}));
  REQUIRE(out->headers.size() == 2);  // added, not replaced
  CHECK(out->headers[1].schema->type == Type::Int8);
  CHECK(out->headers[1].value == Value(int8_t{42}));
  auto s = make_transform("InsertHeader", {{"header", "hdr"}, {"value.literal", "hello world"}});
  CHECK(s->apply(with_headers({}))->headers[0].value == Value("hello world"));
  CHECK_THROWS_AS(make_transform("InsertHeader", {{"header", "hdr"}}), config::ConfigError);
  CHECK_THROWS_AS(make_transform("InsertHeader", {{"value.literal", "x"}}), config::ConfigError);
}

TEST_CASE("RegexRouter renames whole-matching topics with $n groups", "[transform]") {
  auto apply = [](const std::string& regex, const std::string& replacement, const std::string& topic) {
    auto t = make_transform("RegexRouter", {{"regex", regex}, {"replacement", replacement}});
    return t->apply(sink_record(nullptr, Value(), topic))->topic;
  };
  CHECK(apply("(.*)", "prefix-$1", "orig") == "prefix-orig");
  CHECK(apply("(.*)", "$1-suffix", "orig") == "orig-suffix");
  CHECK(apply("(.*)-(\\d\\d)", "$1$2", "foo-22") == "foo22");
  CHECK(apply("(.*)-(\\d\\d)", "$1$2", "foo-2a") == "foo-2a");  // no whole match: unchanged
  CHECK(apply("foo", "bar", "foofoo") == "foofoo");              // find would match; matches() does not
  CHECK(apply("(?<name>o+)", "x${name}x", "oo") == "xoox");
  CHECK(apply("(a)", "\\$1", "a") == "$1");
  CHECK(apply("(a)", "$12", "a") == "a2");  // $12 is group 1 then '2' when there is no group 12
  CHECK_THROWS_AS(make_transform("RegexRouter", {{"regex", "(unclosed"}, {"replacement", "x"}}), config::ConfigError);
  CHECK_THROWS_AS(make_transform("RegexRouter", {{"regex", "x"}}), config::ConfigError);
}

TEST_CASE("TimestampRouter formats ${topic} and ${timestamp}", "[transform]") {
  auto t = make_transform("TimestampRouter", {});
  Record r = sink_record(nullptr, Value(), "test");
  r.timestamp = 1483425001864;  // 2017-01-03T06:30:01.864Z
  CHECK(t->apply(std::move(r))->topic == "test-20170103");
  auto custom = make_transform("TimestampRouter", {{"topic.format", "${topic}_${topic}_${timestamp}"},
                                                   {"timestamp.format", "yyyy-MM-dd'T'HH"}});
  Record r2 = sink_record(nullptr, Value(), "t");
  r2.timestamp = 1483425001864;
  CHECK(custom->apply(std::move(r2))->topic == "t_t_2017-01-03T06");
  Record no_ts = sink_record(nullptr, Value(), "t");
  no_ts.timestamp.reset();
  CHECK_THROWS_WITH(t->apply(std::move(no_ts)), Catch::Contains("Timestamp missing on record"));
  CHECK_THROWS_AS(make_transform("TimestampRouter", {{"timestamp.format", "yyyy-qq"}}), config::ConfigError);
}

// The router keeps the last name it made; a new topic or a new day must make a new one.
TEST_CASE("TimestampRouter names each record from its own topic and day", "[transform]") {
  auto t = make_transform("TimestampRouter", {});
  auto route = [&](const char* topic, int64_t ts) {
    Record r = sink_record(nullptr, Value(), topic);
    r.timestamp = ts;
    return t->apply(std::move(r))->topic;
  };
  const int64_t jan3 = 1483425001864, jan4 = jan3 + 86400000;
  CHECK(route("a", jan3) == "a-20170103");
  CHECK(route("a", jan3 + 1000) == "a-20170103");
  CHECK(route("b", jan3) == "b-20170103");
  CHECK(route("b", jan4) == "b-20170104");
  CHECK(route("a", jan4) == "a-20170104");
  CHECK(route("a", jan3) == "a-20170103");
  // The same timestamp (records of one poll share it): a new topic still makes a new name.
  CHECK(route("a", jan3) == "a-20170103");
  CHECK(route("c", jan3) == "c-20170103");
  CHECK(route("a", jan3) == "a-20170103");
  CHECK(route("a", jan4) == "a-20170104");
}

TEST_CASE("Filter drops every record", "[transform]") {
  auto t = make_transform("Filter", {});
  CHECK_FALSE(t->apply(sink_record(nullptr, Value("x"))).has_value());
}

TEST_CASE("Predicates: HasHeaderKey, RecordIsTombstone, TopicNameMatches", "[transform]") {
  auto has = make_predicate("HasHeaderKey", {{"name", "h"}});
  CHECK(has->test(with_headers({{"h", nullptr, Value()}})));
  CHECK_FALSE(has->test(with_headers({{"x", nullptr, Value()}})));
  CHECK_THROWS_AS(make_predicate("HasHeaderKey", {}), config::ConfigError);

  auto tomb = make_predicate("org.apache.kafka.connect.transforms.predicates.RecordIsTombstone");
  CHECK(tomb->test(sink_record(schemas::string(true), Value())));
  CHECK_FALSE(tomb->test(sink_record(schemas::string(), Value("x"))));

  auto topic = make_predicate("TopicNameMatches", {{"pattern", "my-prefix-.*"}});
  CHECK(topic->test(sink_record(nullptr, Value(), "my-prefix-foo")));
  CHECK_FALSE(topic->test(sink_record(nullptr, Value(), "x-my-prefix-foo")));  // full match only
  CHECK_FALSE(topic->test(sink_record(nullptr, Value(), "my-prefix")));
  CHECK_THROWS_AS(make_predicate("TopicNameMatches", {{"pattern", "["}}), config::ConfigError);
  CHECK_THROWS_AS(make_predicate("TopicNameMatches", {{"pattern", ""}}), config::ConfigError);
}
