#include "ops/rest_json.h"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

#include "json/json_writer.h"
#include "kafka/client_keys.h"

namespace connectrun::rest {

namespace {
std::string str(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

bool starts_with(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

bool is_secret_key(const ConnectorPlan& c, const std::string& k) {
  for (const config::ConfigSpec* spec : {&connector_common_spec(), &source_common_spec(), &sink_common_spec()})
    if (auto* def = spec->find(k); def && def->is_secret()) return true;
  if (c.plugin)
    if (auto* def = c.plugin->spec.find(k); def && def->is_secret()) return true;
  for (const ConverterPlan* conv : {&c.key_converter, &c.value_converter, &c.header_converter}) {
    std::string prefix = conv->role + ".";
    if (conv->info && starts_with(k, prefix))
      if (auto* def = conv->info->spec.find(k.substr(prefix.size())); def && def->is_secret()) return true;
  }
  for (std::string_view prefix : {"producer.override.", "consumer.override.", "admin.override."})
    if (starts_with(k, prefix) && is_secret_client_key(k.substr(prefix.size()))) return true;
  std::string lower(k);  // "ssl.key.PASSWORD", "Client.Secret": any case
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return lower.find("password") != std::string::npos || lower.find("secret") != std::string::npos;
}

std::string type_of(const ConnectorSnapshot& s) { return s.is_source ? "source" : "sink"; }

}  // namespace

std::vector<std::pair<std::string, std::string>> displayed_config(const ConnectorPlan& c) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& [k, e] : c.raw) out.emplace_back(k, is_secret_key(c, k) ? "[hidden]" : e.value);
  return out;
}

std::string json_string(std::string_view s) { return str(s); }

std::string error_json(int code, const std::string& message) {
  return fmt::format(R"({{"error_code":{},"message":{}}})", code, str(message));
}

std::string root_json() {
  return fmt::format(R"({{"version":{},"commit":"unknown","kafka_cluster_id":null}})", str(CONNECTRUN_VERSION));
}

std::string names_json(const std::vector<std::string>& names) {
  std::string out = "[";
  for (auto& n : names) {
    if (out.size() > 1) out += ',';
    out += str(n);
  }
  return out + "]";
}

std::string config_json(const ConnectorSnapshot& s) {
  std::string out = "{";
  for (auto& [k, v] : displayed_config(*s.plan)) {
    if (out.size() > 1) out += ',';
    out += str(k);
    out += ':';
    out += str(v);
  }
  return out + "}";
}

std::string info_json(const ConnectorSnapshot& s) {
  std::string tasks;
  for (auto& t : s.tasks)
    tasks += fmt::format(R"({}{{"connector":{},"task":{}}})", tasks.empty() ? "" : ",", str(s.name), t.id);
  return fmt::format(R"({{"name":{},"config":{},"tasks":[{}],"type":"{}"}})", str(s.name), config_json(s), tasks,
                     type_of(s));
}

std::string task_status_json(const TaskSnapshot& t, const std::string& worker_id) {
  // A task another process of the cluster may run: which one is not known here (docs/scaling.md).
  if (t.elsewhere) return fmt::format(R"({{"id":{},"state":"{}"}})", t.id, t.state);
  std::string out = fmt::format(R"({{"id":{},"state":"{}","worker_id":{})", t.id, t.state, str(worker_id));
  if (t.trace) out += ",\"trace\":" + str(*t.trace);
  return out + "}";
}

std::string status_json(const ConnectorSnapshot& s, const std::string& worker_id) {
  // The connector's state sums up its tasks' (there is no separate connector instance).
  std::string connector = fmt::format(R"({{"state":"{}","worker_id":{})", s.state, str(worker_id));
  if (s.trace) connector += ",\"trace\":" + str(*s.trace);
  connector += "}";
  std::string tasks;
  for (auto& t : s.tasks) tasks += (tasks.empty() ? "" : ",") + task_status_json(t, worker_id);
  return fmt::format(R"({{"name":{},"connector":{},"tasks":[{}],"type":"{}"}})", str(s.name), connector, tasks,
                     type_of(s));
}

std::string health_json(const std::vector<ConnectorSnapshot>& all) {
  std::string not_running;
  for (auto& s : all) {
    if (s.state == "RUNNING") continue;
    not_running += fmt::format(R"({}{{"name":{},"state":"{}"}})", not_running.empty() ? "" : ",", str(s.name), s.state);
  }
  return fmt::format(R"({{"healthy":{},"not_running":[{}]}})", not_running.empty() ? "true" : "false", not_running);
}

}  // namespace connectrun::rest
