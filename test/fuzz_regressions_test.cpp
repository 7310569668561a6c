// Inputs found by the fuzz targets in fuzz/, each kept as a regression test.
#include <catch2/catch.hpp>

#include <chrono>

#include "converters/simple_header_converter.h"
#include "data/value.h"

using namespace connectrun;

// fuzz_header_converter: "-19e0617261176726" has an exponent outside int, so
// the Decimal's scale wrapped around (int32 truncation; with a small exponent
// the subtraction could overflow, undefined behaviour) and the header read as
// -1.9E-1214113897. BigDecimal rejects such a number, so Values reads the text
// as a string.
TEST_CASE("fuzz: a number whose exponent does not fit the scale is not a number", "[fuzz][converter]") {
  CHECK_THROWS_AS(Decimal::from_string("-19e0617261176726"), DataException);
  CHECK_THROWS_AS(Decimal::from_string("1e99999999999999999999"), DataException);
  CHECK_THROWS_AS(Decimal::from_string("1.5e-2147483647"), DataException);  // scale 1 + 2147483647
  CHECK(Decimal::from_string("1e-2147483647").scale == 2147483647);
  CHECK(Decimal::from_string("12e2147483647").scale == -2147483647);

  SimpleHeaderConverter conv;
  auto sv = conv.to_connect_header("t", "h", std::string_view("-19e0617261176726"));
  REQUIRE(sv.schema);
  CHECK(sv.schema->type == Type::String);
  CHECK(sv.value == Value("-19e0617261176726"));
}

// fuzz_header_converter (timeout): an array of numbers with large exponents
// ("388e8882") was widened through each Decimal's plain text — thousands of
// digits each, a gigabyte for 1e999999999. BigDecimal.doubleValue() needs none.
TEST_CASE("fuzz: numbers with huge exponents in a header array are read quickly", "[fuzz][converter]") {
  SimpleHeaderConverter conv;
  auto start = std::chrono::steady_clock::now();
  auto sv = conv.to_connect_header("t", "h", std::string_view("[1,388e8882,1e999999999,2.5]"));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
  REQUIRE(sv.schema);
  CHECK(sv.schema->type == Type::Array);
}
