#include "servers/rabbitmq_server.h"

#include <fmt/format.h>

namespace testsupport {

namespace {
// The environment that puts every file and port of the node where we say.
std::string node_env(const std::string& dir, int port, int dist_port, int epmd_port) {
  return fmt::format(
      "export HOME={0} RABBITMQ_NODENAME=rabbit-{1}@localhost RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 "
      "RABBITMQ_NODE_PORT={1} RABBITMQ_DIST_PORT={2} ERL_EPMD_PORT={3} ERL_EPMD_ADDRESS=127.0.0.1 "
      "RABBITMQ_MNESIA_BASE={0}/mnesia RABBITMQ_LOG_BASE={0}/log RABBITMQ_CONFIG_FILE={0}/rabbitmq "
      "RABBITMQ_ENABLED_PLUGINS_FILE={0}/enabled_plugins RABBITMQ_PID_FILE={0}/rabbit.pid "
      "RABBITMQ_LOGS=- RABBITMQ_CTL_DIST_PORT_MIN={4} RABBITMQ_CTL_DIST_PORT_MAX={4};",
      dir, port, dist_port, epmd_port, dist_port + 1);
}
}  // namespace

RabbitMQServer::RabbitMQServer(std::optional<RabbitMQTls> tls) {
  port_ = free_local_port();
  do dist_port_ = free_local_port(); while (dist_port_ == port_);
  do epmd_port_ = free_local_port(); while (epmd_port_ == port_ || epmd_port_ == dist_port_);
  // guest may log in from 127.0.0.1 only by default, which is where the tests are.
  std::string tls_conf;
  if (tls) {
    do tls_port_ = free_local_port(); while (tls_port_ == port_ || tls_port_ == dist_port_ || tls_port_ == epmd_port_);
    tls_conf = fmt::format("listeners.ssl.default = 127.0.0.1:{}\nssl_options.cacertfile = {}\n"
                           "ssl_options.certfile = {}\nssl_options.keyfile = {}\nssl_options.verify = verify_none\n"
                           "ssl_options.fail_if_no_peer_cert = false\n",
                           tls_port_, tls->ca_file, tls->cert_file, tls->key_file);
  }
  write_file(dir_ / "rabbitmq.conf", fmt::format("listeners.tcp.default = 127.0.0.1:{}\n"
                                                 "loopback_users.guest = true\n"
                                                 "log.console.level = warning\n", port_) + tls_conf);
  write_file(dir_ / "enabled_plugins", "[].\n");
  start();
}

RabbitMQServer::~RabbitMQServer() { stop(); }

std::string RabbitMQServer::url() const { return fmt::format("amqp://guest:guest@127.0.0.1:{}", port_); }

void RabbitMQServer::start() {
  if (server_) return;
  // A private epmd in the server's process group (not -daemon), so stopping
  // the group stops it too; the broker finds it on ERL_EPMD_PORT.
  const std::string script = node_env(dir_.path(), port_, dist_port_, epmd_port_) +
                             fmt::format(" epmd -port {} & exec /usr/lib/rabbitmq/bin/rabbitmq-server", epmd_port_);
  server_ = std::make_unique<TestServer>(TestServerOptions{
      .name = "rabbitmq-server",
      .command = {"/bin/sh", "-c", script},
      .ready_command = {"/bin/bash", "-c", fmt::format("exec 3<>/dev/tcp/127.0.0.1/{}", port_)},
      .env = {},
      .start_timeout = std::chrono::milliseconds(90000),
      .stop_grace = std::chrono::milliseconds(15000)});
}

void RabbitMQServer::stop() {
  if (!server_) return;
  last_log_ = server_->log();
  server_.reset();
}

std::string RabbitMQServer::log() const { return server_ ? server_->log() : last_log_; }

std::string RabbitMQServer::ctl(const std::string& args, int* status) const {
  return shell(node_env(dir_.path(), port_, dist_port_, epmd_port_) +
                   fmt::format(" rabbitmqctl -n rabbit-{}@localhost {}", port_, args),
               status);
}

}  // namespace testsupport
