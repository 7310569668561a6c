// ExtractField, Flatten, HoistField, InsertField, MaskField, ReplaceField,
// SetSchemaMetadata and ValueToKey: the cases of Kafka's unit tests, rewritten.
#include "transform_test_util.h"

using namespace connectrun;
using namespace connectrun::testing;

namespace {
SchemaPtr person() {
  static const SchemaPtr s = SchemaBuilder::structure()
                                 .name("com.example.Person")
                                 .field("id", schemas::int32())
                                 .field("name", schemas::string())
                                 .field("age", schemas::int32(true))
                                 .build();
  return s;
}

Value ada() {
  auto s = StructValue::make(person());
  s->put("id", Value(int32_t{7}));
  s->put("name", Value("Ada"));
  s->put("age", Value(int32_t{36}));
  return Value(s);
}
}  // namespace

TEST_CASE("ExtractField with and without schema", "[transform]") {
  auto t = make_transform("ExtractField$Value", {{"field", "name"}});
  auto out = t->apply(sink_record(person(), ada()));
  CHECK(out->value_schema == schemas::string());
  CHECK(out->value == Value("Ada"));
  out = t->apply(sink_record(nullptr, Value(map_of({{"name", Value("Bob")}}))));
  CHECK(out->value == Value("Bob"));
  CHECK(t->apply(sink_record(nullptr, Value(map_of({}))))->value.is_null());
  CHECK(t->apply(sink_record(nullptr, Value()))->value.is_null());  // tombstone passes
  auto nullable = t->apply(sink_record(person(), Value()));
  CHECK(nullable->value.is_null());
  CHECK(nullable->value_schema == schemas::string());
  auto missing = make_transform("ExtractField$Value", {{"field", "nope"}});
  CHECK_THROWS_WITH(missing->apply(sink_record(person(), ada())), "Unknown field: nope");
  CHECK_THROWS_WITH(t->apply(sink_record(nullptr, Value("x"))), Catch::Contains("Only Map objects supported"));
  auto key = make_transform("ExtractField$Key", {{"field", "id"}});
  CHECK(key->apply(keyed_record(person(), ada()))->key == Value(int32_t{7}));
}

TEST_CASE("ExtractField follows nested paths with field.syntax.version=V2", "[transform]") {
  auto inner = SchemaBuilder::structure().field("a.b", schemas::string()).field("c", schemas::int64()).build();
  auto outer = SchemaBuilder::structure().field("x", inner).build();
  auto in = StructValue::make(inner);
  in->put("a.b", Value("dotted"));
  in->put("c", Value(int64_t{5}));
  auto o = StructValue::make(outer);
  o->put("x", Value(in));
  auto t = make_transform("ExtractField$Value", {{"field", "x.c"}, {"field.syntax.version", "V2"}});
  CHECK(t->apply(sink_record(outer, Value(o)))->value == Value(int64_t{5}));
  auto dotted = make_transform("ExtractField$Value", {{"field", "x.`a.b`"}, {"field.syntax.version", "V2"}});
  CHECK(dotted->apply(sink_record(outer, Value(o)))->value == Value("dotted"));
  auto v1 = make_transform("ExtractField$Value", {{"field", "x.c"}});
  CHECK_THROWS_WITH(v1->apply(sink_record(outer, Value(o))), "Unknown field: x.c");
  auto schemaless = t->apply(sink_record(nullptr, Value(map_of({{"x", Value(map_of({{"c", Value(int64_t{9})}}))}}))));
  CHECK(schemaless->value == Value(int64_t{9}));
  CHECK_THROWS_AS(make_transform("ExtractField$Value", {{"field", "`x.c"}, {"field.syntax.version", "V2"}}),
                  config::ConfigError);
  CHECK_THROWS_AS(make_transform("ExtractField$Value", {{"field", "x"}, {"field.syntax.version", "V3"}}),
                  config::ConfigError);
}

