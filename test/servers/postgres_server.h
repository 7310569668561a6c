// PostgreSQL 15 for a test: initdb into TestServer's temporary folder and
// postgres on a free 127.0.0.1 port with a private socket directory, run as
// user postgres (it refuses root). TCP logins need a password (user postgres,
// password "secret"); psql() uses the socket. wal_level is configurable
// (logical for change data capture).
#pragma once

#include <memory>
#include <string>

#include "servers/test_server.h"

namespace testsupport {

struct PostgresOptions {
  std::string wal_level = "replica";
  // Lets restart() stop and start the server on the same port and data folder
  // (a shell loop around postgres keeps it inside TestServer's process group).
  bool restartable = false;
};

class PostgresServer {
 public:
  explicit PostgresServer(const PostgresOptions& options = {});
  int port() const { return server_->port(); }
  const std::string& dir() const { return server_->dir(); }
  static constexpr const char* kUser = "postgres";
  static constexpr const char* kPassword = "secret";
  // jdbc:postgresql://127.0.0.1:PORT/DB
  std::string jdbc_url(const std::string& db = "postgres") const;
  // Runs `sql` with psql (unaligned, tuples only); returns its output and REQUIREs success.
  std::string psql(const std::string& sql, const std::string& db = "postgres") const;
  TestServer& server() { return *server_; }
  // Needs PostgresOptions::restartable. Stops the server (pg_ctl stop -m fast:
  // every session is ended, as in a real restart) and leaves it down until
  // start_again().
  void stop_for_restart();
  // Starts it again on the same port; returns when it accepts connections.
  void start_again();
  void restart() { stop_for_restart(); start_again(); }

 private:
  std::unique_ptr<TestServer> server_;
  bool restartable_ = false;
};

}  // namespace testsupport
