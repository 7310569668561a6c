// The REST interface (worker key `listeners`): Kafka Connect's endpoints in
// standalone mode (connectors, their tasks, topics, plugins, loggers;
// creating, changing and deleting connectors, written back to the job files),
// /metrics and /health. See docs/http-api.md.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bus/bus.h"
#include "engine/herder.h"
#include "ops/listener.h"
#include "ops/rest_auth.h"
#include "ops/rest_guard.h"
#include "ops/rest_job_files.h"
#include "ops/rest_loggers.h"
#include "ops/rest_service.h"

namespace httplib { struct Request; struct Response; }

namespace connectrun {

namespace rest { class BoundedServer; }

// make_rest_service (rest_service.h) makes one and says what its arguments are.
class RestServer final : public RestService {
 public:
  RestServer(Herder& herder, const TopicBus& bus, Listener listener, std::vector<std::string> job_files,
             std::string librdkafka_version);
  ~RestServer() override;  // stops serving and joins its thread
  RestServer(const RestServer&) = delete;
  RestServer& operator=(const RestServer&) = delete;
  void bind() override;
  void start() override;
  const std::string& worker_id() const override { return worker_id_; }

 private:
  using Served = std::vector<std::string>;  // path patterns, for 405 on other methods
  void routes();
  void connector_routes(Served& served);  // rest_server.cpp: reading, pause, resume, restart
  void change_routes(Served& served);     // rest_routes_changes.cpp: create, configure, delete, stop, tasks, topics
  void admin_routes(Served& served);      // rest_routes_admin.cpp: connector-plugins, admin/loggers
  // Applies a change the job files took; the connector's info or an error.
  void answer_change(const std::string& name, rest::Change change, httplib::Response& res,
                     const std::string& initial_state = "");
  Herder& herder_;
  const TopicBus& bus_;
  Listener listener_;
  std::string address_;    // host:port listened on, once bound
  std::string worker_id_;  // worker.id, or address_
  std::string librdkafka_version_;  // for /metrics
  rest::RequestGuard guard_;  // set by bind(), once the port is known
  std::optional<rest::BasicAuth> auth_;  // rest.auth
  std::unique_ptr<rest::JobFiles> job_files_;
  rest::Loggers loggers_;
  std::unique_ptr<rest::BoundedServer> server_;
  std::thread thread_;
  std::atomic<bool> done_{false};  // the server thread has returned
};

}  // namespace connectrun
