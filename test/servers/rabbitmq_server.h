// RabbitMQServer: a throwaway rabbitmq-server for one test case (Debian's
// rabbitmq-server package). Its node name (rabbit-<port>@localhost), AMQP
// port, distribution port, a private epmd on a port of its own, its Mnesia
// and log folders and its configuration all live in a temporary folder, so
// tests running in parallel do not meet. The broker is slow to start (5-20 s
// on a loaded machine): start it once per TEST_CASE and group the checks.
// restart() stops it and starts it again on the same ports and data (durable
// queues and persistent messages survive); the destructor stops it and its
// epmd (the whole process group is killed), leaving no process behind.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "servers/test_server.h"
#include "support.h"

namespace testsupport {

// An AMQPS listener beside the plain one (PEM files; client certificates
// are not asked for).
struct RabbitMQTls {
  std::string ca_file, cert_file, key_file;
};

class RabbitMQServer {
 public:
  explicit RabbitMQServer(std::optional<RabbitMQTls> tls = std::nullopt);
  ~RabbitMQServer();
  RabbitMQServer(const RabbitMQServer&) = delete;
  RabbitMQServer& operator=(const RabbitMQServer&) = delete;

  int port() const { return port_; }
  int tls_port() const { return tls_port_; }  // 0 without TLS
  // amqp://guest:guest@127.0.0.1:<port> (guest may log in from 127.0.0.1 here)
  std::string url() const;
  void stop();     // the broker is down until start()
  void start();    // same ports, same data
  void restart() { stop(); start(); }
  bool running() const { return server_ != nullptr; }
  std::string log() const;
  // rabbitmqctl against this node (e.g. "list_queues name messages"); its stdout.
  std::string ctl(const std::string& args, int* status = nullptr) const;

 private:
  TempDir dir_;  // data and config, kept across restarts
  int port_ = 0, dist_port_ = 0, epmd_port_ = 0, tls_port_ = 0;
  std::unique_ptr<TestServer> server_;
  std::string last_log_;
};

}  // namespace testsupport
