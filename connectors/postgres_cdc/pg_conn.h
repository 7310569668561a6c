// libpq handles for the CDC source: a normal connection (catalog, snapshot,
// publication) and a replication connection (slot, START_REPLICATION), both
// RAII, with errors that name the server and what it answered.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace connectrun::postgres_cdc {

struct PgResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

struct ConnParams {
  std::string host;
  int port = 5432;
  std::string user;
  std::string password;
  std::string dbname;
  std::string sslmode = "prefer";
  int connect_timeout_s = 30;
  std::string where() const { return host + ":" + std::to_string(port); }
};

// One libpq connection. Connection failures throw a retriable ConnectError
// (the server may be restarting); SQL errors throw a non-retriable one unless
// the connection itself went away.
class PgConn {
 public:
  PgConn(const ConnParams& params, bool replication);
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;
  PGconn* get() const { return conn_.get(); }
  const ConnParams& params() const { return params_; }
  // Runs `sql` (no parameters) and returns its result; throws on failure,
  // with `what` naming the step ("create the replication slot").
  PgResult exec(const std::string& sql, const std::string& what);
  // With text parameters.
  PgResult exec_params(const std::string& sql, const std::vector<std::optional<std::string>>& params,
                       const std::string& what);
  // The first column of the first row, or nullopt when there is none or it is null.
  std::optional<std::string> scalar(const std::string& sql, const std::string& what);
  bool ok() const { return PQstatus(conn_.get()) == CONNECTION_OK; }
  std::string error_message() const;
  [[noreturn]] void fail(const std::string& what, const PGresult* r = nullptr) const;

 private:
  struct Deleter {
    void operator()(PGconn* c) const { PQfinish(c); }
  };
  ConnParams params_;
  std::unique_ptr<PGconn, Deleter> conn_;
};

std::string quote_ident(const std::string& name);    // "name" with "" doubled
std::string quote_literal(const std::string& text);  // 'text' with '' doubled
// LSNs as PostgreSQL writes them (X/Y) and back.
std::string lsn_to_string(uint64_t lsn);
uint64_t lsn_from_string(const std::string& text);  // 0 when unparsable

}  // namespace connectrun::postgres_cdc
