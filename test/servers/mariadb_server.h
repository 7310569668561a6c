// MariaDB 10.11 for a test: mariadb-install-db into TestServer's temporary
// folder, mariadbd on a free 127.0.0.1 port with its socket in the folder.
// Makes database "test" and user "app" (password "secret") for TCP logins;
// sql() runs the mariadb client as root over the socket.
#pragma once

#include <memory>
#include <string>

#include "servers/test_server.h"

namespace testsupport {

class MariadbServer {
 public:
  MariadbServer();
  int port() const { return server_->port(); }
  const std::string& dir() const { return server_->dir(); }
  static constexpr const char* kUser = "app";
  static constexpr const char* kPassword = "secret";
  // jdbc:mariadb://127.0.0.1:PORT/test
  std::string jdbc_url(const std::string& db = "test") const;
  // Runs `sql` with the mariadb client (batch, no column names); returns its output and REQUIREs success.
  std::string sql(const std::string& sql, const std::string& db = "test") const;
  TestServer& server() { return *server_; }

 private:
  std::unique_ptr<TestServer> server_;
};

}  // namespace testsupport
