// PostgreSQL column types → Kafka Connect schemas and values, as Debezium's
// PostgresValueConverter maps them under time.precision.mode,
// decimal.handling.mode and binary.handling.mode. Values arrive in
// PostgreSQL's text form (pgoutput protocol 1, and the snapshot's SELECT),
// with the sessions set to DateStyle ISO and TimeZone UTC.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "data/value.h"

namespace connectrun::postgres_cdc {

enum class TimePrecisionMode { Adaptive, AdaptiveTimeMicroseconds, Connect };
enum class DecimalMode { Precise, Double, String };
enum class BinaryMode { Bytes, Base64, Hex };
enum class IntervalMode { Numeric, String };
enum class HstoreMode { Json, Map };

struct TypeModes {
  TimePrecisionMode time = TimePrecisionMode::Adaptive;
  DecimalMode decimal = DecimalMode::Precise;
  BinaryMode binary = BinaryMode::Bytes;
  IntervalMode interval = IntervalMode::Numeric;
  HstoreMode hstore = HstoreMode::Json;
};

struct ColumnInfo {
  std::string name;
  uint32_t type_oid = 0;
  int32_t typmod = -1;
  bool optional = true;
  bool primary_key = false;
  std::optional<std::string> default_expr;  // pg_get_expr of the column's default, when it has one
  std::optional<std::string> enum_values;   // an enum type's labels in order, comma-separated
  bool hstore = false;                      // the hstore extension's type (its oid varies by database)
};

// The column's schema with its default as Debezium puts it, for the types
// Debezium has a default mapper for: a constant default converted as a value
// would be (a numeric's scale raised to the column's); a function (nextval(…),
// now()) or CURRENT_TIMESTAMP & co gives a placeholder (0, "", false, the
// epoch, {}); any other expression, or another type, no default.
SchemaPtr with_default(const ColumnInfo& c, const SchemaPtr& schema, const TypeModes& modes);
SchemaPtr column_schema(const ColumnInfo& c, const TypeModes& modes);
// Converts PostgreSQL's text form of a value of column `c` (schema from column_schema).
// Throws std::runtime_error when the text does not parse.
Value column_value(const ColumnInfo& c, const SchemaPtr& schema_ptr, std::string_view text, const TypeModes& modes);
// What Debezium puts for a required column whose value the change does not
// carry (non-key columns of a before image under REPLICA IDENTITY DEFAULT):
// the schema's default, else 0, "", false, empty bytes.
Value fallback_value(const Schema& schema);
// Debezium's unavailable.value.placeholder for an unchanged TOASTed value.
Value unavailable_value(const Schema& schema, const std::string& placeholder);

}  // namespace connectrun::postgres_cdc
