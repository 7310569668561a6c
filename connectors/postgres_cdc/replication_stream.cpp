#include "connectors/postgres_cdc/replication_stream.h"

#include <poll.h>

#include <chrono>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "connectors/postgres_cdc/pgoutput.h"
#include "plugin/connect_error.h"

namespace connectrun::postgres_cdc {

namespace {

uint64_t be64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}
void put64(std::string& out, uint64_t v) {
  for (int i = 7; i >= 0; --i) out += static_cast<char>((v >> (i * 8)) & 0xff);
}

std::vector<std::string> included_tables(PgConn& conn, const CdcConfig& cfg) {
  auto r = conn.exec("SELECT schemaname, tablename FROM pg_tables WHERE schemaname NOT IN "
                     "('pg_catalog', 'information_schema') ORDER BY 1, 2",
                     "list the tables");
  std::vector<std::string> out;
  for (int i = 0; i < PQntuples(r.get()); ++i) {
    std::string s = PQgetvalue(r.get(), i, 0), t = PQgetvalue(r.get(), i, 1);
    if (cfg.table_included(s, t)) out.push_back(quote_ident(s) + "." + quote_ident(t));
  }
  return out;
}

}  // namespace

void check_server(PgConn& conn, const CdcConfig& cfg) {
  const auto wal_level = conn.scalar("SHOW wal_level", "read wal_level").value_or("");
  if (wal_level != "logical")
    throw ConnectError(fmt::format("PostgreSQL at {} has wal_level={}: change data capture needs logical "
                                   "decoding. Set wal_level=logical in postgresql.conf (or ALTER SYSTEM SET wal_level "
                                   "= logical) and restart the server",
                                   cfg.conn.where(), wal_level));
  const auto rights = conn.scalar("SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user",
                                  "read the user's rights");
  if (rights.value_or("f") != "t")
    throw ConnectError(fmt::format("user {} on PostgreSQL at {} has no REPLICATION rights, which reading a "
                                   "replication slot needs: ALTER ROLE {} REPLICATION (or connect as such a user)",
                                   cfg.conn.user, cfg.conn.where(), quote_ident(cfg.conn.user)));
}

void ensure_publication(PgConn& conn, const CdcConfig& cfg, spdlog::logger& log) {
  auto r = conn.exec_params("SELECT puballtables FROM pg_publication WHERE pubname = $1", {cfg.publication_name},
                            "look up the publication");
  const bool exists = PQntuples(r.get()) > 0;
  const std::string pub = quote_ident(cfg.publication_name);
  switch (cfg.publication_mode) {
    case PublicationMode::Disabled:
      if (!exists)
        throw ConnectError(fmt::format("publication {} does not exist on PostgreSQL at {} and "
                                       "publication.autocreate.mode=disabled: create it (CREATE PUBLICATION {} FOR "
                                       "ALL TABLES, or FOR TABLE ...) or set publication.autocreate.mode",
                                       cfg.publication_name, cfg.conn.where(), pub));
      return;
    case PublicationMode::AllTables:
      if (!exists) {
        conn.exec("CREATE PUBLICATION " + pub + " FOR ALL TABLES",
                  "create publication " + cfg.publication_name + " FOR ALL TABLES (needs superuser)");
        log.info("created publication {} FOR ALL TABLES", cfg.publication_name);
      }
      return;
    case PublicationMode::NoTables:
      if (!exists) conn.exec("CREATE PUBLICATION " + pub, "create publication " + cfg.publication_name);
      return;
    case PublicationMode::Filtered: {
      auto tables = included_tables(conn, cfg);
      if (tables.empty())
        throw ConnectError(fmt::format("publication.autocreate.mode=filtered: no table of database {} matches "
                                       "table.include.list/schema.include.list",
                                       cfg.conn.dbname));
      std::string list;
      for (auto& t : tables) list += (list.empty() ? "" : ", ") + t;
      if (!exists)
        conn.exec("CREATE PUBLICATION " + pub + " FOR TABLE " + list, "create publication " + cfg.publication_name);
      else
        conn.exec("ALTER PUBLICATION " + pub + " SET TABLE " + list, "update publication " + cfg.publication_name);
      log.info("publication {} covers {}", cfg.publication_name, list);
      return;
    }
  }
}

SlotState slot_state(PgConn& conn, const std::string& slot) {
  auto r = conn.exec_params("SELECT active, active_pid, confirmed_flush_lsn, plugin, "
                            "COALESCE(pg_current_wal_lsn() - confirmed_flush_lsn, 0)::bigint FROM pg_replication_slots "
                            "WHERE slot_name = $1 AND database = current_database()",
                            {slot}, "look up the replication slot");
  SlotState s;
  if (PQntuples(r.get()) == 0) return s;
  s.exists = true;
  s.active = std::string_view(PQgetvalue(r.get(), 0, 0)) == "t";
  s.active_pid = PQgetvalue(r.get(), 0, 1);
  s.confirmed_flush = lsn_from_string(PQgetvalue(r.get(), 0, 2));
  s.plugin = PQgetvalue(r.get(), 0, 3);
  s.lag_bytes = std::atoll(PQgetvalue(r.get(), 0, 4));
  return s;
}

