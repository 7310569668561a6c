// Reading avro-random-generator's annotations ("arg.properties": options,
// iteration, length, range) and what every part of the schema reader shares:
// its error, and members read with their type checked.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "connectors/datagen/avro_generator.h"
#include "connectors/datagen/gen_nodes.h"
#include "data/value.h"

namespace connectrun::datagen {

// Throws SchemaError "field <where>: <what>" (just <what> at the top).
[[noreturn]] void fail(const std::string& where, const std::string& what);
// "a string", "an object", … for messages.
std::string kind_of(const Value& v);
// A string member of a JSON object ("" when absent); fails when it is not a string.
std::string string_member(const Value& obj, std::string_view key, const std::string& where);
// A number member: whole and within [lo, hi], or any number.
std::optional<int64_t> integral_field(const Value& obj, const char* prop, const char* field, const std::string& where,
                                      int64_t lo, int64_t hi);
std::optional<double> number_field(const Value& obj, const char* prop, const char* field, const std::string& where);

// "length": a number (exactly) or {"min", "max"} ([min, max)); default [8, 16).
LengthBounds length_bounds(const Value& p, const std::string& where);
// A JSON option as a Connect value of `schema` (as GenericData.validate accepts it).
Value option_value(const Value& v, const SchemaPtr& schema, const std::string& where);
// "options": one of the listed values, uniformly.
GenPtr options_node(const Value& options, const SchemaPtr& schema, const std::string& where);
// "iteration" on a schema `obj` of Avro type `type`; equal schemas share their iterator in `shared`.
GenPtr iteration_node(const Value& obj, const std::string& type, const Value& p, const std::string& where,
                      GenShared& shared, int64_t generation);

}  // namespace connectrun::datagen
