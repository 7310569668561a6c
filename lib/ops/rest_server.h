// The REST interface (worker key `listeners`): Kafka Connect's read-only
// endpoints, pause/resume/restart, /metrics and /health. See docs/http-api.md.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "bus/bus.h"
#include "engine/herder.h"
#include "ops/listener.h"
#include "ops/rest_guard.h"

namespace connectrun {

namespace rest { class BoundedServer; }

class RestServer {
 public:
  RestServer(Herder& herder, const TopicBus& bus, Listener listener);
  ~RestServer();  // stops serving and joins its thread
  RestServer(const RestServer&) = delete;
  RestServer& operator=(const RestServer&) = delete;
  // Binds the listener; throws std::runtime_error naming the address when it cannot.
  void bind();
  // Serves on a thread of its own; logs "REST listening on http://HOST:PORT".
  void start();
  // "HOST:PORT" as bound: Kafka Connect's worker_id.
  const std::string& worker_id() const { return worker_id_; }

 private:
  void routes();
  Herder& herder_;
  const TopicBus& bus_;
  Listener listener_;
  std::string worker_id_;
  rest::RequestGuard guard_;  // set by bind(), once the port is known
  std::unique_ptr<rest::BoundedServer> server_;
  std::thread thread_;
  std::atomic<bool> done_{false};  // the server thread has returned
};

}  // namespace connectrun
