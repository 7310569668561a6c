// Debezium's change events for one table: the key schema (<prefix>.<schema>.
// <table>.Key, the primary key columns), the row schema (….Value), the
// envelope (….Envelope: before, after, source, op, ts_ms, ts_us, ts_ns,
// transaction) and the source block (io.debezium.connector.postgresql.Source).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "connectors/postgres_cdc/cdc_config.h"
#include "connectors/postgres_cdc/pg_conn.h"
#include "connectors/postgres_cdc/pgoutput.h"
#include "data/value.h"

namespace connectrun::postgres_cdc {

// The Debezium release whose event format is matched (source.version).
inline constexpr const char* kDebeziumVersion = "2.7.3.Final";

struct TableSchema {
  uint32_t relid = 0;
  std::string schema_name, table_name;
  std::vector<ColumnInfo> columns;    // emitted columns, in table order
  std::vector<SchemaPtr> column_schemas;
  std::vector<size_t> key_columns;    // indexes into columns
  SchemaPtr key_schema;               // null when the table has no primary key
  SchemaPtr row_schema, envelope_schema;
  std::string topic;
  size_t event_bytes = 0;  // estimated footprint of one event (bounds a poll's batch)
  // For a pgoutput Relation: its column i → index in `columns`, or -1 (left out).
  std::vector<int> from_relation;
};

// Reads the catalog (column types, not-null, primary key) of table `relid`
// and builds its schemas; `relation` (when streaming) gives the column list
// the WAL carries. Returns null when the table has no emitted column.
std::shared_ptr<TableSchema> load_table(PgConn& conn, const CdcConfig& cfg, uint32_t relid,
                                        const std::vector<RelationColumn>* relation);

// What source and the offsets say about one change.
struct SourcePosition {
  int64_t ts_us = 0;         // commit time (snapshot: its start)
  std::string snapshot = "false";  // true, first, last, false
  std::optional<int64_t> txid;
  std::optional<uint64_t> lsn;
  std::optional<uint64_t> lsn_commit;
};

class EventBuilder {
 public:
  explicit EventBuilder(const CdcConfig& cfg);
  const SchemaPtr& source_schema() const { return source_schema_; }
  // Row struct from a tuple in the table's column order (`values` sized like
  // `columns`, null entries for what the change did not carry).
  Value row(const TableSchema& t, std::vector<Value> values) const;
  Value key(const TableSchema& t, const Value& row) const;
  // One change event: op r, c, u, d. before/after may be null.
  // `transaction`: the event.block struct (provide.transaction.metadata), else null.
  Record event(const TableSchema& t, char op, Value key, Value before, Value after, const SourcePosition& pos,
               Value transaction = Value()) const;
  Record tombstone(const TableSchema& t, Value key) const;
  // A truncate event (op t): no key, no row.
  Record truncate(const TableSchema& t, const SourcePosition& pos, Value transaction = Value()) const;

 private:
  Value source(const TableSchema& t, const SourcePosition& pos) const;
  const CdcConfig& cfg_;
  SchemaPtr source_schema_;
};

}  // namespace connectrun::postgres_cdc
