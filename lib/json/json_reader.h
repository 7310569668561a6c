// Reading JSON text into schemaless values, with simdjson doing the parsing.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <simdjson.h>

#include "data/value.h"

namespace connectrun {

// Parses one JSON document: objects → MapEntries with string keys in document
// order, arrays → Array, integers → int64, other numbers → double, strings,
// booleans, null. Throws DataException on malformed JSON (and on integers
// beyond int64, which cannot be represented without corrupting them).
Value parse_schemaless_json(std::string_view text);
// Same with a caller-owned parser, reused across calls on the hot path.
Value parse_schemaless_json(simdjson::dom::parser& parser, std::string_view text);

// The schemaless conversion of an already parsed element (as above).
Value json_element_to_value(simdjson::dom::element e);
// The same built in `out`'s own storage (whatever it held is replaced): no value is
// made and then moved, per member, into its map. On an exception `out` holds part of it.
void json_element_to_value(simdjson::dom::element e, Value& out);

// Jackson's ObjectNode keeps one value per key: the last one read, in the
// place of the first. simdjson keeps every duplicate, so readers go through these.
// The value of `key` in `obj` as Jackson sees it (the last duplicate); false when absent.
bool find_member(simdjson::dom::object obj, std::string_view key, simdjson::dom::element& out);
inline constexpr size_t kNoEarlierKey = static_cast<size_t>(-1);
// The index of the entry of `entries` whose key is the string `key`, or kNoEarlierKey.
size_t find_key(const MapEntries& entries, std::string_view key);
// find_key for an object read key by key: `seen` is the mask of the keys' bits
// (map_key_bit), zero for a new object, so an object without duplicates costs one
// bit test per key.
inline size_t find_earlier_key(const MapEntries& entries, std::string_view key, uint64_t& seen) {
  const uint64_t bit = map_key_bit(key);
  if (!(seen & bit)) {
    seen |= bit;
    return kNoEarlierKey;
  }
  return find_key(entries, key);
}

// Jackson as Kafka's JsonDeserializer configures it reads numbers with leading
// zeros (ALLOW_LEADING_ZEROS_FOR_NUMBERS: 007 is 7); simdjson refuses them.
// The text with those zeros removed, or nullopt when it has none (called only
// after simdjson refused a number, so valid input is parsed once).
std::optional<std::string> without_leading_zeros(std::string_view json);

// Jackson's JsonNodeType names, for error messages ("OBJECT", "NUMBER", …).
std::string_view json_node_type(simdjson::dom::element e);

}  // namespace connectrun
