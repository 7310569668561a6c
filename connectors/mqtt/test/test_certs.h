// Certificates for the queue families' TLS tests, made with the openssl CLI
// in a test's folder: a CA, a broker certificate it signed (for localhost
// and 127.0.0.1), and a second CA that signed nothing (a wrong CA).
#pragma once

#include <catch2/catch.hpp>
#include <fmt/format.h>

#include <string>

#include "support.h"

namespace testsupport {

struct TestCerts {
  std::string ca, server_cert, server_key, wrong_ca;
};

inline TestCerts make_test_certs(const TempDir& dir) {
  TestCerts c{dir / "ca.pem", dir / "server.pem", dir / "server.key", dir / "wrong-ca.pem"};
  const std::string script = fmt::format(
      "set -e; cd {0}; "
      "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=test-ca -keyout ca.key -out ca.pem; "
      "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=wrong-ca -keyout wrong-ca.key -out wrong-ca.pem; "
      "openssl req -newkey rsa:2048 -nodes -subj /CN=localhost -keyout server.key -out server.csr; "
      "printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\\n' > san.ext; "
      "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile san.ext "
      "-out server.pem; chmod 644 *.key",
      dir.path());
  int status = -1;
  const std::string out = shell("(" + script + ") 2>&1", &status);
  INFO(out);
  REQUIRE(status == 0);
  return c;
}

}  // namespace testsupport