TEST_CASE("Flatten nested structs and maps", "[transform]") {
  auto leaf = SchemaBuilder::structure().field("x", schemas::int32()).field("y", schemas::string(true)).build();
  auto mid = SchemaBuilder::structure().optional().field("inner", leaf).field("flag", schemas::boolean()).build();
  auto top = SchemaBuilder::structure().field("id", schemas::int32()).field("outer", mid).build();
  auto l = StructValue::make(leaf);
  l->put("x", Value(int32_t{1}));
  auto m = StructValue::make(mid);
  m->put("inner", Value(l));
  m->put("flag", Value(true));
  auto t_ = StructValue::make(top);
  t_->put("id", Value(int32_t{7}));
  t_->put("outer", Value(m));
  auto t = make_transform("Flatten$Value", {});
  auto out = t->apply(sink_record(top, Value(t_)));
  std::vector<std::string> names;
  for (auto& f : out->value_schema->fields) names.push_back(f.name);
  CHECK(names == std::vector<std::string>{"id", "outer.inner.x", "outer.inner.y", "outer.flag"});
  CHECK(out->value_schema->field("outer.inner.x")->schema->optional);  // optional parent makes children optional
  CHECK(!out->value_schema->field("id")->schema->optional);
  CHECK(out->value.as_struct().get("outer.inner.x") == Value(int32_t{1}));
  CHECK(t->apply(sink_record(top, Value(t_)))->value_schema == out->value_schema);

  auto under = make_transform("Flatten$Value", {{"delimiter", "_"}});
  auto schemaless = under->apply(sink_record(
      nullptr, Value(map_of({{"a", Value(map_of({{"b", Value(int64_t{1})}, {"c", Value()}}))}, {"d", Value(Array{})}}))));
  CHECK(field(schemaless->value, "a_b") == Value(int64_t{1}));
  CHECK(field(schemaless->value, "a_c").is_null());
  CHECK(field(schemaless->value, "d") == Value(Array{}));

  auto with_map = SchemaBuilder::structure().field("m", SchemaBuilder::map(schemas::string(), schemas::string()).build()).build();
  auto wm = StructValue::make(with_map);
  wm->put("m", Value(MapEntries{}));
  CHECK_THROWS_WITH(t->apply(sink_record(with_map, Value(wm))), Catch::Contains("does not support MAP"));
  CHECK_THROWS_WITH(t->apply(sink_record(schemas::string(), Value("x"))), Catch::Contains("Only Struct objects"));
  auto tomb = t->apply(sink_record(top, Value()));
  CHECK(tomb->value.is_null());
}

TEST_CASE("HoistField wraps in a struct or map", "[transform]") {
  auto t = make_transform("HoistField$Key", {{"field", "magic"}});
  auto out = t->apply(keyed_record(schemas::int32(), Value(int32_t{42})));
  CHECK(out->key_schema->type == Type::Struct);
  CHECK(out->key_schema->field("magic")->schema == schemas::int32());
  CHECK(out->key.as_struct().get("magic") == Value(int32_t{42}));
  out = t->apply(keyed_record(nullptr, Value(int64_t{42})));
  CHECK(field(out->key, "magic") == Value(int64_t{42}));
  CHECK_THROWS_AS(make_transform("HoistField$Key", {}), config::ConfigError);
}

