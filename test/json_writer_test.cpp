#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <vector>

#include <fmt/format.h>
#include <simdjson.h>

#include "json/base64.h"
#include "json/json_reader.h"
#include "json/json_writer.h"
#include "json/utf8.h"

using namespace connectrun;

namespace {
std::string d(double x) {
  std::string s;
  append_java_double(s, x);
  return s;
}
std::string f(float x) {
  std::string s;
  append_java_float(s, x);
  return s;
}
std::string js(std::string_view x) {
  std::string s;
  append_json_string(s, x);
  return s;
}
}  // namespace

TEST_CASE("doubles are written in Double.toString's shape", "[json]") {
  CHECK(d(100.0) == "100.0");
  CHECK(d(0.001) == "0.001");
  CHECK(d(1e-4) == "1.0E-4");
  CHECK(d(1e7) == "1.0E7");
  CHECK(d(9999999.0) == "9999999.0");
  CHECK(d(1e20) == "1.0E20");
  CHECK(d(1e-7) == "1.0E-7");
  CHECK(d(-1.5e10) == "-1.5E10");
  CHECK(d(-0.0) == "-0.0");
  CHECK(d(0.0) == "0.0");
  CHECK(d(3.141592653589793) == "3.141592653589793");
  CHECK(d(123456789.125) == "1.23456789125E8");
  CHECK(d(std::numeric_limits<double>::denorm_min()) == "4.9E-324");
  CHECK(d(std::numeric_limits<double>::max()) == "1.7976931348623157E308");
  CHECK(d(std::nan("")) == "NaN");
  CHECK(d(-std::numeric_limits<double>::infinity()) == "-Infinity");
}

TEST_CASE("floats are written in Float.toString's shape", "[json]") {
  CHECK(f(0.1f) == "0.1");
  CHECK(f(1.1f) == "1.1");
  CHECK(f(1e10f) == "1.0E10");
  CHECK(f(16777217.0f) == "1.6777216E7");
  CHECK(f(-0.0f) == "-0.0");
  CHECK(f(std::numeric_limits<float>::max()) == "3.4028235E38");
}

TEST_CASE("non-finite numbers are JSON strings", "[json]") {
  std::string s;
  append_json_double(s, std::numeric_limits<double>::infinity());
  CHECK(s == "\"Infinity\"");
}

TEST_CASE("strings are escaped as Jackson escapes them", "[json]") {
  CHECK(js("a\"b\\c/d") == R"("a\"b\\c/d")");
  CHECK(js("\n\t\r\b\f") == R"("\n\t\r\b\f")");
  CHECK(js(std::string("\x01\x1f\x7f", 3)) == "\"\\u0001\\u001F\x7f\"");
  CHECK(js(std::string("nul\0", 4)) == R"("nul\u0000")");
  CHECK(js("é 漢字 \u2028") == "\"é 漢字 \u2028\"");
  CHECK(js("😀") == R"("\uD83D\uDE00")");
}

// The writer's fast loop and its slow path take turns within one string (a quote right after a control or a
// supplementary character, long runs of either), and it appends to what the string already holds: each mix
// against a plain reference of Jackson's escaping for valid UTF-8.
TEST_CASE("strings mixing quotes controls and non-ASCII escape as Jackson escapes them, appended", "[json]") {
  // Runs longer than the writer's 16-byte blocks, and malformed bytes (U+FFFD, as Java decodes them).
  const std::vector<std::string> pieces = {"a", "\"", "\\", "\n", "\x01", "é", "漢", "😀", "lorem ipsum ", "\"\"",
                                           "0123456789abcdefghijklmnop", "\xff", "\xc3"};
  const std::vector<std::string> escaped = {"a", "\\\"", "\\\\", "\\n", "\\u0001", "é", "漢", "\\uD83D\\uDE00",
                                            "lorem ipsum ", "\\\"\\\"", "0123456789abcdefghijklmnop", "\uFFFD",
                                            "\uFFFD"};
  uint32_t seed = 12345;
  for (int round = 0; round < 2000; ++round) {
    std::string in, want = "prefix\"";
    const int n = static_cast<int>((seed >> 4) % 40);
    for (int k = 0; k < n; ++k) {
      seed = seed * 1103515245u + 12345u;
      const size_t p = (seed >> 16) % pieces.size();
      in += pieces[p];
      want += escaped[p];
    }
    want += '"';
    std::string out = "prefix";
    append_json_string(out, in);
    INFO(in);
    REQUIRE(out == want);
  }
}

