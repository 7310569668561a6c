// The replication side of the CDC source: the checks a server must pass
// (wal_level, REPLICATION rights), the publication, the slot, and the
// START_REPLICATION copy stream with its standby status updates.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "connectors/postgres_cdc/cdc_config.h"
#include "connectors/postgres_cdc/pg_conn.h"

namespace spdlog { class logger; }

namespace connectrun::postgres_cdc {

struct SlotState {
  bool exists = false;
  bool active = false;
  std::string active_pid;
  uint64_t confirmed_flush = 0;
  std::string plugin;
  int64_t lag_bytes = 0;  // pg_current_wal_lsn() - confirmed_flush_lsn: the WAL it keeps
};

// wal_level=logical and REPLICATION (or superuser) rights, each with a message saying what to change.
void check_server(PgConn& conn, const CdcConfig& cfg);
// Creates or updates the publication as publication.autocreate.mode says.
void ensure_publication(PgConn& conn, const CdcConfig& cfg, spdlog::logger& log);
SlotState slot_state(PgConn& conn, const std::string& slot);
// Throws a (retriable) ConnectError when the slot is in use by another process.
void require_slot_free(const SlotState& s, const CdcConfig& cfg);

struct CreatedSlot {
  uint64_t consistent_point = 0;
  std::string snapshot_name;  // empty when no snapshot was exported
};
CreatedSlot create_slot(PgConn& repl, const std::string& slot, bool export_snapshot);

// One message of the copy stream.
struct StreamMessage {
  enum class Kind { None, Data, Keepalive } kind = Kind::None;
  uint64_t wal_start = 0;  // Data: the LSN of the message
  uint64_t wal_end = 0;
  bool reply_requested = false;  // Keepalive
  std::string_view payload;      // Data: the pgoutput message (valid until the next read)
};

class ReplicationStream {
 public:
  ReplicationStream(std::unique_ptr<PgConn> repl, const CdcConfig& cfg, uint64_t start_lsn);
  ~ReplicationStream();
  ReplicationStream(const ReplicationStream&) = delete;
  ReplicationStream& operator=(const ReplicationStream&) = delete;
  // Waits up to `wait` for a message. Throws a retriable ConnectError when the connection is lost.
  StreamMessage read(std::chrono::milliseconds wait);
  // Standby status update: `flushed` is what the slot may forget.
  void send_status(uint64_t received, uint64_t flushed, bool reply_requested);
  PgConn& conn() { return *repl_; }

 private:
  [[noreturn]] void lost();
  std::unique_ptr<PgConn> repl_;
  char* buf_ = nullptr;  // PQgetCopyData's buffer, freed with PQfreemem
};

}  // namespace connectrun::postgres_cdc
