// The connectrun binary's side of the core modules: the REST server
// (modules/connectrun-rest.so: cpp-httplib, and the OpenSSL it initialises at
// load) is loaded when a job sets `listeners`, so a job without the REST
// interface maps neither. Where the server is linked in (tests, fuzz
// targets), lib/ops/rest_linked.cpp defines make_rest_service instead.
#include <dlfcn.h>
#include <fmt/format.h>

#include <mutex>
#include <stdexcept>
#include <string>

#include "connectors/module_loader.h"
#include "ops/rest_service.h"

namespace connectrun {

namespace {

// The REST module, opened on first use and kept for the process (RTLD_NODELETE:
// its code stays mapped while its objects live); throws std::runtime_error with
// open_module's message when it cannot be opened (the next call tries again).
void* rest_module() {
  static std::mutex mutex;
  static ModuleHandle handle;
  std::lock_guard lock(mutex);
  if (!handle.get()) {
    std::string error;
    handle = open_module({.file = "connectrun-rest.so",
                          .subject = "the REST server (worker key listeners)",
                          .remedy = "its library comes with the Debian package " CONNECTRUN_REST_PACKAGES
                                    " (the connectrun package depends on it)",
                          .leave_out = "remove `listeners` to run without the REST interface"},
                         error);
    if (!handle.get()) throw std::runtime_error(error);
  }
  return handle.get();
}

}  // namespace

std::unique_ptr<RestService> make_rest_service(Herder& herder, const TopicBus& bus, Listener listener,
                                               std::vector<std::string> job_files, std::string librdkafka_version) {
  using New = RestService* (*)(Herder&, const TopicBus&, Listener, std::vector<std::string>, std::string);
  auto make = reinterpret_cast<New>(dlsym(rest_module(), "connectrun_rest_new"));
  if (!make) throw std::runtime_error("the REST module has no connectrun_rest_new: install the binary and its modules "
                                      "from one build");
  return std::unique_ptr<RestService>(make(herder, bus, std::move(listener), std::move(job_files),
                                           std::move(librdkafka_version)));
}

}  // namespace connectrun
