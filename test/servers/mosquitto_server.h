// MosquittoServer: a throwaway mosquitto broker for one test case (Debian's
// mosquitto package) on a free 127.0.0.1 port, its configuration and
// persistence file in the TestServer's temporary folder. Anonymous clients
// are allowed, unless a user is given: then only that user (password file
// made with mosquitto_passwd -b). Runs as root (`user root`).
#pragma once

#include <memory>
#include <string>

#include "servers/test_server.h"
#include "support.h"

namespace testsupport {

class MosquittoServer {
 public:
  MosquittoServer(const std::string& user = "", const std::string& password = "");
  int port() const { return server_->port(); }
  std::string uri() const;  // tcp://127.0.0.1:<port>
  std::string log() const { return server_->log(); }

 private:
  TempDir secrets_;  // the password file, made before the broker starts
  std::unique_ptr<TestServer> server_;
};

}  // namespace testsupport