TEST_CASE("InsertField adds metadata fields", "[transform]") {
  auto t = make_transform("InsertField$Value", {{"topic.field", "topic_field!"},
                                                {"partition.field", "partition_field"},
                                                {"offset.field", "offset_field!"},
                                                {"timestamp.field", "timestamp_field?"},
                                                {"static.field", "instance_id"},
                                                {"static.value", "my-instance-id"}});
  auto out = t->apply(sink_record(person(), ada()));
  const auto& s = *out->value_schema;
  CHECK(*s.name == "com.example.Person");
  CHECK(s.fields.size() == 8);
  CHECK(!s.field("topic_field")->schema->optional);
  CHECK(s.field("partition_field")->schema->optional);
  CHECK(s.field("timestamp_field")->schema->name == std::string(schemas::kTimestampName));
  const auto& v = out->value.as_struct();
  CHECK(v.get("topic_field") == Value("test"));
  CHECK(v.get("partition_field") == Value(int32_t{0}));
  CHECK(v.get("offset_field") == Value(int64_t{42}));
  CHECK(v.get("timestamp_field") == Value(Timestamp{1700000000000}));
  CHECK(v.get("instance_id") == Value("my-instance-id"));
  CHECK(t->apply(sink_record(person(), ada()))->value_schema == out->value_schema);

  auto schemaless = t->apply(sink_record(nullptr, Value(map_of({{"magic", Value(int64_t{42})}}))));
  CHECK(field(schemaless->value, "timestamp_field") == Value(int64_t{1700000000000}));
  CHECK(field(schemaless->value, "magic") == Value(int64_t{42}));
  CHECK(t->apply(sink_record(person(), Value()))->value.is_null());  // tombstones pass
  Record source = sink_record(nullptr, Value(map_of({})));
  source.is_source = true;
  CHECK_THROWS_WITH(t->apply(std::move(source)), Catch::Contains("Only SinkRecord supported"));
  CHECK_THROWS_WITH(t->apply(sink_record(schemas::string(), Value("x"))), Catch::Contains("Only Struct objects"));
}

// Kafka's InsertField.configure: a transform that inserts nothing, or a static
// field without its value, is a configuration error.
TEST_CASE("InsertField refuses configurations that insert nothing as Kafka does", "[transform]") {
  CHECK_THROWS_WITH(make_transform("InsertField$Value"), Catch::StartsWith("No field insertion configured"));
  CHECK_THROWS_WITH(make_transform("InsertField$Key", {{"static.value", "v"}}),
                    Catch::StartsWith("No field insertion configured"));
  try {
    make_transform("InsertField$Value", {{"static.field", "origin"}});
    FAIL("static.field without static.value was accepted");
  } catch (const config::ConfigError& e) {
    CHECK(e.key() == "static.value");
    CHECK(std::string(e.what()) == "No value specified for static field: origin");
  }
  CHECK_NOTHROW(make_transform("InsertField$Value", {{"static.field", "origin"}, {"static.value", "v"}}));
  CHECK_NOTHROW(make_transform("InsertField$Value", {{"topic.field", "t"}}));
}

TEST_CASE("MaskField masks with zeros or a replacement", "[transform]") {
  auto schema = SchemaBuilder::structure()
                    .field("i", schemas::int32())
                    .field("b", schemas::boolean())
                    .field("s", schemas::string())
                    .field("d", schemas::float64())
                    .field("ts", schemas::timestamp().build())
                    .field("arr", SchemaBuilder::array(schemas::int32()).build())
                    .build();
  auto v = StructValue::make(schema);
  v->put("i", Value(int32_t{5}));
  v->put("b", Value(true));
  v->put("s", Value("secret"));
  v->put("d", Value(1.5));
  v->put("ts", Value(Timestamp{123}));
  v->put("arr", Value(Array{Value(int32_t{1})}));
  auto t = make_transform("MaskField$Value", {{"fields", "i,b,s,d,ts,arr"}});
  auto out = t->apply(sink_record(schema, Value(v)));
  const auto& o = out->value.as_struct();
  CHECK(o.get("i") == Value(int32_t{0}));
  CHECK(o.get("b") == Value(false));
  CHECK(o.get("s") == Value(""));
  CHECK(o.get("d") == Value(0.0));
  CHECK(o.get("ts") == Value(Timestamp{0}));
  CHECK(o.get("arr") == Value(Array{}));
  CHECK(out->value_schema == schema);

  auto r = make_transform("MaskField$Value", {{"fields", "i,s"}, {"replacement", "123"}});
  auto ro = r->apply(sink_record(schema, Value(v)));
  CHECK(ro->value.as_struct().get("i") == Value(int32_t{123}));
  CHECK(ro->value.as_struct().get("s") == Value("123"));
  auto bad = make_transform("MaskField$Value", {{"fields", "i"}, {"replacement", "abc"}});
  CHECK_THROWS_WITH(bad->apply(sink_record(schema, Value(v))), Catch::Contains("Unable to convert abc"));
  auto on_bool = make_transform("MaskField$Value", {{"fields", "b"}, {"replacement", "x"}});
  CHECK_THROWS_WITH(on_bool->apply(sink_record(schema, Value(v))), Catch::Contains("Cannot mask value of type class java.lang.Boolean"));
  CHECK_THROWS_AS(make_transform("MaskField$Value", {{"fields", "i"}, {"replacement", ""}}), config::ConfigError);
  CHECK_THROWS_AS(make_transform("MaskField$Value", {{"fields", ""}}), config::ConfigError);

  auto schemaless = t->apply(sink_record(nullptr, Value(map_of({{"i", Value(int64_t{5})}, {"s", Value("x")}}))));
  CHECK(field(schemaless->value, "i") == Value(int64_t{0}));
  CHECK(field(schemaless->value, "s") == Value(""));
}

