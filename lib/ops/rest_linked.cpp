// make_rest_service where the REST server is linked in (connectrun_tests, the
// fuzz targets); the connectrun binary loads it from its module instead
// (connectors/core_modules.cpp).
#include "ops/rest_server.h"

namespace connectrun {

std::unique_ptr<RestService> make_rest_service(Herder& herder, const TopicBus& bus, Listener listener,
                                               std::vector<std::string> job_files, std::string librdkafka_version) {
  return std::make_unique<RestServer>(herder, bus, std::move(listener), std::move(job_files),
                                      std::move(librdkafka_version));
}

}  // namespace connectrun
