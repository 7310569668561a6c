// Fuzz target: SimpleHeaderConverter on arbitrary bytes (Values.parseString).
// Whatever it reads must write back without crashing, and reading that again
// must give an equal value — except where Kafka's own Values is not symmetric:
// Values.convertToString escapes '\' and '"' inside embedded strings, but
// Values.parseString keeps escapes as written, so text with a backslash grows
// on every round trip (in Kafka too; connectrun follows it). And a float is
// written as Float/Double.toString does, "1.2345676E12", which Values reads
// back as the integer it is exactly (int64), as Kafka does. And a Date, Time
// or Timestamp before 1970-01-02 is written in the time-of-day format
// (Values.dateFormatFor picks the format from the value), as in Kafka. And
// the numbers in a collection take the widest type of all its values, even of
// a duplicate key's overwritten one, so a re-read may narrow them: the check
// is therefore on the text — writing what was read back gives the same text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "converters/simple_header_converter.h"
#include "fuzz_util.h"

namespace {
bool kafka_lossy(const connectrun::Value& v) {
  using namespace connectrun;
  if (v.is<float>() || v.is<double>()) return true;
  if (auto* t = v.get_if<Timestamp>(); t && t->millis < 86400000) return true;
  if (auto* a = v.get_if<Array>())
    for (auto& x : *a)
      if (kafka_lossy(x)) return true;
  if (auto* m = v.get_if<MapEntries>())
    for (auto& [k, x] : *m)
      if (kafka_lossy(k) || kafka_lossy(x)) return true;
  if (v.is_struct())
    for (auto& x : v.as_struct().values)
      if (kafka_lossy(x)) return true;
  return false;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace connectrun;
  static SimpleHeaderConverter* conv = fuzzutil::header_converter();
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  SchemaAndValue first;
  try {
    first = conv->to_connect_header("t", "h", bytes);
  } catch (const DataException&) {
    return 0;
  }
  std::string written;
  try {
    if (!conv->from_connect_header("t", "h", first.schema, first.value, written)) return 0;
  } catch (const DataException&) {
    return 0;
  }
  if (written.find('\\') != std::string::npos || kafka_lossy(first.value)) return 0;  // Kafka's asymmetries, above
  SchemaAndValue second = conv->to_connect_header("t", "h", written);
  std::string rewritten;
  bool not_null = conv->from_connect_header("t", "h", second.schema, second.value, rewritten);
  fuzzutil::require(not_null && rewritten == written, "text changed on the round trip", written, rewritten);
  return 0;
}
