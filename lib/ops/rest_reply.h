// Helpers shared by the REST route files: answers in Kafka Connect's shapes
// and JSON request bodies. Included only by lib/ops/rest_*.cpp.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include <httplib.h>

#include "ops/rest_json.h"

namespace connectrun::rest {

inline constexpr const char* kJson = "application/json";

inline void reply(httplib::Response& res, int status, std::string body, const char* type = kJson) {
  res.status = status;
  res.set_content(std::move(body), type);
}

inline void reply_error(httplib::Response& res, int status, const std::string& message) {
  reply(res, status, error_json(status, message));
}

// A request body that is a JSON object whose values are text (numbers and
// booleans taken as written, as Jackson reads them into Map<String,String>):
// the pairs in order, or the reason it is not (for a 400).
std::variant<std::vector<std::pair<std::string, std::string>>, std::string> string_map(std::string_view body,
                                                                                         const char* what);

// POST /connectors' CreateConnectorRequest: {"name":…,"config":{…},"initial_state":…}.
struct CreateRequest {
  std::string name;
  std::vector<std::pair<std::string, std::string>> config;
  std::string initial_state;  // "" (RUNNING), "RUNNING", "PAUSED", "STOPPED"
};
std::variant<CreateRequest, std::string> create_request(std::string_view body);

}  // namespace connectrun::rest
