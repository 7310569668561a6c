// The SQL of one incremental query, as kafka-connect-jdbc's
// TimestampIncrementingCriteria writes it, and the offsets it keeps.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "connectors/jdbc/db.h"
#include "connectors/jdbc/db_timezone.h"

namespace connectrun::jdbc {

enum class Mode { Bulk, Incrementing, Timestamp, TimestampIncrementing };

struct Criteria {
  Mode mode = Mode::Bulk;
  std::string incrementing;             // the column, quoted as configured
  std::vector<std::string> timestamps;  // the columns, quoted as configured
};

// The offset of one source partition (TimestampIncrementingOffset).
struct SourceOffset {
  std::optional<int64_t> incrementing;
  std::optional<int64_t> timestamp_nanos;  // epoch nanoseconds
  Value to_map() const;                    // {"incrementing":N,"timestamp":ms,"timestamp_nanos":ns}
  static SourceOffset from_map(const Value& v);
};

// What is wrong with a stored (partition, offset) for this mode, naming the
// shape kafka-connect-jdbc stores (OffsetProtocols, TimestampIncrementingOffset);
// nullopt when usable. `query_mode`: the partition is {"query":"query"}.
std::optional<std::string> offset_problem(Mode mode, bool query_mode, const Value& partition, const Value& offset);

// " WHERE … ORDER BY …" for the mode (empty for bulk).
std::string where_clause(const Criteria& c, const Dialect& d);
// The parameters of where_clause, given the offset and the upper bound (epoch ns).
// Timestamps are given as wall-clock times of `tz` (db.timezone), as kafka-connect-jdbc's setTimestamp with its Calendar.
Params where_params(const Criteria& c, const Dialect& d, const SourceOffset& offset, int64_t upper_ns,
                    const DbTimeZone& tz = DbTimeZone());
// The text of a timestamp parameter, in the shape the dialect compares.
std::string timestamp_param(const Dialect& d, int64_t epoch_ns);

}  // namespace connectrun::jdbc
