#include "connectors/postgres_cdc/pg_conn.h"

#include <cstdio>

#include <fmt/format.h>

#include "plugin/connect_error.h"

namespace connectrun::postgres_cdc {

namespace {
// libpq's keyword/value form, so no value needs quoting in a conninfo string.
std::unique_ptr<PGconn, void (*)(PGconn*)> connect_with(const ConnParams& p, bool replication) {
  const std::string port = std::to_string(p.port);
  const std::string timeout = std::to_string(p.connect_timeout_s);
  std::vector<const char*> keys = {"host", "port", "user", "password", "dbname", "connect_timeout",
                                   "application_name", "sslmode", "options"};
  std::vector<const char*> values = {p.host.c_str(), port.c_str(), p.user.c_str(), p.password.c_str(),
                                     p.dbname.c_str(), timeout.c_str(), "connectrun", p.sslmode.c_str(),
                                     // The text forms pg_types.cpp reads, whatever the server's settings.
                                     "-c DateStyle=ISO -c TimeZone=UTC -c bytea_output=hex -c extra_float_digits=3 "
                                     "-c IntervalStyle=iso_8601 -c lc_monetary=C"};
  if (replication) {
    keys.push_back("replication");
    values.push_back("database");
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  return {PQconnectdbParams(keys.data(), values.data(), 0), PQfinish};
}
std::string trimmed(const char* s) {
  std::string out = s ? s : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}
}  // namespace

PgConn::PgConn(const ConnParams& params, bool replication) : params_(params) {
  auto c = connect_with(params, replication);
  conn_.reset(c.release());
  if (!conn_ || PQstatus(conn_.get()) != CONNECTION_OK) {
    const std::string msg = trimmed(conn_ ? PQerrorMessage(conn_.get()) : "out of memory");
    // A refused password or a missing database does not heal by waiting.
    const bool lasting = msg.find("authentication failed") != std::string::npos ||
                         msg.find("does not exist") != std::string::npos ||
                         msg.find("no pg_hba.conf entry") != std::string::npos;
    throw ConnectError(fmt::format("cannot connect to PostgreSQL at {}{}: {}", params.where(),
                                   replication ? " for replication" : "", msg),
                       !lasting);
  }
}

std::string PgConn::error_message() const { return trimmed(PQerrorMessage(conn_.get())); }

void PgConn::fail(const std::string& what, const PGresult* r) const {
  std::string msg = r ? trimmed(PQresultErrorMessage(r)) : "";
  if (msg.empty()) msg = error_message();
  const bool gone = PQstatus(conn_.get()) != CONNECTION_OK;
  throw ConnectError(fmt::format("PostgreSQL at {}: cannot {}: {}", params_.where(), what, msg), gone);
}

PgResult PgConn::exec(const std::string& sql, const std::string& what) {
  PgResult r(PQexec(conn_.get(), sql.c_str()));
  const auto st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) fail(what, r.get());
  return r;
}

PgResult PgConn::exec_params(const std::string& sql, const std::vector<std::optional<std::string>>& params,
                             const std::string& what) {
  std::vector<const char*> values;
  for (auto& p : params) values.push_back(p ? p->c_str() : nullptr);
  PgResult r(PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(values.size()), nullptr, values.data(),
                          nullptr, nullptr, 0));
  const auto st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) fail(what, r.get());
  return r;
}

std::optional<std::string> PgConn::scalar(const std::string& sql, const std::string& what) {
  auto r = exec(sql, what);
  if (PQntuples(r.get()) == 0 || PQgetisnull(r.get(), 0, 0)) return std::nullopt;
  return std::string(PQgetvalue(r.get(), 0, 0));
}

std::string quote_ident(const std::string& name) {
  std::string out = "\"";
  for (char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string quote_literal(const std::string& text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') out += '\'';
    out += c;
  }
  return out + "'";
}

std::string lsn_to_string(uint64_t lsn) {
  return fmt::format("{:X}/{:X}", static_cast<uint32_t>(lsn >> 32), static_cast<uint32_t>(lsn));
}

uint64_t lsn_from_string(const std::string& text) {
  unsigned hi = 0, lo = 0;
  if (std::sscanf(text.c_str(), "%X/%X", &hi, &lo) != 2) return 0;
  return (static_cast<uint64_t>(hi) << 32) | lo;
}

}  // namespace connectrun::postgres_cdc
