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
  size_t index = 0;  // KeyField, ValueField: the field's index in the schema the columns were made from
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
// The column's value inside the record when it is sent as it is (no logical
// date or time to format, no default standing in for a null): what
// column_value() would return, without a copy. nullptr: call column_value().
const Value* column_ref(const SinkColumn& c, const Record& r);

}  // namespace connectrun::jdbc
