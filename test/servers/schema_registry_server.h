// SchemaRegistryStandIn: test/servers/schema_registry_standin.py, a STAND-IN
// for Confluent Schema Registry written for the tests (the endpoints the
// Avro converter and @kafkajs/confluent-schema-registry use, BACKWARD
// compatibility, optional basic auth), on a free 127.0.0.1 port.
#pragma once

#include <string>

#include "servers/test_server.h"

namespace testsupport {

class SchemaRegistryStandIn {
 public:
  // `user_info` ("user:password"): basic auth required ("Bearer TOKEN": that bearer token); empty: none. `forbidden_subject`:
  // requests on it answered 403; empty: none. `tls_cert`/`tls_key` (PEM files): https.
  explicit SchemaRegistryStandIn(const std::string& user_info = "", const std::string& forbidden_subject = "",
                                 const std::string& tls_cert = "", const std::string& tls_key = "");
  std::string url() const;  // http://127.0.0.1:PORT (https with TLS)
  int port() const { return server_.port(); }
  // Registry requests served so far (its own counter, read over HTTP).
  int requests() const;
  void stop() { server_.stop(); }

 private:
  TestServer server_;
  bool tls_;
};

}  // namespace testsupport
