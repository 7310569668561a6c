// Helpers the converter tests of the avro family share: bytes as hex, shell
// quoting, the outside checkers (Node.js scripts beside the tests) and the
// schema text the stand-in registry holds.
#pragma once

#include <string>
#include <string_view>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <simdjson.h>

#include "servers/schema_registry_server.h"
#include "support.h"

namespace registrytest {

inline std::string hex(std::string_view b) {
  std::string out;
  for (unsigned char c : b) out += fmt::format("{:02x}", c);
  return out;
}

inline std::string unhex(std::string_view h) {
  std::string out;
  for (size_t i = 0; i + 1 < h.size(); i += 2) out.push_back(static_cast<char>(std::stoi(std::string(h.substr(i, 2)), nullptr, 16)));
  return out;
}

// A shell word: single-quoted.
inline std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Runs connectors/avro/test/SCRIPT (Node.js, the npm packages of scripts/install-deps); fails the test when it fails.
inline std::string node_script(const std::string& script, const std::string& args) {
  int status = 0;
  std::string out = testsupport::shell(
      fmt::format("NODE_PATH=/usr/local/lib/connectrun-test/node_modules node {}/connectors/avro/test/{} {} 2>&1",
                  CONNECTRUN_SOURCE_DIR, script, args),
      &status);
  INFO(out);
  REQUIRE(status == 0);
  return out;
}

// The schema text the registry holds for id N.
inline std::string registered_schema(const testsupport::SchemaRegistryStandIn& registry, int id) {
  std::string body = testsupport::shell(fmt::format("curl -s {}/schemas/ids/{}", registry.url(), id));
  simdjson::dom::parser p;
  return std::string(std::string_view(p.parse(body)["schema"]));
}

}  // namespace registrytest
