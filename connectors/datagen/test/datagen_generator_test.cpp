// The generator behind DataGen: the arg.properties annotations (iteration,
// range, options, length, regex), every quickstart under JsonConverter, and
// clear errors for schemas connectrun cannot generate from.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <regex>
#include <set>

#include "connectors/datagen/avro_generator.h"
#include "connectors/datagen/datagen_source.h"
#include "connectors/datagen/quickstarts.h"
#include "connectors/datagen/regex_generator.h"
#include "converters/json_converter.h"
#include "json/json_reader.h"

using namespace connectrun;
using namespace connectrun::datagen;

namespace {

// A record schema with one field `f` of the given Avro type JSON.
std::string one_field(const std::string& type_json) {
  return R"({"type":"record","name":"r","namespace":"t","fields":[{"name":"f","type":)" + type_json + "}]}";
}

std::vector<Value> draw(const std::string& schema, int n, int64_t generation = 0, uint64_t seed = 7) {
  AvroGenerator gen(schema, generation);
  Rng rng(seed);
  std::vector<Value> out;
  for (int i = 0; i < n; ++i) out.push_back(gen.generate(rng).as_struct().values.at(0));
  return out;
}

std::string error_of(const std::string& schema) {
  try {
    AvroGenerator gen(schema, 0);
  } catch (const SchemaError& e) {
    return e.what();
  }
  return "(no error)";
}

config::ConfigValues datagen_config(std::map<std::string, std::string> settings) {
  const PluginInfo info = datagen_source_plugin();
  config::RawConfig raw;
  for (auto& [k, v] : settings) raw[k] = config::RawEntry{v, {}};
  config::Problems problems;
  auto values = config::parse(info.spec, raw, "", problems);
  REQUIRE(problems.empty());
  return values;
}

// The ConfigError configure() raises, as "key: message".
std::string configure_error(std::map<std::string, std::string> settings) {
  settings.emplace("kafka.topic", "t");
  auto task = datagen_source_plugin().make_source();
  try {
    task->configure(datagen_config(settings));
  } catch (const config::ConfigError& e) {
    return e.key() + ": " + e.what();
  }
  return "(no error)";
}

}  // namespace

TEST_CASE("iteration steps from start by step and wraps at restart", "[datagen]") {
  auto ints = draw(one_field(R"({"type":"int","arg.properties":{"iteration":{"start":3,"step":2,"restart":9}}})"), 7);
  std::vector<int32_t> got;
  for (auto& v : ints) got.push_back(v.as<int32_t>());
  CHECK(got == std::vector<int32_t>{3, 5, 7, 3, 5, 7, 3});

  auto down = draw(one_field(R"({"type":"long","arg.properties":{"iteration":{"start":10,"restart":7}}})"), 5);
  std::vector<int64_t> d;
  for (auto& v : down) d.push_back(v.as<int64_t>());
  CHECK(d == std::vector<int64_t>{10, 9, 8, 10, 9});

  // initial, then a resumed generator continues where `generation` records left it.
  auto init = draw(one_field(R"({"type":"long","arg.properties":{"iteration":{"start":0,"restart":5,"initial":3}}})"), 3);
  CHECK(init[0].as<int64_t>() == 3);
  CHECK(init[2].as<int64_t>() == 0);
  auto resumed = draw(one_field(R"({"type":"long","arg.properties":{"iteration":{"start":1,"step":10}}})"), 2, 4);
  CHECK(resumed[0].as<int64_t>() == 41);
  CHECK(resumed[1].as<int64_t>() == 51);

  // Strings count as ints; doubles step in double arithmetic; booleans alternate.
  auto strs = draw(one_field(R"({"type":"string","arg.properties":{"iteration":{"start":0},"prefix":"p-"}})"), 2);
  CHECK(strs[1].as<std::string>() == "p-1");
  auto dbl = draw(one_field(R"({"type":"double","arg.properties":{"iteration":{"start":0.5,"step":0.25}}})"), 3);
  CHECK(dbl[2].as<double>() == 1.0);
  auto bools = draw(one_field(R"({"type":"boolean","arg.properties":{"iteration":{"start":true}}})"), 3);
  CHECK(bools[0].as<bool>());
  CHECK_FALSE(bools[1].as<bool>());
  CHECK(bools[2].as<bool>());

  // As in the Java generator, equal schemas share one iterator (inventory's three fields).
  AvroGenerator inv(std::string(find_quickstart("inventory")->schema), 0);
  Rng rng(1);
  const Value first = inv.generate(rng);
  CHECK(first.as_struct().get("id").as<int64_t>() == 0);
  CHECK(first.as_struct().get("quantity").as<int64_t>() == 1);
  CHECK(first.as_struct().get("productid").as<int64_t>() == 2);
  CHECK(inv.generate(rng).as_struct().get("id").as<int64_t>() == 3);

  CHECK_THAT(error_of(one_field(R"({"type":"int","arg.properties":{"iteration":{"step":1}}})")),
             Catch::Contains("field r.f: iteration property must contain start field"));
  CHECK_THAT(error_of(one_field(R"({"type":"int","arg.properties":{"iteration":{"start":1,"restart":1}}})")),
             Catch::Contains("cannot be equal"));
  CHECK_THAT(error_of(one_field(R"({"type":"int","arg.properties":{"iteration":{"start":1},"range":{"min":1}}})")),
             Catch::Contains("cannot have \"range\" together with \"iteration\""));
}

