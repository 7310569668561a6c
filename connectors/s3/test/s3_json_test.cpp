// JsonFormat's fast line writer against the general one it stands in for:
// the same bytes for every kind of value, whichever path writes them.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>

#include "connectors/s3/s3_json.h"
#include "json/json_writer.h"

using namespace connectrun;

namespace {

std::string general(const Value& v) { return to_schemaless_json(v) + "\n"; }

std::string fast(const Value& v) {
  std::string out = "prefix|";  // appends, keeping what is there
  s3::append_json_line(out, v);
  return out.substr(7);
}

}  // namespace

TEST_CASE("S3 JsonFormat lines are the bytes of the general JSON writer", "[s3]") {
  auto inner = SchemaBuilder::structure().field("x", schemas::int32()).build();
  auto schema = SchemaBuilder::structure()
                    .field("i8", schemas::int8())
                    .field("s", schemas::string(true))
                    .field("inner", inner)
                    .field("f64", schemas::float64())
                    .build();
  auto in = StructValue::make(inner);
  in->put("x", Value(int32_t{-7}));
  auto st = StructValue::make(schema);
  st->put("i8", Value(int8_t{-128}));
  st->put("s", Value("plain ~ text"));
  st->put("inner", Value(in));
  st->put("f64", Value(0.1));
  auto st_no_float = StructValue::make(inner);
  st_no_float->put("x", Value(int32_t{42}));

  std::vector<Value> values = {
      Value(),
      Value(true),
      Value(false),
      Value(int8_t{-128}),
      Value(int16_t{32767}),
      Value(std::numeric_limits<int32_t>::min()),
      Value(std::numeric_limits<int64_t>::min()),
      Value(std::numeric_limits<int64_t>::max()),
      Value(Timestamp{1764806400000}),
      Value(""),
      Value("printable ASCII with ~ and \x7f"),
      Value("quote \" and backslash \\"),
      Value("control \n \t \x01"),
      Value("utf-8 é ü 中 😀"),
      Value("eight by\"tes then a quote"),
      Value("eight by\\tes then a backslash"),
      Value("eight byt\x1f control"),
      Value("eight byte\x7f and DEL"),
      Value("twelve bytes\xc3\xa9"),
      Value("abcdefgh ijklmnop qrstuvwx yz012345 6789"),
      Value(std::string("bad \xff utf-8")),
      Value(1.5f),
      Value(0.1),
      Value(std::numeric_limits<double>::quiet_NaN()),
      Value(Bytes{std::string("\x00\xff", 2)}),
      Value(Decimal::from_string("-12.345")),
      Value(Array{}),
      Value(Array{Value(int32_t{1}), Value("a"), Value(), Value(Array{Value(true)})}),
      Value(Array{Value(int32_t{1}), Value(2.5)}),
      Value(MapEntries{}),
      Value(MapEntries{{Value("id"), Value(int64_t{1})}, {Value("user"), Value("user-1")}, {Value("ts"), Value("2026-11-25T10:00:00Z")}}),
      Value(MapEntries{{Value("k\"ey"), Value(int64_t{1})}}),
      Value(MapEntries{{Value(int32_t{1}), Value("int key")}, {Value(int32_t{2}), Value("b")}}),
      Value(MapEntries{{Value("a"), Value(MapEntries{{Value("b"), Value(Array{Value(int64_t{-1})})}})}}),
      Value(MapEntries{{Value("amount"), Value(12.25)}}),
      Value(st),
      Value(st_no_float),
      Value(std::string(5000, 'x')),  // longer than the stack buffer
      Value(Array(1000, Value("abcdefgh"))),
  };
  for (const auto& v : values) {
    INFO(general(v));
    CHECK(fast(v) == general(v));
  }
}
