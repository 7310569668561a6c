// Avro's binary encoding (the specification's "Binary Encoding") of Connect
// values, walking the Connect schema and the Avro schema AvroData made of it
// side by side. Written here rather than on Debian's libavro (C): libavro
// would need every value copied into its own value objects first, and its
// schemas parsed by jansson beside the simdjson the project uses; the encoding
// itself is small (zig-zag varints, little-endian floats, length-prefixed
// bytes, blocked arrays and maps).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "connectors/avro/avro_data.h"
#include "connectors/avro/avro_schema.h"
#include "data/value.h"

namespace connectrun::avro {

// Appends `value` of Connect schema `schema` encoded with Avro schema `avro`
// (from_connect_schema(schema)). Throws DataException naming the field for a
// value that does not fit: a null for a required field, a Decimal whose scale
// differs from the schema's or whose digits exceed the Avro precision.
void encode_value(std::string& out, const Schema& schema, const AvroNode& avro, const Value& value,
                  const AvroDataOptions& opts);

// Decodes one datum written with Avro schema `avro` into a value of `schema`
// (to_connect_schema(avro)). Throws DataException for truncated or malformed
// data; `bytes` must be consumed exactly.
Value decode_value(std::string_view bytes, const SchemaPtr& schema, const AvroNode& avro, const AvroDataOptions& opts);
// Decodes `count` datums written one after another (an object container
// file's block), appending them to `out`; `bytes` must be consumed exactly.
void decode_values(std::string_view bytes, size_t count, const SchemaPtr& schema, const AvroNode& avro,
                   const AvroDataOptions& opts, std::vector<Value>& out);

}  // namespace connectrun::avro
