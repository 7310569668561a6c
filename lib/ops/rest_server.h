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

namespace httplib { struct Request; struct Response; }

namespace connectrun {

namespace rest { class BoundedServer; }

class RestServer {
 public:
  // `job_files`: the files `connectrun run` was given, where connectors
  // created or changed over REST are written (none: such requests are 405).
  RestServer(Herder& herder, const TopicBus& bus, Listener listener, std::vector<std::string> job_files = {});
  ~RestServer();  // stops serving and joins its thread
  RestServer(const RestServer&) = delete;
  RestServer& operator=(const RestServer&) = delete;
  // Binds the listener and reads `rest.auth`'s password file; throws
  // std::runtime_error naming the address or the file when it cannot.
  void bind();
  // Serves on a thread of its own; logs "REST listening on http://HOST:PORT".
  void start();
  // Kafka Connect's worker_id: worker.id, or "HOST:PORT" as bound.
  const std::string& worker_id() const { return worker_id_; }

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
  rest::RequestGuard guard_;  // set by bind(), once the port is known
  std::optional<rest::BasicAuth> auth_;  // rest.auth
  std::unique_ptr<rest::JobFiles> job_files_;
  rest::Loggers loggers_;
  std::unique_ptr<rest::BoundedServer> server_;
  std::thread thread_;
  std::atomic<bool> done_{false};  // the server thread has returned
};

}  // namespace connectrun