TEST_CASE("range keeps numbers in min inclusive to max exclusive and covers it", "[datagen]") {
  std::set<int32_t> seen;
  for (auto& v : draw(one_field(R"({"type":"int","arg.properties":{"range":{"min":-1,"max":3}}})"), 400)) {
    REQUIRE(v.as<int32_t>() >= -1);
    REQUIRE(v.as<int32_t>() < 3);
    seen.insert(v.as<int32_t>());
  }
  CHECK(seen == std::set<int32_t>{-1, 0, 1, 2});
  for (auto& v : draw(one_field(R"({"type":"long","arg.properties":{"range":{"min":1487715775521,"max":1519273364600}}})"), 200)) {
    REQUIRE(v.as<int64_t>() >= 1487715775521);
    REQUIRE(v.as<int64_t>() < 1519273364600);
  }
  for (auto& v : draw(one_field(R"({"type":"double","arg.properties":{"range":{"min":0.1,"max":10.0}}})"), 200)) {
    REQUIRE(v.as<double>() >= 0.1);
    REQUIRE(v.as<double>() < 10.0);
  }
  // Only max: the span is wider than int64, drawn without overflow.
  for (auto& v : draw(one_field(R"({"type":"long","arg.properties":{"range":{"max":0}}})"), 200))
    REQUIRE(v.as<int64_t>() < 0);
  CHECK_THAT(error_of(one_field(R"({"type":"int","arg.properties":{"range":{"min":5,"max":5}}})")),
             Catch::Contains("'min' field must be strictly less than 'max' field"));
}

TEST_CASE("options draw only the listed values and all of them", "[datagen]") {
  std::set<std::string> seen;
  for (auto& v : draw(one_field(R"({"type":"string","arg.properties":{"options":["a","b","c"]}})"), 200))
    seen.insert(v.as<std::string>());
  CHECK(seen == std::set<std::string>{"a", "b", "c"});
  // Whole records, arrays and maps as options (the stores and users_ quickstarts).
  AvroGenerator stores(std::string(find_quickstart("stores")->schema), 0);
  Rng rng(3);
  const Value s = stores.generate(rng);
  CHECK(s.as_struct().get("store_id").as<int32_t>() >= 1);
  CHECK(s.as_struct().get("city").is<std::string>());
  AvroGenerator users_(std::string(find_quickstart("users_")->schema), 0);
  const Value u = users_.generate(rng);
  CHECK(u.as_struct().get("interests").as<Array>().size() == 2);
  CHECK(u.as_struct().get("contactinfo").find("phone") != nullptr);
  // A record option missing a required field is refused.
  CHECK_THAT(error_of(R"({"type":"record","name":"r","fields":[{"name":"a","type":"int"}],"arg.properties":{"options":[{"b":1}]}})"),
             Catch::Contains("has no value for the field \"a\""));

  CHECK_THAT(error_of(one_field(R"({"type":"int","arg.properties":{"options":["x"]}})")),
             Catch::Contains("field r.f: the option \"x\" is not a valid int32 value"));
  CHECK_THAT(error_of(one_field(R"({"type":"string","arg.properties":{"options":[]}})")),
             Catch::Contains("\"options\" cannot be empty"));
  // Options from a file, in Avro's JSON encoding (values one after another).
  char path[] = "/tmp/datagen-options-XXXXXX";
  const int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  const std::string values = "\"north\" \"south\"\n\"east\"\n";
  REQUIRE(::write(fd, values.data(), values.size()) == static_cast<ssize_t>(values.size()));
  ::close(fd);
  std::set<std::string> from_file;
  for (auto& v : draw(one_field(std::string(R"({"type":"string","arg.properties":{"options":{"file":")") + path +
                                R"(","encoding":"json"}}})"),
                      100))
    from_file.insert(v.as<std::string>());
  ::unlink(path);
  CHECK(from_file == std::set<std::string>{"north", "south", "east"});
  CHECK_THAT(error_of(one_field(R"({"type":"string","arg.properties":{"options":{"file":"/nonexistent/o.json","encoding":"json"}}})")),
             Catch::Contains("field r.f: Unable to read options file '/nonexistent/o.json'"));
  CHECK_THAT(error_of(one_field(R"({"type":"string","arg.properties":{"options":{"file":"o.bin","encoding":"binary"}}})")),
             Catch::Contains("not supported by connectrun"));
}

