// TransformChain: configuration checks, predicates with negate, drops and
// errors; and the registry's declarations of every transform and predicate.
#include "connectors/connectors.h"
#include "transform_test_util.h"

#include "transforms/chain.h"

using namespace connectrun;
using namespace connectrun::testing;

namespace {
config::RawConfig raw_of(const Props& props) {
  config::RawConfig raw;
  int line = 1;
  for (auto& [k, v] : props) raw[k] = config::RawEntry{v, config::Location{"conn.properties", line++, 0}};
  return raw;
}

struct Built {
  TransformChain chain;
  config::Problems problems;
  std::set<std::string> used;
};

Built build(const Props& props) {
  Built b;
  auto raw = raw_of(props);
  b.chain = TransformChain::build(builtin_plugins(), raw, "conn", b.problems, b.used);
  return b;
}

std::string all_problems(const config::Problems& p) {
  std::string out;
  for (auto& x : p.list()) out += x.str() + "\n";
  return out;
}
}  // namespace

TEST_CASE("a chain of several transforms with a predicate and negate", "[transform]") {
  auto b = build({{"transforms", "hoist,route,drop"},
                  {"transforms.hoist.type", "org.apache.kafka.connect.transforms.HoistField$Value"},
                  {"transforms.hoist.field", "line"},
                  {"transforms.route.type", "RegexRouter"},
                  {"transforms.route.regex", "(.*)"},
                  {"transforms.route.replacement", "$1-copy"},
                  {"transforms.route.predicate", "isOrders"},
                  {"transforms.drop.type", "Filter"},
                  {"transforms.drop.predicate", "isOrders"},
                  {"transforms.drop.negate", "true"},
                  {"predicates", "isOrders,unused"},
                  {"predicates.isOrders.type", "TopicNameMatches"},
                  {"predicates.isOrders.pattern", "orders.*"},
                  {"predicates.unused.type", "RecordIsTombstone"}});
  INFO(all_problems(b.problems));
  REQUIRE(b.problems.empty());
  CHECK(b.chain.size() == 3);
  CHECK(b.used.count("transforms.hoist.field"));
  CHECK(b.used.count("predicates.isOrders.pattern"));

  auto out = b.chain.apply(sink_record(nullptr, Value("hello"), "orders"));
  REQUIRE(out);
  CHECK(out->topic == "orders-copy");
  CHECK(field(out->value, "line") == Value("hello"));
  // Other topics: not renamed, and the negated Filter drops them.
  CHECK_FALSE(b.chain.apply(sink_record(nullptr, Value("x"), "other")).has_value());
}

TEST_CASE("chain errors name the stage and plugin", "[transform]") {
  auto b = build({{"transforms", "c"}, {"transforms.c.type", "Cast$Value"}, {"transforms.c.spec", "int32"}});
  REQUIRE(b.problems.empty());
  try {
    b.chain.apply(sink_record(schemas::string(), Value("abc")));
    FAIL("expected a TransformError");
  } catch (const TransformError& e) {
    CHECK(e.alias() == "c");
    CHECK(e.plugin() == "Cast$Value");
    CHECK_THAT(e.what(), Catch::Contains("Value (abc) was out of range"));
  }
}

TEST_CASE("chain configuration problems carry location, key and suggestions", "[transform]") {
  auto b = build({{"transforms", "a,a,b,c,d"},
                  {"transforms.a.type", "InsertFeild$Value"},
                  {"transforms.b.type", "Cast$Value"},
                  {"transforms.b.spec", "x:int32"},
                  {"transforms.b.spce", "y"},
                  {"transforms.c.type", "Filter"},
                  {"transforms.c.predicate", "nope"},
                  {"transforms.d.type", "ExtractField$Key"}});
  std::string text = all_problems(b.problems);
  INFO(text);
  CHECK_THAT(text, Catch::Contains("duplicate alias 'a'"));
  CHECK_THAT(text, Catch::Contains("unknown transform 'InsertFeild$Value' (did you mean 'InsertField$Value'?)"));
  CHECK_THAT(text, Catch::Contains("key 'transforms.b.spce': unknown key for transform 'Cast$Value' (did you mean 'spec'?)"));
  CHECK_THAT(text, Catch::Contains("key 'transforms.c.predicate': predicate 'nope' is not declared"));
  CHECK_THAT(text, Catch::Contains("key 'transforms.d.field': missing required key"));
  CHECK_THAT(text, Catch::Contains("conn.properties:"));

  auto missing_type = build({{"transforms", "x"}});
  CHECK_THAT(all_problems(missing_type.problems), Catch::Contains("transforms.x.type"));
  auto bad_value = build({{"transforms", "x"}, {"transforms.x.type", "TimestampConverter$Value"},
                          {"transforms.x.target.type", "string"}});
  CHECK_THAT(all_problems(bad_value.problems), Catch::Contains("key 'transforms.x.format'"));
  auto bad_negate = build({{"transforms", "x"}, {"transforms.x.type", "Filter"}, {"transforms.x.negate", "maybe"}});
  CHECK_THAT(all_problems(bad_negate.problems), Catch::Contains("transforms.x.negate"));
  auto bad_predicate = build({{"predicates", "p"}, {"predicates.p.type", "TopicNameMatches"}});
  CHECK_THAT(all_problems(bad_predicate.problems), Catch::Contains("predicates.p.pattern"));
  auto none = build({});
  CHECK(none.problems.empty());
  CHECK(none.chain.empty());
}

TEST_CASE("every transform and predicate is registered with its Java name and documented keys", "[transform]") {
  const std::vector<std::string> keyed = {"Cast", "ExtractField", "Flatten", "HeaderFrom", "HoistField", "InsertField",
                                          "MaskField", "ReplaceField", "SetSchemaMetadata", "TimestampConverter"};
  for (auto& base : keyed)
    for (auto suffix : {"$Key", "$Value"}) {
      INFO(base << suffix);
      CHECK(builtin_plugins().find(base + suffix, {PluginKind::Transform}));
      CHECK(builtin_plugins().find("org.apache.kafka.connect.transforms." + base + suffix, {PluginKind::Transform}));
    }
  for (auto name : {"DropHeaders", "Filter", "InsertHeader", "RegexRouter", "TimestampRouter", "ValueToKey"})
    CHECK(builtin_plugins().find(std::string("org.apache.kafka.connect.transforms.") + name, {PluginKind::Transform}));
  for (auto name : {"HasHeaderKey", "RecordIsTombstone", "TopicNameMatches"})
    CHECK(builtin_plugins().find(std::string("org.apache.kafka.connect.transforms.predicates.") + name,
                                 {PluginKind::Predicate}));
  for (auto& info : builtin_plugins().all()) {
    if (info.kind != PluginKind::Transform && info.kind != PluginKind::Predicate) continue;
    INFO(info.name);
    CHECK_FALSE(info.summary.empty());
    CHECK_FALSE(info.description.empty());
    for (auto& key : info.spec.keys()) {
      INFO(key.name);
      CHECK_FALSE(key.doc.empty());
      if (key.default_value && key.validator && !std::holds_alternative<std::monostate>(*key.default_value))
        CHECK_FALSE(key.validator->check(*key.default_value).has_value());
    }
  }
}
