// Fuzz target: JsonConverter on arbitrary bytes, with schemas.enable true and
// false. Whatever it reads must write back without crashing, and reading that
// again must give an equal value (and schema). DataException is the documented
// answer to bad input or unwritable data; any other exception escapes and is
// reported by libFuzzer.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "converters/json_converter.h"
#include "fuzz_util.h"

namespace {
void round_trip(connectrun::JsonConverter& c, std::string_view bytes) {
  using namespace connectrun;
  SchemaAndValue first;
  try {
    first = c.to_connect_data("t", bytes);
  } catch (const DataException&) {
    return;
  }
  std::string written;
  try {
    if (!c.from_connect_data("t", first.schema, first.value, written)) return;  // null: nothing to compare
  } catch (const DataException&) {
    return;
  }
  // NaN and the infinities are written as JSON strings, as Kafka writes them, and
  // (as in Kafka) a float schema cannot read such a string back: no round trip
  // to check. A float32 read from a huge number overflows to Infinity this way.
  for (const char* non_finite : {"\"NaN\"", "\"Infinity\"", "\"-Infinity\""})
    if (written.find(non_finite) != std::string::npos) return;
  SchemaAndValue second = c.to_connect_data("t", written);  // must not throw: we wrote it
  fuzzutil::require(first.value == second.value, "value changed on the round trip", bytes, written);
  fuzzutil::require(schemas_equal(first.schema, second.schema), "schema changed on the round trip", bytes, written);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace connectrun;
  static JsonConverter* with_schemas = fuzzutil::json_converter(true);
  static JsonConverter* without_schemas = fuzzutil::json_converter(false);
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  round_trip(*with_schemas, bytes);
  round_trip(*without_schemas, bytes);
  return 0;
}