// is_ascii reads blocks of 16 and 32 bytes with the last ones overlapping: a non-ASCII byte at any
// place of any length up to 100 must be found, and valid UTF-8 there still counts as valid.
TEST_CASE("is_ascii finds a non-ASCII byte at every place of every length", "[json][utf8]") {
  for (size_t len = 0; len <= 100; ++len) {
    std::string s(len, 'a');
    INFO("length " << len);
    CHECK(utf8::is_ascii(s));
    for (size_t at = 0; at < len; ++at) {
      std::string t = s;
      t[at] = '\x80';
      INFO("at " << at);
      CHECK_FALSE(utf8::is_ascii(t));
      CHECK_FALSE(utf8::is_valid(t));  // a stray continuation byte
      if (at + 1 < len) {
        t[at] = '\xC3';
        t[at + 1] = '\xA9';  // é
        CHECK(utf8::is_valid(t));
      }
    }
  }
}

// What `new String(bytes, UTF_8)` gives on JDK 17 (String.decodeUTF8_UTF16), as
// JSON: one U+FFFD per malformed subsequence, never raw invalid bytes.
TEST_CASE("invalid UTF-8 is written as U+FFFD the way Java decodes it — always valid JSON", "[json][utf8]") {
  const std::string R = "\xEF\xBF\xBD";
  auto q = [](const std::string& x) { return "\"" + x + "\""; };
  CHECK(js("a\xFF" "b") == q("a" + R + "b"));
  CHECK(js("\xC3") == q(R));                                        // a two-byte lead at the end
  CHECK(js("\xC3(") == q(R + "("));
  CHECK(js("\xC0\xAF") == q(R + R));                                // C0/C1 are never valid
  CHECK(js("\xE2\x82") == q(R));                                    // a valid prefix cut short: one
  CHECK(js("\xE2\x82(") == q(R + "("));
  CHECK(js("\xE0\x80\x80") == q(R + R + R));                        // overlong: each byte
  CHECK(js("\xED\xA0\x80") == q(R + R + R));                        // an encoded surrogate: each byte
  CHECK(js("\xED\xA0(") == q(R + "("));                             // Java's malformed3 counts two here
  CHECK(js("\xF0\x9F\x98") == q(R));
  CHECK(js("\xF0\x9F\x98(") == q(R + "("));
  CHECK(js("\xF0\x9F(") == q(R + "("));
  CHECK(js("\xF4\x90\x80\x80") == q(R + R + R + R));                // beyond U+10FFFF
  CHECK(js("\xF8\x88\x80\x80\x80") == q(R + R + R + R + R));
  CHECK(js("\x80\xBF") == q(R + R));                                // stray continuations
  // Valid characters around invalid ones are kept; escapes still apply.
  CHECK(js("é\xFF" "😀\"\n漢") == q("é" + R + "\\uD83D\\uDE00\\\"\\n漢"));
  CHECK(js("ok é then \xE9t\xE9") == q("ok é then " + R + "t" + R));

  // Every byte string of up to 3 bytes from a mix of tricky bytes: valid UTF-8
  // inside a JSON string, equal to the input where the input was valid.
  const std::string bytes = std::string("a\"\\\x01\x7f\x80\xbf\xc2\xc3\xdf\xe0\xe2\xed\xef\xf0\xf4\xf5\xff\xa0\x90", 20);
  simdjson::dom::parser parser;
  size_t checked = 0;
  for (char a : bytes)
    for (char b : bytes)
      for (char c : bytes) {
        std::string in{a, b, c};
        std::string out = js(in);
        simdjson::dom::element e;
        INFO("input bytes " << std::hex << int(uint8_t(a)) << " " << int(uint8_t(b)) << " " << int(uint8_t(c)));
        REQUIRE_FALSE(parser.parse(out).get(e));
        REQUIRE(e.is_string());
        if (utf8::is_valid(in)) CHECK(e.get_string().value() == in);
        CHECK(std::string(e.get_string().value()) == utf8::to_valid(in));
        ++checked;
      }
  CHECK(checked == 8000);
}

TEST_CASE("BigDecimal.toString shapes", "[json]") {
  auto bd = [](std::string_view t) {
    std::string s;
    append_big_decimal(s, Decimal::from_string(t));
    return s;
  };
  CHECK(bd("123.45") == "123.45");
  CHECK(bd("-0.001") == "-0.001");
  CHECK(bd("0.00") == "0.00");
  CHECK(bd("0.0000000001") == "1E-10");
  CHECK(bd("1.5E+3") == "1.5E+3");
  CHECK(bd("42") == "42");
}

TEST_CASE("base64 encodes with padding and rejects invalid input", "[json]") {
  CHECK(base64::encode("") == "");
  CHECK(base64::encode("f") == "Zg==");
  CHECK(base64::encode("fo") == "Zm8=");
  CHECK(base64::encode("foo") == "Zm9v");
  CHECK(base64::encode(std::string("\x00\x01\x02\xfe\xff", 5)) == "AAEC/v8=");
  CHECK(base64::decode("AAEC/v8=").value() == std::string("\x00\x01\x02\xfe\xff", 5));
  CHECK(base64::decode("Zm9v").value() == "foo");
  CHECK_FALSE(base64::decode("Zm9").has_value());
  CHECK_FALSE(base64::decode("Zm=v").has_value());
  CHECK_FALSE(base64::decode("Zg==Zg==").has_value());
  CHECK_FALSE(base64::decode("Zm9*").has_value());
}