TEST_CASE("length bounds strings and arrays and a plain string is 8 to 15 ASCII characters", "[datagen]") {
  for (auto& v : draw(one_field(R"({"type":"string","arg.properties":{"length":{"min":2,"max":4}}})"), 100)) {
    REQUIRE(v.as<std::string>().size() >= 2);
    REQUIRE(v.as<std::string>().size() < 4);
  }
  for (auto& v : draw(one_field(R"({"type":"array","items":"int","arg.properties":{"length":3}})"), 20))
    REQUIRE(v.as<Array>().size() == 3);
  for (auto& v : draw(one_field(R"("string")"), 100)) {
    REQUIRE(v.as<std::string>().size() >= 8);
    REQUIRE(v.as<std::string>().size() < 16);
    for (char c : v.as<std::string>()) REQUIRE(static_cast<unsigned char>(c) < 128);
  }
  CHECK_THAT(error_of(one_field(R"({"type":"string","arg.properties":{"length":{"min":4,"max":2}}})")),
             Catch::Contains("max field must be strictly greater than min field"));
}

TEST_CASE("regex strings match their pattern and a pattern outside the subset is refused naming the field",
          "[datagen]") {
  const std::vector<std::string> patterns = {
      "User_[1-9]",        "Item_[1-9][0-9]{0,2}",          "City_[1-9]{0,2}",     "[a-z ]{10,15}",
      "lab-\\d{1,3}",      "https://www[.]acme[.]com/p/[a-z]{5}", "\\[[0-9][0-9],[0-9][0-9]\\]",
      "(ab|cd)+x?",        "[^a-z]{3}",                    "(?:x|y){2,}\\.z*",   "a.b\\w\\s"};
  for (const auto& p : patterns) {
    RegexGenerator gen(p, 15);
    const std::regex re(p, std::regex::ECMAScript);
    Rng rng(11);
    for (int i = 0; i < 200; ++i) {
      const std::string s = gen.generate(rng);
      INFO(p << " gave " << s);
      REQUIRE(std::regex_match(s, re));
    }
  }
  // Alternatives and class members are each drawn.
  RegexGenerator alt("a|b|c", 15);
  Rng rng(5);
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) seen.insert(alt.generate(rng));
  CHECK(seen.size() == 3);

  for (const char* bad : {"(?=x)y", "a\\1", "\\bword", "a{3", "[z-a]", "(ab", "a^b", "*a"}) {
    std::string escaped;
    for (char c : std::string(bad)) {
      if (c == '\\') escaped += "\\\\";
      else escaped.push_back(c);
    }
    const std::string err = error_of(one_field(R"({"type":"string","arg.properties":{"regex":")" + escaped + "\"}}"));
    INFO(bad);
    CHECK_THAT(err, Catch::StartsWith("field r.f: the regex \"") && Catch::Contains("outside the subset"));
  }
}

TEST_CASE("bad schemas give clear errors", "[datagen]") {
  CHECK_THAT(error_of("{not json"), Catch::StartsWith("the schema is not valid JSON"));
  CHECK_THAT(error_of(one_field(R"("uuid4")")), Catch::Contains("field r.f: unknown type \"uuid4\""));
  CHECK_THAT(error_of(one_field(R"({"type":"quaternion"})")), Catch::Contains("field r.f: unknown Avro type \"quaternion\""));
  CHECK_THAT(error_of(one_field(R"(["int","string"])")), Catch::Contains("field r.f: a union of more than one non-null type"));
  CHECK_THAT(error_of(one_field(R"({"type":"string","arg.properties":[1]})")),
             Catch::Contains("\"arg.properties\" must be an object"));
  CHECK_THAT(error_of(R"({"type":"record","name":"n","fields":[{"name":"self","type":"n"}]})"),
             Catch::Contains("recursive types are not supported"));

  // Through the connector's configure(), as `connectrun validate` reports them.
  CHECK_THAT(configure_error({{"schema.string", "{oops"}}),
             Catch::StartsWith("schema.string: Unable to parse the provided schema: the schema is not valid JSON"));
  CHECK_THAT(configure_error({{"schema.string", one_field(R"("int")")}, {"schema.keyfield", "g"}}),
             Catch::StartsWith("schema.keyfield: The schema does not contain the field provided in 'schema.keyfield' "
                               "(\"g\"); its fields are f"));
  CHECK_THAT(configure_error({{"quickstart", "userz"}}), Catch::StartsWith("quickstart: quickstart must be one out of"));
  CHECK_THAT(configure_error({}), Catch::Contains("Must set exactly one of schema.string, schema.filename, quickstart"));
  CHECK_THAT(configure_error({{"quickstart", "users"}, {"schema.string", one_field(R"("int")")}}),
             Catch::Contains("Must set exactly one of"));
  CHECK_THAT(configure_error({{"schema.string", R"("int")"}}), Catch::Contains("the schema must be a record"));
  CHECK_THAT(configure_error({{"schema.filename", "/nonexistent/s.avsc"}}),
             Catch::StartsWith("schema.filename: cannot read the schema file /nonexistent/s.avsc"));
  CHECK(configure_error({{"schema.filename", "orders_schema.avro"}}) == "(no error)");
  CHECK_THAT(configure_error({{"quickstart", "shoes"}}),
             Catch::StartsWith("quickstart: the quickstart shoes of kafka-connect-datagen is not built into connectrun"));
  CHECK(configure_error({{"quickstart", "USERS"}}) == "(no error)");
}

