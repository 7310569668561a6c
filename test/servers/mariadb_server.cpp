#include "servers/mariadb_server.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "child_process.h"
#include "support.h"

namespace testsupport {

MariadbServer::MariadbServer() {
  // --tmpdir: two installs sharing /tmp collide on their temporary tables' names (1 in 4 failed with
  // "Unknown table 'mysql.tmp_user_sys'" when four ran at once).
  server_ = std::make_unique<TestServer>(TestServerOptions{
      .name = "mariadb",
      .command = {"sh", "-c",
                  "mariadb-install-db --no-defaults --user=root --datadir={dir}/data --tmpdir={dir} "
                  "--auth-root-authentication-method=normal --skip-test-db >{dir}/install.log 2>&1 && "
                  "exec mariadbd --no-defaults --user=root --datadir={dir}/data --tmpdir={dir} "
                  "--port={port} --bind-address=127.0.0.1 --socket={dir}/mysqld.sock --pid-file={dir}/mysqld.pid "
                  "--innodb-buffer-pool-size=32M --innodb-log-file-size=16M --skip-log-bin"},
      .ready_command = {"mariadb-admin", "--no-defaults", "-uroot", "--socket={dir}/mysqld.sock", "ping"},
      .start_timeout = std::chrono::seconds(60)});
  sql(fmt::format("CREATE DATABASE IF NOT EXISTS test; CREATE USER '{0}'@'%' IDENTIFIED BY '{1}'; "
                  "CREATE USER '{0}'@'localhost' IDENTIFIED BY '{1}'; GRANT ALL ON *.* TO '{0}'@'%'; "
                  "GRANT ALL ON *.* TO '{0}'@'localhost';", kUser, kPassword),
      "mysql");
}

std::string MariadbServer::jdbc_url(const std::string& db) const {
  return fmt::format("jdbc:mariadb://127.0.0.1:{}/{}", port(), db);
}

std::string MariadbServer::sql(const std::string& text, const std::string& db) const {
  int status = -1;
  auto out = shell(fmt::format("mariadb --no-defaults -uroot --socket={} -N -B {} -e {} 2>&1",
                               sh_quote(dir() + "/mysqld.sock"), db, sh_quote(text)), &status);
  INFO(text << "\n" << out);
  REQUIRE(status == 0);
  return out;
}

}  // namespace testsupport
