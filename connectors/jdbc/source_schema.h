// The record schema of a result, as kafka-connect-jdbc maps column types
// (GenericDatabaseDialect.addFieldToSchema), numeric.mapping included.
#pragma once

#include <string>
#include <vector>

#include "connectors/jdbc/db.h"

namespace connectrun::jdbc {

enum class NumericMapping { None, PrecisionOnly, BestFit, BestFitEagerDouble };

struct SourceShape {
  SchemaPtr schema;
  std::vector<int> keep;             // the result column of each field
  std::vector<std::string> dropped;  // columns left out: "name (type)"
};

// `name`: the struct's name (the table; empty in query mode: no name).
SourceShape source_schema(const std::vector<Column>& columns, const std::string& name, NumericMapping numeric);
// A column value in its field's type (a Decimal read as int or double under numeric.mapping).
Value fit_value(Value v, const Schema& field);

}  // namespace connectrun::jdbc
