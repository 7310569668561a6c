// The REST routes that change connectors (Kafka's ConnectorsResource):
// POST /connectors, PUT …/config, DELETE, PUT …/stop; and the task and topic
// endpoints: GET …/tasks, GET …/topics, PUT …/topics/reset.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "ops/rest_connections.h"
#include "ops/rest_entities.h"
#include "ops/rest_reply.h"
#include "ops/rest_server.h"

namespace connectrun {

using rest::reply;
using rest::reply_error;

void RestServer::answer_change(const std::string& name, rest::Change change, httplib::Response& res,
                               const std::string& initial_state) {
  if (!change.plan) return reply_error(res, change.status, change.message);
  if (!change.written.empty()) spdlog::info("REST: connector '{}' written to {}", name, change.written);
  else if (change.status != 204)
    spdlog::warn("REST: connector '{}' runs but is in no file: a .properties job's connectors are the files named on "
                 "the command line (add one for it, or set the worker's config.storage.file, to keep it after a restart)",
                 name);
  try {
    std::map<std::string, std::string> initial;
    if (change.created && (initial_state == "PAUSED" || initial_state == "STOPPED")) initial[name] = initial_state;
    herder_.apply(std::move(*change.plan), "REST", initial);
  } catch (const std::exception& e) {
    return reply_error(res, 500, e.what());
  }
  if (change.status == 204) {
    res.status = 204;
    return;
  }
  auto snap = herder_.snapshot(name);
  if (!snap) return reply_error(res, 500, fmt::format("Connector {} could not be started: see the log", name));
  if (change.created) res.set_header("Location", "/connectors/" + name);
  reply(res, change.status, rest::info_json(*snap));
}

void RestServer::change_routes(Served& served) {
  auto& s = *server_;
  auto at = [&served](const char* pattern) {
    served.emplace_back(pattern);
    return pattern;
  };
  auto no_files = [](httplib::Response& res) {
    reply_error(res, 405, "connectors can be changed over REST only in `connectrun run` (which has job files to write)");
  };
  // Kafka's checkAndPutConnectorConfigName: a "name" in the config must be the connector's.
  auto put_name = [](const std::string& name, rest::ConfigPairs& config) -> std::optional<std::string> {
    for (auto& [k, v] : config)
      if (k == "name") {
        if (v != name)
          return fmt::format("Connector name configuration ({}) doesn't match connector name in the URL ({})", v, name);
        return std::nullopt;
      }
    config.insert(config.begin(), {"name", name});
    return std::nullopt;
  };

  // Asked before the job files are written: a change the running job cannot take leaves them as they were.
  const rest::JobFiles::Refusal refusal = [this](const JobPlan& plan) { return herder_.refusal(plan); };

  s.Post(at("/connectors"), [this, no_files, put_name, refusal](const httplib::Request& req, httplib::Response& res) {
    if (!job_files_) return no_files(res);
    auto parsed = rest::create_request(req.body);
    if (auto* err = std::get_if<std::string>(&parsed)) return reply_error(res, 400, *err);
    auto& create = std::get<rest::CreateRequest>(parsed);
    // Kafka trims the name; a missing one is "" and fails validation.
    auto first = create.name.find_first_not_of(" \t\r\n"), last = create.name.find_last_not_of(" \t\r\n");
    std::string name = first == std::string::npos ? "" : create.name.substr(first, last - first + 1);
    if (auto err = put_name(name, create.config)) return reply_error(res, 400, *err);
    // initial_state: a PAUSED or STOPPED connector never runs before it is resumed.
    answer_change(name, job_files_->put(name, create.config, false, refusal), res, create.initial_state);
  });
  s.Put(at(R"(/connectors/([^/]+)/config)"), [this, no_files, put_name, refusal](const httplib::Request& req, httplib::Response& res) {
    if (!job_files_) return no_files(res);
    std::string name = req.matches[1];
    auto parsed = rest::string_map(req.body, "the connector's configuration");
    if (auto* err = std::get_if<std::string>(&parsed)) return reply_error(res, 400, *err);
    auto& config = std::get<0>(parsed);
    if (auto err = put_name(name, config)) return reply_error(res, 400, *err);
    answer_change(name, job_files_->put(name, config, true, refusal), res);
  });
  s.Delete(at(R"(/connectors/([^/]+))"), [this, no_files, refusal](const httplib::Request& req, httplib::Response& res) {
    if (!job_files_) return no_files(res);
    std::string name = req.matches[1];
    answer_change(name, job_files_->remove(name, refusal), res);
  });
  s.Put(at(R"(/connectors/([^/]+)/stop)"), [this](const httplib::Request& req, httplib::Response& res) {
    std::string name = req.matches[1];
    if (!herder_.stop_connector(name)) return reply_error(res, 404, fmt::format("Connector {} not found", name));
    res.status = 202;
  });
  s.Get(at(R"(/connectors/([^/]+)/tasks)"), [this](const httplib::Request& req, httplib::Response& res) {
    std::string name = req.matches[1];
    auto snap = herder_.snapshot(name);
    auto tasks = herder_.task_configs(name);
    if (!snap || !tasks) return reply_error(res, 404, fmt::format("Connector {} not found", name));
    reply(res, 200, rest::task_infos_json(*snap, *tasks));
  });
  s.Get(at(R"(/connectors/([^/]+)/topics)"), [this](const httplib::Request& req, httplib::Response& res) {
    std::string name = req.matches[1];
    auto topics = herder_.active_topics(name);
    if (!topics) return reply_error(res, 404, fmt::format("Connector {} not found", name));
    reply(res, 200, rest::active_topics_json(name, *topics));
  });
  s.Put(at(R"(/connectors/([^/]+)/topics/reset)"), [this](const httplib::Request& req, httplib::Response& res) {
    std::string name = req.matches[1];
    if (!herder_.reset_active_topics(name)) return reply_error(res, 404, fmt::format("Connector {} not found", name));
    res.status = 202;
  });
}

}  // namespace connectrun
