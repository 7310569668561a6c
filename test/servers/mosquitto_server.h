// MosquittoServer: a throwaway mosquitto broker for one test case (Debian's
// mosquitto package) on free 127.0.0.1 ports, its configuration and
// persistence file in temporary folders. Anonymous clients are allowed,
// unless a user is given: then only that user (password file made with
// mosquitto_passwd -b). Runs as root (`user root`). Clients use port(), a
// port chosen once, so restart() (stop, start again with the same persistence
// file: persistent sessions and their queued messages survive) keeps it;
// TestServer's own port is a second listener it waits on. A persistent
// session's queue is unbounded (max_queued_messages 0), so tests that stop
// a subscriber for a while lose nothing to the broker's default of 1000.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "servers/test_server.h"
#include "support.h"

namespace testsupport {

// A TLS listener beside the plain one (PEM files; the CA is asked for client
// certificates only when require_certificate).
struct MosquittoTls {
  std::string ca_file, cert_file, key_file;
  bool require_certificate = false;
};

class MosquittoServer {
 public:
  MosquittoServer(const std::string& user = "", const std::string& password = "",
                  std::optional<MosquittoTls> tls = std::nullopt);
  int port() const { return port_; }
  std::string uri() const;  // tcp://127.0.0.1:<port>
  int tls_port() const { return tls_port_; }  // 0 without TLS
  std::string tls_uri(const std::string& host = "127.0.0.1") const;  // ssl://<host>:<tls_port>
  std::string log() const { return server_ ? server_->log() : ""; }
  void stop() { server_.reset(); }
  void start();
  void restart() { stop(); start(); }

 private:
  TempDir dir_;  // the password file and the persistence file, kept across restarts
  int port_ = 0, tls_port_ = 0;
  std::string auth_, tls_conf_;
  std::unique_ptr<TestServer> server_;
};

}  // namespace testsupport