TEST_CASE("every quickstart generates records whose JsonConverter envelope has its fields and types", "[datagen]") {
  JsonConverter json;  // Kafka's defaults: schemas.enable=true
  simdjson::dom::parser parser;
  const std::vector<std::string> required = {"users", "pageviews", "orders", "clickstream", "ratings", "stock_trades",
                                             "inventory", "purchases", "transactions", "product"};
  std::set<std::string> names;
  for (const auto& q : quickstarts()) names.insert(std::string(q.name));
  for (const auto& r : required) CHECK(names.count(r) == 1);
  for (const auto& q : quickstarts()) {
    INFO("quickstart " << q.name);
    AvroGenerator gen(std::string(q.schema), 0);
    REQUIRE(gen.schema()->type == Type::Struct);
    REQUIRE(gen.schema()->field(q.key_field) != nullptr);
    Rng rng(99);
    for (int i = 0; i < 20; ++i) {
      const Value v = gen.generate(rng);
      REQUIRE_NOTHROW(validate_value(gen.schema(), v));
      std::string out;
      REQUIRE(json.from_connect_data("t", gen.schema(), v, out));
      const Value env = parse_schemaless_json(out);
      const Value* schema = env.find("schema");
      const Value* payload = env.find("payload");
      REQUIRE(schema);
      REQUIRE(payload);
      CHECK(schema->find("type")->as<std::string>() == "struct");
      const Array& fields = schema->find("fields")->as<Array>();
      REQUIRE(fields.size() == gen.schema()->fields.size());
      for (size_t f = 0; f < fields.size(); ++f) {
        const Field& expected = gen.schema()->fields[f];
        CHECK(fields[f].find("field")->as<std::string>() == expected.name);
        // JsonConverter's envelope names float32/float64 "float"/"double".
        const std::string want = expected.schema->type == Type::Float32   ? "float"
                                 : expected.schema->type == Type::Float64 ? "double"
                                                                          : std::string(type_name(expected.schema->type));
        CHECK(fields[f].find("type")->as<std::string>() == want);
        const Value* pv = payload->find(expected.name);
        REQUIRE(pv);
        if (pv->is_null()) {
          CHECK(expected.schema->optional);
          continue;
        }
        switch (expected.schema->type) {
          case Type::Int32:
          case Type::Int64:
            CHECK(pv->is<int64_t>());
            break;
          case Type::Float32:
          case Type::Float64:
            CHECK((pv->is<double>() || pv->is<int64_t>()));
            break;
          case Type::String:
          case Type::Bytes:
            CHECK(pv->is<std::string>());
            break;
          case Type::Boolean:
            CHECK(pv->is<bool>());
            break;
          case Type::Array:
            CHECK(pv->is<Array>());
            break;
          case Type::Map:
          case Type::Struct:
            CHECK(pv->is<MapEntries>());
            break;
          default:
            break;
        }
      }
    }
  }
  // The users quickstart exactly as kafka-connect-datagen declares it.
  AvroGenerator users(std::string(find_quickstart("users")->schema), 0);
  CHECK(*users.schema()->name == "ksql.users");
  std::string names_types;
  for (const Field& f : users.schema()->fields) names_types += f.name + ":" + std::string(type_name(f.schema->type)) + " ";
  CHECK(names_types == "registertime:int64 userid:string regionid:string gender:string ");
  AvroGenerator purchases(std::string(find_quickstart("purchases")->schema), 0);
  CHECK(schemas::is_logical(*purchases.schema()->field("price_per_unit")->schema, schemas::kDecimalName));
}
