#include "connectors/postgres_cdc/snapshot_reader.h"

#include <chrono>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace connectrun::postgres_cdc {

SnapshotReader::SnapshotReader(const CdcConfig& cfg, const std::string& snapshot_name, spdlog::logger& log)
    : cfg_(cfg), log_(log), conn_(std::make_unique<PgConn>(cfg.conn, false)) {
  started_us_ = std::chrono::duration_cast<std::chrono::microseconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count();
  conn_->exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "begin the snapshot");
  conn_->exec("SET TRANSACTION SNAPSHOT " + quote_literal(snapshot_name), "import the slot's snapshot");
  xmin_ = std::stoll(conn_->scalar("SELECT txid_snapshot_xmin(txid_current_snapshot())", "read the snapshot's xmin")
                         .value_or("0"));
  auto r = conn_->exec_params(
      "SELECT c.oid, n.nspname, c.relname FROM pg_publication_tables p "
      "JOIN pg_namespace n ON n.nspname = p.schemaname JOIN pg_class c ON c.relnamespace = n.oid AND "
      "c.relname = p.tablename WHERE p.pubname = $1 ORDER BY 2, 3",
      {cfg.publication_name}, "list the publication's tables");
  for (int i = 0; i < PQntuples(r.get()); ++i)
    if (cfg.table_included(PQgetvalue(r.get(), i, 1), PQgetvalue(r.get(), i, 2)))
      tables_.push_back(static_cast<uint32_t>(std::stoul(PQgetvalue(r.get(), i, 0))));
  log_.info("snapshot of {} table(s) in the slot's exported snapshot {}", tables_.size(), snapshot_name);
}

bool SnapshotReader::open_next_table() {
  if (cursor_open_) {
    conn_->exec("CLOSE cdc_snapshot", "close the snapshot cursor");
    cursor_open_ = false;
  }
  while (table_index_ < tables_.size()) {
    current_ = load_table(*conn_, cfg_, tables_[table_index_++], nullptr);
    if (current_->columns.empty()) continue;
    std::string cols;
    for (auto& c : current_->columns) cols += (cols.empty() ? "" : ", ") + quote_ident(c.name);
    conn_->exec(fmt::format("DECLARE cdc_snapshot NO SCROLL CURSOR FOR SELECT {} FROM {}.{}", cols,
                            quote_ident(current_->schema_name), quote_ident(current_->table_name)),
                "read table " + current_->schema_name + "." + current_->table_name);
    cursor_open_ = true;
    first_row_ = true;
    log_.info("snapshot of {}.{}", current_->schema_name, current_->table_name);
    return true;
  }
  return false;
}

std::optional<SnapshotReader::Row> SnapshotReader::next() {
  for (;;) {
    if (batch_ && batch_row_ < PQntuples(batch_.get())) break;
    const bool table_done = !cursor_open_ || (batch_ && PQntuples(batch_.get()) < cfg_.snapshot_fetch_size);
    batch_.reset();
    if (!table_done) {
      batch_ = conn_->exec(fmt::format("FETCH {} FROM cdc_snapshot", cfg_.snapshot_fetch_size), "read the snapshot");
      batch_row_ = 0;
      if (PQntuples(batch_.get()) > 0) continue;
      batch_.reset();
    }
    if (!open_next_table()) return std::nullopt;
  }
  Row row;
  row.table = current_;
  row.first_of_table = first_row_;
  first_row_ = false;
  const auto& t = *current_;
  row.values.resize(t.columns.size());
  for (size_t c = 0; c < t.columns.size(); ++c) {
    if (PQgetisnull(batch_.get(), batch_row_, static_cast<int>(c))) continue;
    row.values[c] = column_value(t.columns[c], t.column_schemas[c], PQgetvalue(batch_.get(), batch_row_, static_cast<int>(c)),
                                 cfg_.types);
  }
  ++batch_row_;
  return row;
}

void SnapshotReader::finish() {
  batch_.reset();
  conn_->exec("COMMIT", "end the snapshot");
}

}  // namespace connectrun::postgres_cdc
