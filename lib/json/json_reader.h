// Reading JSON text into schemaless values, with simdjson doing the parsing.
#pragma once

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

// Jackson's JsonNodeType names, for error messages ("OBJECT", "NUMBER", …).
std::string_view json_node_type(simdjson::dom::element e);

}  // namespace connectrun
