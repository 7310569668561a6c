#include "servers/postgres_server.h"

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "child_process.h"
#include "support.h"

namespace testsupport {

namespace {
constexpr const char* kBin = "/usr/lib/postgresql/15/bin";
}

PostgresServer::PostgresServer(const PostgresOptions& options) {
  // One shell line: the folder is made by TestServer, so initdb runs inside its command.
  auto script = fmt::format(
      "chown postgres {{dir}} && echo {pw} > {{dir}}/pw && chown postgres {{dir}}/pw && "
      "runuser -u postgres -- {bin}/initdb -D {{dir}}/data -U postgres --pwfile={{dir}}/pw --auth-local=trust "
      "--auth-host=scram-sha-256 -E UTF8 --no-sync >{{dir}}/initdb.log 2>&1 && "
      "{run} runuser -u postgres -- {bin}/postgres -D {{dir}}/data -p {{port}} -k {{dir}} "
      "-c listen_addresses=127.0.0.1 -c wal_level={wal} -c fsync=off -c max_wal_senders=4 -c max_replication_slots=4"
      "{loop}",
      fmt::arg("pw", kPassword), fmt::arg("bin", kBin), fmt::arg("wal", options.wal_level),
      // restartable: postgres runs again after a stop while {dir}/restarting exists (once {dir}/down is gone);
      // SIGTERM to the shell ends postgres and the loop.
      fmt::arg("run", options.restartable ? "trap 'kill -TERM $c 2>/dev/null; wait $c; exit 0' TERM INT; while :; do"
                                          : "exec"),
      fmt::arg("loop", options.restartable ? " & c=$!; wait $c; [ -e {dir}/restarting ] || exit 1; "
                                             "while [ -e {dir}/down ]; do sleep 0.1; done; rm -f {dir}/restarting; done"
                                           : ""));
  restartable_ = options.restartable;
  server_ = std::make_unique<TestServer>(TestServerOptions{
      .name = "postgres",
      .command = {"sh", "-c", script},
      .ready_command = {"sh", "-c", fmt::format("{}/pg_isready -q -h {{dir}} -p {{port}}", kBin)},
      .start_timeout = std::chrono::seconds(60)});
}

void PostgresServer::stop_for_restart() {
  REQUIRE(restartable_);
  int status = -1;
  auto out = shell(fmt::format("touch {0}/restarting {0}/down && runuser -u postgres -- {1}/pg_ctl stop -D {0}/data "
                               "-m fast -w -t 60 2>&1", sh_quote(dir()), kBin), &status);
  INFO(out);
  REQUIRE(status == 0);
}

void PostgresServer::start_again() {
  int status = -1;
  auto out = shell(fmt::format("rm -f {0}/down && for i in $(seq 600); do {1}/pg_isready -q -h {0} -p {2} && exit 0; "
                               "sleep 0.1; done; exit 1", sh_quote(dir()), kBin, port()), &status);
  INFO(out << server_->log());
  REQUIRE(status == 0);
}

std::string PostgresServer::jdbc_url(const std::string& db) const {
  return fmt::format("jdbc:postgresql://127.0.0.1:{}/{}", port(), db);
}

std::string PostgresServer::psql(const std::string& sql, const std::string& db) const {
  int status = -1;
  auto out = shell(fmt::format("psql -X -q -At -v ON_ERROR_STOP=1 -h {} -p {} -U postgres -d {} -c {} 2>&1",
                               sh_quote(dir()), port(), db, sh_quote(sql)), &status);
  INFO(sql << "\n" << out);
  REQUIRE(status == 0);
  return out;
}

}  // namespace testsupport
