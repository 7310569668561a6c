// The REST interface's response bodies, shaped as Kafka Connect's REST API
// shapes them, and the Prometheus text of /metrics.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/herder.h"

namespace connectrun::rest {

// A connector's configuration as Kafka Connect shows it: every key the user
// set, as text; secrets (passwords, Kafka client secrets) as "[hidden]".
std::vector<std::pair<std::string, std::string>> displayed_config(const ConnectorPlan& c);

std::string json_string(std::string_view s);  // a JSON string literal
std::string error_json(int code, const std::string& message);
std::string root_json();
std::string names_json(const std::vector<std::string>& names);
std::string info_json(const ConnectorSnapshot& s);                                  // GET /connectors/NAME
std::string config_json(const ConnectorSnapshot& s);                                // GET /connectors/NAME/config
std::string status_json(const ConnectorSnapshot& s, const std::string& worker_id);  // GET /connectors/NAME/status
std::string task_status_json(const TaskSnapshot& t, const std::string& worker_id);  // GET /connectors/NAME/tasks/N/status
// {"healthy":bool,"not_running":[{"name":..,"state":..}]} for /health.
std::string health_json(const std::vector<ConnectorSnapshot>& all);

}  // namespace connectrun::rest
