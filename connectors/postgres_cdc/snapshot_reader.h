// The initial snapshot: every included table of the publication read in the
// snapshot the slot exported at its creation (so the stream continues from
// exactly that point), through a cursor, snapshot.fetch.size rows at a time.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connectors/postgres_cdc/change_event.h"
#include "connectors/postgres_cdc/pg_conn.h"

namespace spdlog { class logger; }

namespace connectrun::postgres_cdc {

class SnapshotReader {
 public:
  // Opens its own connection and imports `snapshot_name` (the replication
  // connection must not run anything until this returns).
  SnapshotReader(const CdcConfig& cfg, const std::string& snapshot_name, spdlog::logger& log);
  // The next row (table and column values), or nullopt at the end. A table's
  // rows come together, tables in name order.
  struct Row {
    std::shared_ptr<TableSchema> table;
    std::vector<Value> values;
    bool first_of_table = false;
  };
  std::optional<Row> next();
  int64_t xmin() const { return xmin_; }
  int64_t started_us() const { return started_us_; }
  void finish();  // ends the snapshot's transaction

 private:
  bool open_next_table();
  const CdcConfig& cfg_;
  spdlog::logger& log_;
  std::unique_ptr<PgConn> conn_;
  std::vector<uint32_t> tables_;
  size_t table_index_ = 0;
  std::shared_ptr<TableSchema> current_;
  PgResult batch_;
  int batch_row_ = 0;
  bool cursor_open_ = false;
  bool first_row_ = false;
  int64_t xmin_ = 0;
  int64_t started_us_ = 0;
};

}  // namespace connectrun::postgres_cdc
