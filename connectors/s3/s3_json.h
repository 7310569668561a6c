// JsonFormat's lines, written fast: the S3 sink's task thread spends much of
// its time here (every record of every object), and the general writer
// appends each key, quote, comma and number to the object's bytes one call
// at a time.
#pragma once

#include <string>

#include "data/value.h"

namespace connectrun::s3 {

// Appends `v` and a newline, byte for byte as append_schemaless_json (what
// JsonConverter with schemas.enable=false writes) and '\n'. Records of the
// common shapes (maps with string keys, structs, arrays, strings of printable
// ASCII, integers, booleans, nulls, timestamps) are built in a stack buffer
// and appended at once; any other value goes to append_schemaless_json.
void append_json_line(std::string& out, const Value& v);

}  // namespace connectrun::s3