TEST_CASE("schemaless JSON is read in document order and written back", "[json]") {
  Value v = parse_schemaless_json(R"({"b":1,"a":[2.5,"x",true,null],"c":{}})");
  REQUIRE(v.is<MapEntries>());
  const auto& m = v.as<MapEntries>();
  REQUIRE(m.size() == 3);
  CHECK(m[0].first == Value("b"));
  CHECK(m[0].second == Value(int64_t{1}));
  CHECK(m[1].second.as<Array>()[0] == Value(2.5));
  CHECK(to_schemaless_json(v) == R"({"b":1,"a":[2.5,"x",true,null],"c":{}})");
  CHECK_THROWS_AS(parse_schemaless_json("{\"a\":"), DataException);
  CHECK_THROWS_AS(parse_schemaless_json("[1] x"), DataException);
}

// Keys and values of every length up to 40, each with one character to escape at each place in
// turn (or none), in one map: the writer's short-string path, its general loop and the room it
// makes for a whole record, against a plain escaper of ASCII.
TEST_CASE("schemaless maps write keys and values of every length and escape at every place", "[json]") {
  auto plain_escape = [](const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
      if (c == '"' || c == '\\') out += '\\', out += c;
      else if (c == '\n') out += "\\n";
      else if (static_cast<unsigned char>(c) < 0x20) out += fmt::format("\\u{:04X}", static_cast<int>(c));
      else out += c;
    }
    return out + '"';
  };
  const std::string specials = "\"\\\n\x01";
  MapEntries m;
  std::string want = "{";
  for (size_t len = 0; len <= 40; ++len) {
    for (size_t at = 0; at <= len; ++at) {
      std::string s(len, 'x');
      for (size_t k = 0; k < len; ++k) s[k] = static_cast<char>('a' + (k * 7 + len) % 26);
      if (at < len) s[at] = specials[(len + at) % specials.size()];
      std::string key = "k" + std::to_string(len) + "_" + std::to_string(at) + s.substr(0, len % 17);
      if (m.size() > 0) want += ',';
      want += plain_escape(key) + ':' + plain_escape(s);
      m.emplace_back(Value(key), Value(s));
    }
  }
  want += '}';
  std::string out = "before";
  append_schemaless_json(out, Value(m));
  CHECK(out == "before" + want);
}

TEST_CASE("schemaless writer handles non-string keys, bytes, decimals and dates", "[json]") {
  MapEntries m{{Value(int32_t{1}), Value("one")}};
  CHECK(to_schemaless_json(Value(m)) == R"([[1,"one"]])");
  MapEntries pairs{{Value(int32_t{1}), Value("one")}, {Value("k"), Value(int64_t{2})}, {Value(true), Value()}};
  CHECK(to_schemaless_json(Value(pairs)) == R"([[1,"one"],["k",2],[true,null]])");
  // String keys first, then another: the whole map as pairs, nothing of the object start left.
  MapEntries late{{Value("k"), Value(1.5)}, {Value("s"), Value("x")}, {Value(int64_t{7}), Value(MapEntries{})}};
  CHECK(to_schemaless_json(Value(late)) == R"([["k",1.5],["s","x"],[7,{}]])");
  std::string out = "[";
  append_schemaless_json(out, Value(late));
  CHECK(out == R"([[["k",1.5],["s","x"],[7,{}]])");
  // Values of 17 to 32 bytes are copied whole when plain: non-ASCII (raw, or a surrogate pair
  // outside the BMP), DEL and controls in them take the general way.
  MapEntries text{{Value("a"), Value("2026-11-25T10:00:00Z")},
                  {Value("b"), Value("caf\xC3\xA9 caf\xC3\xA9 caf\xC3\xA9 !")},
                  {Value("c"), Value("smile \xF0\x9F\x98\x80 smile smile")},
                  {Value("d"), Value("del\x7F del del del del del")},
                  {Value("e"), Value("tab\tand more words here ok")},
                  {Value("a key of twenty chars"), Value("x")}};
  CHECK(to_schemaless_json(Value(text)) ==
        "{\"a\":\"2026-11-25T10:00:00Z\",\"b\":\"caf\xC3\xA9 caf\xC3\xA9 caf\xC3\xA9 !\","
        "\"c\":\"smile \\uD83D\\uDE00 smile smile\",\"d\":\"del\x7F del del del del del\","
        "\"e\":\"tab\\tand more words here ok\",\"a key of twenty chars\":\"x\"}");
  CHECK(to_schemaless_json(Value(Bytes{"foo"})) == R"("Zm9v")");
  CHECK(to_schemaless_json(Value(Decimal::from_string("12.30"))) == "12.30");
  CHECK(to_schemaless_json(Value(Timestamp{1700000000000})) == "1700000000000");
}
