#include "servers/schema_registry_server.h"

#include <stdexcept>

#include <fmt/format.h>

#include "support.h"

namespace testsupport {

namespace {
std::vector<std::string> command_for(const std::string& user_info, const std::string& forbidden,
                                     const std::string& cert, const std::string& key) {
  std::vector<std::string> cmd = {"python3", std::string(CONNECTRUN_SOURCE_DIR) + "/test/servers/schema_registry_standin.py",
                                  "{port}"};
  if (!user_info.empty()) {
    cmd.push_back("--user");
    cmd.push_back(user_info);
  }
  if (!forbidden.empty()) {
    cmd.push_back("--forbid");
    cmd.push_back(forbidden);
  }
  if (!cert.empty()) cmd.insert(cmd.end(), {"--tls", cert, key});
  return cmd;
}
}  // namespace

SchemaRegistryStandIn::SchemaRegistryStandIn(const std::string& user_info, const std::string& forbidden_subject,
                                             const std::string& tls_cert, const std::string& tls_key)
    : server_({.name = "schema registry stand-in",
               .command = command_for(user_info, forbidden_subject, tls_cert, tls_key)}),
      tls_(!tls_cert.empty()) {}

std::string SchemaRegistryStandIn::url() const { return fmt::format("{}://127.0.0.1:{}", tls_ ? "https" : "http", port()); }

int SchemaRegistryStandIn::requests() const {
  int status = 0;
  std::string out = shell(fmt::format("curl -sfk {}/stand-in/requests", url()), &status);
  auto pos = out.find(':');
  if (status != 0 || pos == std::string::npos) throw std::runtime_error("stand-in registry: no request count: " + out);
  return std::stoi(out.substr(pos + 1));
}

}  // namespace testsupport
