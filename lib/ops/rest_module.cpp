// The entry points of modules/connectrun-rest.so: connectors/core_modules.cpp
// looks them up with dlsym. The module binds to the binary's copy of lib/.
#include "ops/rest_server.h"

extern "C" {

// The connectrun version the module was built with: the loader refuses another's.
__attribute__((visibility("default"))) const char* connectrun_module_version() { return CONNECTRUN_VERSION; }

__attribute__((visibility("default"))) connectrun::RestService* connectrun_rest_new(
    connectrun::Herder& herder, const connectrun::TopicBus& bus, connectrun::Listener listener,
    std::vector<std::string> job_files, std::string librdkafka_version) {
  return new connectrun::RestServer(herder, bus, std::move(listener), std::move(job_files),
                                    std::move(librdkafka_version));
}

}
