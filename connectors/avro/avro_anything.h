// Schemaless data as Confluent's AvroData writes it: every value wrapped in a
// record io.confluent.connect.avro.Anything with one optional field per Avro
// type ("boolean", "bytes", "double", "float", "int", "long", "string",
// "array" of Anything, "map" as an array of MapEntry {key, value} Anything
// records), exactly one of them set (none for null).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "data/value.h"

namespace connectrun::avro {

// The Anything schema's text as Avro's Java library writes it (registered for schemaless data).
std::string_view anything_schema_json();
// Whether registry schema text is the Anything schema (a record that refers to itself, which
// parse_avro_schema refuses, so it is recognised by its name first).
bool is_anything_schema(std::string_view json);

// Appends `value` (no schema) wrapped in Anything. Throws DataException for a
// struct, a Decimal or a date, which have no schemaless Avro form.
void encode_anything(std::string& out, const Value& value);
// Reads one Anything datum; the whole of `bytes` must be used.
Value decode_anything(std::string_view bytes);
// Reads `count` Anything datums written one after another, appending them to `out`; the whole of `bytes` must
// be used.
void decode_anythings(std::string_view bytes, size_t count, std::vector<Value>& out);

}  // namespace connectrun::avro
