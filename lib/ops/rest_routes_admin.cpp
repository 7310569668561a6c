// The REST routes of Kafka's ConnectorPluginsResource and LoggingResource:
// GET /connector-plugins, GET …/{plugin}/config, PUT …/{plugin}/config/validate,
// GET /admin/loggers, GET and PUT /admin/loggers/{name}.
#include <fmt/format.h>
#include <simdjson.h>
#include <spdlog/spdlog.h>

#include "ops/rest_connections.h"
#include "ops/rest_entities.h"
#include "ops/rest_reply.h"
#include "ops/rest_server.h"

namespace connectrun {

using rest::reply;
using rest::reply_error;

namespace {
const PluginInfo* connector_plugin(const PluginRegistry& r, const std::string& name) {
  return r.find(name, {PluginKind::Source, PluginKind::Sink});
}

// Jersey's Boolean query parameter: "true" in any case.
bool param_is_true(const httplib::Request& req, const char* key, bool fallback) {
  if (!req.has_param(key)) return fallback;
  std::string v = req.get_param_value(key);
  for (auto& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return v == "true";
}
}  // namespace

void RestServer::admin_routes(Served& served) {
  auto& s = *server_;
  auto at = [&served](const char* pattern) {
    served.emplace_back(pattern);
    return pattern;
  };
  const PluginRegistry& registry = *herder_.initial_plan().registry;
  s.Get(at("/connector-plugins"), [&registry](const httplib::Request& req, httplib::Response& res) {
    reply(res, 200, rest::plugins_json(registry, param_is_true(req, "connectorsOnly", true)));
  });
  s.Get(at(R"(/connector-plugins/([^/]+)/config)"), [&registry](const httplib::Request& req, httplib::Response& res) {
    std::string name = req.matches[1];
    const PluginInfo* p = registry.find_any(name);
    if (!p) return reply_error(res, 404, fmt::format("Unknown plugin {}.", name));
    reply(res, 200, rest::plugin_config_json(*p));
  });
  s.Put(at(R"(/connector-plugins/([^/]+)/config/validate)"),
        [this, &registry](const httplib::Request& req, httplib::Response& res) {
          std::string plugin = req.matches[1];
          auto parsed = rest::string_map(req.body, "the connector's configuration");
          if (auto* err = std::get_if<std::string>(&parsed)) return reply_error(res, 400, *err);
          auto& config = std::get<0>(parsed);
          bool has_class = false;
          for (auto& [k, v] : config) {
            if (k != "connector.class") continue;
            has_class = true;
            // Kafka: the class given must be the plugin of the path (any of its names here).
            const PluginInfo* given = connector_plugin(registry, v);
            if (given != connector_plugin(registry, plugin) || !given)
              return reply_error(res, 400,
                                 fmt::format("Included connector type {} does not match request type {}", v, plugin));
          }
          if (!has_class) config.emplace_back("connector.class", plugin);
          rest::Validation v = job_files_ ? job_files_->validate(config)
                                          : rest::JobFiles({}, registry).validate(config);
          reply(res, 200, rest::config_infos_json(v));
        });
  s.Get(at("/admin/loggers"), [this](const httplib::Request&, httplib::Response& res) {
    reply(res, 200, loggers_.all_json());
  });
  s.Get(at(R"(/admin/loggers/([^/]+))"), [this](const httplib::Request& req, httplib::Response& res) {
    std::string name = req.matches[1];
    auto body = loggers_.one_json(name);
    if (!body) return reply_error(res, 404, fmt::format("Logger {} not found.", name));
    reply(res, 200, *body);
  });
  s.Put(at(R"(/admin/loggers/([^/]+))"), [this](const httplib::Request& req, httplib::Response& res) {
    std::string name = req.matches[1];
    simdjson::dom::parser parser;
    simdjson::dom::element doc;
    std::string_view level;
    if (parser.parse(simdjson::padded_string(req.body)).get(doc) || !doc.is_object())
      return reply_error(res, 400, "the request body must be a JSON object {\"level\":\"DEBUG\"}");
    if (doc["level"].get_string().get(level))
      return reply_error(res, 400, "Desired 'level' parameter was not specified in request.");
    try {
      reply(res, 200, loggers_.set(name, std::string(level)));
      spdlog::info("REST: level of logger '{}' set to {}", name, std::string(level));
    } catch (const std::invalid_argument& e) {
      reply_error(res, 404, e.what());  // Kafka answers an unknown level with NotFoundException
    }
  });
}

}  // namespace connectrun
