// key.schema / value.schema: connect-utils' JSON form of a Kafka Connect schema
// (SchemaSerializationModule), as kafka-connect-spooldir reads it:
// {"name": …, "type": "STRUCT", "isOptional": false, "fieldSchemas": {…}},
// with "doc", "version", "parameters", "defaultValue", "keySchema", "valueSchema".
#pragma once

#include <string>
#include <string_view>

#include "data/value.h"

namespace connectrun::spooldir {

// Throws std::invalid_argument naming what is wrong ("fieldSchemas.id: unknown type 'INT'").
SchemaPtr parse_schema_json(std::string_view text);
// The same JSON form, for the log and the docs.
std::string schema_to_json(const Schema& s);

}  // namespace connectrun::spooldir