TEST_CASE("ReplaceField includes, excludes and renames", "[transform]") {
  auto t = make_transform("ReplaceField$Value", {{"include", "id,name,age"}, {"exclude", "age"}, {"renames", "name:n"}});
  auto out = t->apply(sink_record(person(), ada()));
  REQUIRE(out->value_schema->fields.size() == 2);
  CHECK(out->value_schema->fields[1].name == "n");
  CHECK(out->value.as_struct().get("n") == Value("Ada"));
  CHECK(*out->value_schema->name == "com.example.Person");
  auto schemaless = t->apply(sink_record(nullptr, Value(map_of({{"id", Value(int64_t{1})}, {"name", Value("A")}, {"x", Value(true)}}))));
  CHECK(schemaless->value == Value(map_of({{"id", Value(int64_t{1})}, {"n", Value("A")}})));
  auto legacy = make_transform("ReplaceField$Value", {{"blacklist", "age"}});
  CHECK(legacy->apply(sink_record(person(), ada()))->value_schema->fields.size() == 2);
  CHECK_THROWS_AS(make_transform("ReplaceField$Value", {{"blacklist", "a"}, {"exclude", "b"}}), config::ConfigError);
  CHECK_THROWS_WITH(make_transform("ReplaceField$Value", {{"renames", "a:b:c"}}), Catch::Contains("Invalid rename mapping: a:b:c"));
  CHECK(t->apply(sink_record(person(), Value()))->value.is_null());
}

// A schemaless map as Java's HashMap.put sees it: a rename onto a key kept before or after it leaves one
// entry, in the place of the first, holding the later value; a key repeated in the map does the same.
// Names alike in length and last byte (which share a bit of the check that skips the search) stay apart.
TEST_CASE("ReplaceField on schemaless maps: renames onto kept keys, repeated keys, look-alike names", "[transform]") {
  auto rename = make_transform("ReplaceField$Value", {{"renames", "a:b"}});
  auto i = [](int64_t x) { return Value(x); };
  CHECK(rename->apply(sink_record(nullptr, Value(map_of({{"a", i(1)}, {"b", i(2)}, {"c", i(3)}}))))->value ==
        Value(map_of({{"b", i(2)}, {"c", i(3)}})));
  CHECK(rename->apply(sink_record(nullptr, Value(map_of({{"b", i(2)}, {"c", i(3)}, {"a", i(1)}}))))->value ==
        Value(map_of({{"b", i(1)}, {"c", i(3)}})));
  CHECK(rename->apply(sink_record(nullptr, Value(map_of({{"xb", i(1)}, {"yb", i(2)}, {"a", i(3)}, {"zb", i(4)}}))))
            ->value == Value(map_of({{"xb", i(1)}, {"yb", i(2)}, {"b", i(3)}, {"zb", i(4)}})));
  auto keep_all = make_transform("ReplaceField$Value", {{"exclude", "x"}});
  CHECK(keep_all->apply(sink_record(nullptr, Value(map_of({{"a", i(1)}, {"x", i(0)}, {"a", i(2)}, {"ab", i(3)}}))))
            ->value == Value(map_of({{"a", i(2)}, {"ab", i(3)}})));
}

