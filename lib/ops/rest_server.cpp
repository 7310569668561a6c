#include "ops/rest_server.h"

#include <cerrno>
#include <algorithm>
#include <cctype>
#include <cstring>
#include <regex>

#include <sys/socket.h>
#include <stdexcept>

#include <fmt/format.h>
#include <httplib.h>
#include <spdlog/spdlog.h>

#include "ops/rest_connections.h"
#include "ops/rest_json.h"
#include "ops/rest_metrics.h"
#include "ops/rest_reply.h"

namespace connectrun {

namespace {
using rest::reply;

// Kafka Connect's messages (StandaloneHerder, AbstractHerder).
void not_found(httplib::Response& res, const std::string& name) {
  reply(res, 404, rest::error_json(404, fmt::format("Connector {} not found", name)));
}

void not_found_message(httplib::Response& res, const std::string& message) {
  reply(res, 404, rest::error_json(404, message));
}

// Jersey's Boolean query parameters: "true" in any case, anything else false.
// The task with id `id` (decimal text) of a connector, or nullptr.
const TaskSnapshot* find_task(const ConnectorSnapshot& s, const std::string& id) {
  for (auto& t : s.tasks)
    if (std::to_string(t.id) == id) return &t;
  return nullptr;
}

bool param_true(const httplib::Request& req, const char* key) {
  std::string v = req.get_param_value(key);
  std::transform(v.begin(), v.end(), v.begin(), [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  return v == "true";
}

std::string host_for_url(const std::string& host) {
  return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}
}  // namespace

RestServer::RestServer(Herder& herder, const TopicBus& bus, Listener listener, std::vector<std::string> job_files,
                       std::string librdkafka_version)
    : herder_(herder), bus_(bus), listener_(std::move(listener)), librdkafka_version_(std::move(librdkafka_version)),
      server_(std::make_unique<rest::BoundedServer>()) {
  if (!job_files.empty())
    job_files_ = std::make_unique<rest::JobFiles>(std::move(job_files), *herder.initial_plan().registry);
  // httplib's default adds SO_REUSEPORT, which lets a second process bind the
  // same port silently: only SO_REUSEADDR here, so a taken port is an error.
  server_->set_socket_options([](int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  // httplib's own check, behind the guard's: it would read (and drop) a larger body first.
  server_->set_payload_max_length(rest::kMaxRequestBody);
  routes();
}

RestServer::~RestServer() {
  if (!thread_.joinable()) return;
  // stop() does nothing until the server thread has started listening: repeat
  // it until that thread is done (in-flight requests complete first).
  while (!done_.load()) {
    if (server_->is_running()) server_->stop();
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  thread_.join();
}

void RestServer::bind() {
  const auto& worker = herder_.initial_plan().worker;
  if (worker.has("rest.auth") && !worker.is_null("rest.auth")) {
    auth_ = rest::BasicAuth::from_file(worker.get_string("rest.auth"));
    spdlog::info("REST: basic authentication on ({} user(s) in {})", auth_->users(), worker.get_string("rest.auth"));
  }
  int port = listener_.port;
  errno = 0;
  bool ok;
  if (port == 0) {
    port = server_->bind_to_any_port(listener_.host);
    ok = port > 0;
  } else {
    ok = server_->bind_to_port(listener_.host, port);
  }
  if (!ok) {
    int err = errno;
    throw std::runtime_error(fmt::format("cannot listen on http://{}:{} (listeners): {}", host_for_url(listener_.host),
                                         listener_.port,
                                         err == EADDRINUSE || err == 0 ? "the address is already in use or not available"
                                                                       : std::strerror(err)));
  }
  server_->widen_backlog();
  address_ = fmt::format("{}:{}", host_for_url(listener_.host), port);
  // Kafka Connect's worker id is its REST address; worker.id names it instead (a cluster behind a proxy, say).
  worker_id_ = worker.is_null("worker.id") ? address_ : worker.get_string("worker.id");
  guard_ = rest::RequestGuard(listener_, port);
}

void RestServer::start() {
  spdlog::info("REST listening on http://{}", address_);
  thread_ = std::thread([this] {
    if (!server_->listen_after_bind()) spdlog::error("REST: the server on http://{} stopped unexpectedly", address_);
    done_.store(true);
  });
}

void RestServer::routes() {
  auto& s = *server_;
  // Host, Origin and body framing are checked before any handler runs; true
  // when the request is refused (and `res` says why).
  auto refused = [this](const httplib::Request& req, httplib::Response& res) {
    auto refusal = guard_.check(req.method, [&req](std::string_view name) {
      std::vector<std::string> values;
      for (size_t i = 0, n = req.get_header_value_count(std::string(name)); i < n; ++i)
        values.push_back(req.get_header_value(std::string(name), i));
      return values;
    });
    if (refusal) {
      reply(res, refusal->status, rest::error_json(refusal->status, refusal->message));
      return true;
    }
    // rest.auth: every endpoint but /health (probes carry no credentials).
    if (auth_ && req.path != "/health" && !auth_->accepts(req.get_header_value("Authorization"))) {
      res.set_header("WWW-Authenticate", rest::kAuthChallenge);
      reply(res, 401, rest::error_json(401, "User cannot access the resource."));
      return true;
    }
    return false;
  };
  s.set_pre_routing_handler([refused](const httplib::Request& req, httplib::Response& res) {
    return refused(req, res) ? httplib::Server::HandlerResponse::Handled : httplib::Server::HandlerResponse::Unhandled;
  });
  // A client waiting for "100 Continue" is refused before it sends its body.
  s.set_expect_100_continue_handler(
      [refused](const httplib::Request& req, httplib::Response& res) { return refused(req, res) ? res.status : 100; });
  // Every path pattern served, whatever the method: another method on one of
  // them is 405, as Jersey answers, not 404 (see the error handler).
  Served served;
  connector_routes(served);
  change_routes(served);
  admin_routes(served);
  // Jersey's bodies for paths and methods it does not serve.
  std::string alternatives;
  for (auto& p : served) alternatives += (alternatives.empty() ? "(?:" : "|(?:") + p + ")";
  s.set_error_handler([known = std::regex(alternatives)](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    if (res.status == 404 && std::regex_match(req.path, known)) res.status = 405;
    std::string msg = res.status == 404   ? "HTTP 404 Not Found"
                      : res.status == 405 ? "HTTP 405 Method Not Allowed"
                                          : fmt::format("HTTP {}", res.status);
    reply(res, res.status, rest::error_json(res.status, msg));
  });
}

void RestServer::connector_routes(Served& served) {
  auto& s = *server_;
  auto at = [&served](const char* pattern) {
    served.emplace_back(pattern);
    return pattern;
  };
  s.Get(at("/"), [](const httplib::Request&, httplib::Response& res) { reply(res, 200, rest::root_json()); });
  // Any ?expand= (status, info, both; others ignored, as Kafka does):
  // {"NAME":{"status":{..},"info":{..}}}.
  s.Get(at("/connectors"), [this](const httplib::Request& req, httplib::Response& res) {
    if (!req.has_param("expand")) return reply(res, 200, rest::names_json(herder_.names()));
    bool status = false, info = false;
    for (size_t i = 0; i < req.get_param_value_count("expand"); ++i) {
      status |= req.get_param_value("expand", i) == "status";
      info |= req.get_param_value("expand", i) == "info";
    }
    auto all = herder_.snapshots();
    std::sort(all.begin(), all.end(), [](auto& a, auto& b) { return a.name < b.name; });
    std::string body = "{";
    for (auto& c : all) {
      std::string fields;
      if (status) fields += "\"status\":" + rest::status_json(c, worker_id_);
      if (info) fields += std::string(status ? "," : "") + "\"info\":" + rest::info_json(c);
      body += fmt::format("{}{}:{{{}}}", body.size() > 1 ? "," : "", rest::json_string(c.name), fields);
    }
    reply(res, 200, body + "}");
  });
  // GET /connectors/NAME and its /config, /status.
  auto get = [this, &at](const char* pattern, const char* missing,
                         std::string (*body)(const ConnectorSnapshot&, const std::string&)) {
    server_->Get(at(pattern), [this, missing, body](const httplib::Request& req, httplib::Response& res) {
      std::string name = req.matches[1];
      auto snap = herder_.snapshot(name);
      if (!snap) return not_found_message(res, fmt::format(fmt::runtime(missing), name));
      reply(res, 200, body(*snap, worker_id_));
    });
  };
  get(R"(/connectors/([^/]+))", "Connector {} not found",
      [](const ConnectorSnapshot& c, const std::string&) { return rest::info_json(c); });
  get(R"(/connectors/([^/]+)/config)", "Connector {} not found",
      [](const ConnectorSnapshot& c, const std::string&) { return rest::config_json(c); });
  get(R"(/connectors/([^/]+)/status)", "No status found for connector {}", rest::status_json);
  s.Get(at(R"(/connectors/([^/]+)/tasks/([0-9]+)/status)"), [this](const httplib::Request& req, httplib::Response& res) {
    std::string name = req.matches[1], task = req.matches[2];
    auto snap = herder_.snapshot(name);
    const TaskSnapshot* t = snap ? find_task(*snap, task) : nullptr;
    if (!t) return not_found_message(res, fmt::format("No status found for task {}-{}", name, task));
    reply(res, 200, rest::task_status_json(*t, worker_id_));
  });
  s.Get(at(R"(/connectors/([^/]+)/offsets)"), [this](const httplib::Request& req, httplib::Response& res) {
    std::string name = req.matches[1];
    try {
      auto offsets = herder_.offsets(name);
      if (!offsets) return not_found(res, name);
      reply(res, 200, connector_offsets_json(*offsets));
    } catch (const std::exception& e) {
      reply(res, 500, rest::error_json(500, e.what()));  // the cluster could not be asked
    }
  });
  // A body (at most rest::kMaxRequestBody of JSON, see the guard) is read and ignored.
  s.Put(at(R"(/connectors/([^/]+)/pause)"), [this](const httplib::Request& req, httplib::Response& res) {
    if (!herder_.pause(req.matches[1])) return not_found(res, req.matches[1]);
    res.status = 202;
  });
  s.Put(at(R"(/connectors/([^/]+)/resume)"), [this](const httplib::Request& req, httplib::Response& res) {
    if (!herder_.resume(req.matches[1])) return not_found(res, req.matches[1]);
    res.status = 202;
  });
  // Kafka's RestartRequest: without includeTasks/onlyFailed, 204 and no body;
  // with either, 202 and the connector's status. The connector and its tasks
  // are one unit here: onlyFailed restarts them all when any task failed.
  s.Post(at(R"(/connectors/([^/]+)/restart)"), [this](const httplib::Request& req, httplib::Response& res) {
    std::string name = req.matches[1];
    bool include_tasks = param_true(req, "includeTasks"), only_failed = param_true(req, "onlyFailed");
    try {
      auto snap = herder_.snapshot(name);
      if (!snap) return not_found(res, name);
      if (!only_failed || snap->state == "FAILED")
        if (!herder_.restart(name)) return not_found(res, name);
      if (!include_tasks && !only_failed) {
        res.status = 204;
        return;
      }
      snap = herder_.snapshot(name);
      if (!snap) return not_found(res, name);  // removed by a reload meanwhile
      reply(res, 202, rest::status_json(*snap, worker_id_));
    } catch (const std::exception& e) {
      reply(res, 500, rest::error_json(500, e.what()));
    }
  });
  s.Post(at(R"(/connectors/([^/]+)/tasks/([0-9]+)/restart)"),
         [this](const httplib::Request& req, httplib::Response& res) {
           std::string name = req.matches[1], task = req.matches[2];
           try {
             auto snap = herder_.snapshot(name);
             if (!snap) return not_found(res, name);
             // A task restarts with its connector's other tasks (they share the partitions).
             if (!find_task(*snap, task)) return not_found_message(res, fmt::format("Task {}-{} not found", name, task));
             if (!herder_.restart(name)) return not_found(res, name);
             res.status = 204;
           } catch (const std::exception& e) {
             reply(res, 500, rest::error_json(500, e.what()));
           }
         });
  s.Get(at("/metrics"), [this](const httplib::Request&, httplib::Response& res) {
    reply(res, 200, rest::metrics_text(herder_.snapshots(), herder_.offset_flush_age_seconds(), bus_.client_metrics(),
                                         librdkafka_version_),
          "text/plain; version=0.0.4; charset=utf-8");
  });
  s.Get(at("/health"), [this](const httplib::Request&, httplib::Response& res) {
    auto all = herder_.snapshots();
    bool healthy = std::all_of(all.begin(), all.end(), [](auto& c) { return c.state == "RUNNING"; });
    reply(res, healthy ? 200 : 503, rest::health_json(all));
  });
}

}  // namespace connectrun
