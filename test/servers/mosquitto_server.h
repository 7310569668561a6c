// MosquittoServer: a throwaway mosquitto broker for one test case (Debian's
// mosquitto package) on free 127.0.0.1 ports, its configuration and
// persistence file in temporary folders. Anonymous clients are allowed,
// unless a user is given: then only that user (password file made with
// mosquitto_passwd -b). Runs as root (`user root`). Clients use port(), a
// port chosen once, so restart() (stop, start again with the same persistence
// file: persistent sessions and their queued messages survive) keeps it;
// TestServer's own port is a second listener it waits on.
#pragma once

#include <memory>
#include <string>

#include "servers/test_server.h"
#include "support.h"

namespace testsupport {

class MosquittoServer {
 public:
  MosquittoServer(const std::string& user = "", const std::string& password = "");
  int port() const { return port_; }
  std::string uri() const;  // tcp://127.0.0.1:<port>
  std::string log() const { return server_ ? server_->log() : ""; }
  void stop() { server_.reset(); }
  void start();
  void restart() { stop(); start(); }

 private:
  TempDir dir_;  // the password file and the persistence file, kept across restarts
  int port_ = 0;
  std::string auth_;
  std::unique_ptr<TestServer> server_;
};

}  // namespace testsupport
