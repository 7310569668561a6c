// Which columns a sink record fills, as kafka-connect-jdbc's FieldsMetadata
// decides from pk.mode, pk.fields and fields.whitelist, and the row values.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "connectors/jdbc/db.h"
#include "connectors/jdbc/db_timezone.h"

namespace connectrun::jdbc {

enum class PkMode { None, Kafka, RecordKey, RecordValue };

struct SinkColumn {
  std::string name;
  SchemaPtr schema;
  enum Source { Topic, Partition, Offset, KeyWhole, KeyField, ValueField } source = ValueField;
};

struct FieldsMetadata {
  std::vector<SinkColumn> keys;
  std::vector<SinkColumn> values;
};

// Throws ConnectError naming the record's problem.
FieldsMetadata fields_metadata(const std::string& table, PkMode mode, const std::vector<std::string>& pk_fields,
                               const std::set<std::string>& whitelist, const Record& r);
// The parameter for one column of a record (logical dates and times as text;
// timestamps as wall-clock times of `tz`, db.timezone, when given).
Value column_value(const SinkColumn& c, const Record& r, const DbTimeZone* tz = nullptr);

}  // namespace connectrun::jdbc