void require_slot_free(const SlotState& s, const CdcConfig& cfg) {
  if (s.exists && s.plugin != "pgoutput")
    throw ConnectError(fmt::format("replication slot {} on PostgreSQL at {} uses plugin {}, not pgoutput: drop it "
                                   "(SELECT pg_drop_replication_slot('{}')) or set slot.name",
                                   cfg.slot_name, cfg.conn.where(), s.plugin, cfg.slot_name));
  if (s.exists && s.active)
    throw ConnectError(fmt::format("replication slot {} on PostgreSQL at {} is active for PID {}: another process "
                                   "(another connector, pg_recvlogical) reads it. Stop it, or give this connector "
                                   "its own slot.name",
                                   cfg.slot_name, cfg.conn.where(), s.active_pid),
                       /*retriable=*/true);
}

CreatedSlot create_slot(PgConn& repl, const std::string& slot, bool export_snapshot) {
  auto r = repl.exec(fmt::format("CREATE_REPLICATION_SLOT {} LOGICAL pgoutput (SNAPSHOT '{}')", quote_ident(slot),
                                 export_snapshot ? "export" : "nothing"),
                     "create replication slot " + slot);
  CreatedSlot c;
  c.consistent_point = lsn_from_string(PQgetvalue(r.get(), 0, 1));
  if (!PQgetisnull(r.get(), 0, 2)) c.snapshot_name = PQgetvalue(r.get(), 0, 2);
  return c;
}

ReplicationStream::ReplicationStream(std::unique_ptr<PgConn> repl, const CdcConfig& cfg, uint64_t start_lsn)
    : repl_(std::move(repl)) {
  const std::string sql =
      fmt::format("START_REPLICATION SLOT {} LOGICAL {} (proto_version '1', publication_names {})",
                  quote_ident(cfg.slot_name), lsn_to_string(start_lsn), quote_literal(quote_ident(cfg.publication_name)));
  PgResult r(PQexec(repl_->get(), sql.c_str()));
  if (!r || PQresultStatus(r.get()) != PGRES_COPY_BOTH) repl_->fail("start replication from slot " + cfg.slot_name, r.get());
}

ReplicationStream::~ReplicationStream() {
  if (buf_) PQfreemem(buf_);
}

void ReplicationStream::lost() {
  // The server ended the stream (an error, a shutdown) or the connection broke: retriable, the slot keeps our place.
  PgResult r(PQgetResult(repl_->get()));
  std::string msg = r ? PQresultErrorMessage(r.get()) : "";
  if (msg.empty()) msg = repl_->error_message();
  while (!msg.empty() && msg.back() == '\n') msg.pop_back();
  throw ConnectError(fmt::format("PostgreSQL at {}: the replication stream ended: {}", repl_->params().where(), msg),
                     /*retriable=*/true);
}

StreamMessage ReplicationStream::read(std::chrono::milliseconds wait) {
  if (buf_) {
    PQfreemem(buf_);
    buf_ = nullptr;
  }
  const auto deadline = std::chrono::steady_clock::now() + wait;
  bool consumed = false;  // the socket was read in this call
  for (;;) {
    const int n = PQgetCopyData(repl_->get(), &buf_, 1);
    if (n > 0) {
      StreamMessage m;
      if (buf_[0] == 'w' && n >= 25) {
        m.kind = StreamMessage::Kind::Data;
        m.wal_start = be64(buf_ + 1);
        m.wal_end = be64(buf_ + 9);
        m.payload = std::string_view(buf_ + 25, static_cast<size_t>(n - 25));
      } else if (buf_[0] == 'k' && n >= 18) {
        m.kind = StreamMessage::Kind::Keepalive;
        m.wal_end = be64(buf_ + 1);
        m.reply_requested = buf_[17] != 0;
      }
      return m;
    }
    if (n == -1 || n == -2) lost();
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 && consumed) return {};
    if (left.count() > 0) {
      pollfd p{PQsocket(repl_->get()), POLLIN, 0};
      ::poll(&p, 1, static_cast<int>(left.count()));
    }
    // Without waiting (wait 0 or time up), what the socket already holds still counts.
    if (!PQconsumeInput(repl_->get())) lost();
    consumed = true;
  }
}

void ReplicationStream::send_status(uint64_t received, uint64_t flushed, bool reply_requested) {
  std::string msg = "r";
  put64(msg, received);
  put64(msg, flushed);
  put64(msg, flushed);
  const int64_t now_us =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  put64(msg, static_cast<uint64_t>(now_us - kPgEpochUnixMicros));
  msg += reply_requested ? '\1' : '\0';
  if (PQputCopyData(repl_->get(), msg.data(), static_cast<int>(msg.size())) != 1 || PQflush(repl_->get()) != 0)
    repl_->fail("send a standby status update");
}

}  // namespace connectrun::postgres_cdc
