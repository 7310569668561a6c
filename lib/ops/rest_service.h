// The REST interface as the engine sees it. The server itself (rest_server.h,
// cpp-httplib and OpenSSL) is a module in the connectrun binary,
// modules/connectrun-rest.so, loaded only when a job sets `listeners`; the
// tests and fuzz targets link it in (rest_linked.cpp).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "bus/bus.h"
#include "ops/listener.h"

namespace connectrun {

class Herder;

class RestService {
 public:
  virtual ~RestService() = default;  // stops serving; requests in progress complete first
  // Binds the listener and reads `rest.auth`'s password file; throws
  // std::runtime_error naming the address or the file when it cannot.
  virtual void bind() = 0;
  // Serves on a thread of its own; logs "REST listening on http://HOST:PORT".
  virtual void start() = 0;
  // Kafka Connect's worker_id: worker.id, or "HOST:PORT" as bound.
  virtual const std::string& worker_id() const = 0;
};

// `job_files`: the files `connectrun run` was given, where connectors created
// or changed over REST are written (none: such requests are 405).
// `librdkafka_version`: for GET /metrics' connectrun_build_info (the server
// does not link librdkafka). Throws std::runtime_error when the REST module
// cannot be loaded, naming its path, the reason and the package to install.
std::unique_ptr<RestService> make_rest_service(Herder& herder, const TopicBus& bus, Listener listener,
                                               std::vector<std::string> job_files, std::string librdkafka_version);

}  // namespace connectrun
