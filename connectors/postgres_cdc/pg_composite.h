// PostgreSQL intervals and one-dimensional arrays → Kafka Connect, as
// Debezium's PostgresValueConverter maps them (pg_types.h maps the scalars).
// Intervals arrive in IntervalStyle iso_8601 ("P1Y2M3DT4H5M6.789S"), arrays
// in PostgreSQL's text form ({1,NULL,"a b"}).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "connectors/postgres_cdc/pg_types.h"

namespace connectrun::postgres_cdc {

constexpr uint32_t kIntervalOid = 1186;

// interval.handling.mode=numeric: int64 io.debezium.time.MicroDuration (a month
// counted as 30.4375 days, in Java's double arithmetic); string:
// io.debezium.time.Interval, "P<y>Y<m>M<d>DT<h>H<m>M<s>S" with every part.
SchemaPtr interval_schema(bool optional, IntervalMode mode);
Value interval_value(std::string_view iso_text, IntervalMode mode);

// The element type of an array type Debezium maps to a Connect array, else nullopt
// (such arrays are carried as PostgreSQL's text).
std::optional<uint32_t> array_element_type(uint32_t array_oid);
// ARRAY of the element's schema (optional elements, the column's typmod).
SchemaPtr array_schema(const ColumnInfo& c, uint32_t element_oid, const TypeModes& modes);
// Throws std::runtime_error for a multi-dimensional array or malformed text.
Value array_value(const ColumnInfo& c, uint32_t element_oid, const SchemaPtr& schema, std::string_view text,
                  const TypeModes& modes);

}  // namespace connectrun::postgres_cdc