// The schemaless path searches the exclude and rename lists only for names whose map_key_bit one
// of them has: names sharing an excluded or renamed name's bit (same length, same last byte) must
// still be told apart, and include lists searched for every name.
TEST_CASE("ReplaceField on schemaless maps tells names that share a listed name's bit apart", "[transform]") {
  auto i = [](int64_t x) { return Value(x); };
  REQUIRE(map_key_bit("msg") == map_key_bit("abg"));
  REQUIRE(map_key_bit("user") == map_key_bit("beer"));
  auto t = make_transform("ReplaceField$Value", {{"exclude", "msg"}, {"renames", "user:username"}});
  CHECK(t->apply(sink_record(nullptr, Value(map_of({{"abg", i(1)}, {"msg", i(2)}, {"beer", i(3)}, {"user", i(4)},
                                                    {"id", i(5)}}))))
            ->value == Value(map_of({{"abg", i(1)}, {"beer", i(3)}, {"username", i(4)}, {"id", i(5)}})));
  auto only = make_transform("ReplaceField$Value", {{"include", "id,abg"}, {"exclude", "msg"}});
  CHECK(only->apply(sink_record(nullptr, Value(map_of({{"abg", i(1)}, {"msg", i(2)}, {"x", i(3)}, {"id", i(4)}}))))
            ->value == Value(map_of({{"abg", i(1)}, {"id", i(4)}})));
}

TEST_CASE("SetSchemaMetadata sets name and version", "[transform]") {
  auto t = make_transform("SetSchemaMetadata$Value", {{"schema.name", "foo"}, {"schema.version", "42"}});
  auto out = t->apply(sink_record(person(), ada()));
  CHECK(*out->value_schema->name == "foo");
  CHECK(*out->value_schema->version == 42);
  CHECK(out->value.as_struct().schema == out->value_schema);  // the struct follows its new schema
  CHECK(out->value.as_struct().get("name") == Value("Ada"));
  CHECK_THROWS_WITH(make_transform("SetSchemaMetadata$Value", {}), Catch::Contains("Neither schema name nor version"));
  CHECK_THROWS_WITH(t->apply(sink_record(nullptr, Value(map_of({})))), "Schema required for [updating schema metadata]");
  auto tomb = t->apply(sink_record(person(), Value()));
  CHECK(*tomb->value_schema->name == "foo");
}

TEST_CASE("ValueToKey builds the key from value fields", "[transform]") {
  auto t = make_transform("ValueToKey", {{"fields", "id,name"}});
  auto out = t->apply(sink_record(person(), ada()));
  REQUIRE(out->key_schema->fields.size() == 2);
  CHECK(out->key.as_struct().get("id") == Value(int32_t{7}));
  CHECK(out->value == ada());
  auto schemaless = t->apply(sink_record(nullptr, Value(map_of({{"id", Value(int64_t{1})}, {"x", Value(true)}}))));
  CHECK(schemaless->key == Value(map_of({{"id", Value(int64_t{1})}, {"name", Value()}})));
  auto missing = make_transform("ValueToKey", {{"fields", "nope"}});
  CHECK_THROWS_WITH(missing->apply(sink_record(person(), ada())), "Field does not exist: nope");
  CHECK_THROWS_AS(make_transform("ValueToKey", {{"fields", ""}}), config::ConfigError);
}
