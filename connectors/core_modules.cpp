// The connectrun binary's side of the core modules: the REST server
// (modules/connectrun-rest.so: cpp-httplib, and the OpenSSL it initialises at
// load) is loaded when a job sets `listeners`, the Kafka client
// (modules/connectrun-kafka.so: librdkafka, with its OpenSSL, SASL and
// compressors) when a job or command uses Kafka (kafka_api.h), ICU
// (modules/connectrun-icu.so) when the first date format is built
// (icu_date_format.h), so a job that uses none maps none of them. Where they
// are linked in (tests, fuzz targets), lib/ops/rest_linked.cpp,
// lib/kafka/kafka_linked.cpp and lib/transforms/icu_linked.cpp define these
// functions instead.
#include <dlfcn.h>
#include <fmt/format.h>
#include <librdkafka/rdkafka.h>  // RD_KAFKA_VERSION only: nothing here calls librdkafka

#include <mutex>
#include <stdexcept>
#include <string>

#include "connectors/module_loader.h"
#include "kafka/kafka_api.h"
#include "ops/rest_service.h"
#include "transforms/icu_date_format.h"

namespace connectrun {

namespace {

// A core module, opened on first use and kept for the process (RTLD_NODELETE:
// its code stays mapped while its objects live).
class CoreModule {
 public:
  explicit CoreModule(ModuleSpec spec) : spec_(std::move(spec)) {}
  // Its entry point `symbol`, the module opened first; throws
  // std::runtime_error with open_module's message when it cannot be opened
  // (the next call tries again), or when it lacks the symbol.
  void* entry(const char* symbol) {
    std::lock_guard lock(mutex_);
    if (!handle_.get()) {
      std::string error;
      handle_ = open_module(spec_, error);
      if (!handle_.get()) throw std::runtime_error(error);
    }
    void* f = dlsym(handle_.get(), symbol);
    if (!f)
      throw std::runtime_error(fmt::format("{}: its module has no {}: install the binary and its modules from one build",
                                           spec_.subject, symbol));
    return f;
  }
  bool loaded() {
    std::lock_guard lock(mutex_);
    return handle_.get() != nullptr;
  }

 private:
  const ModuleSpec spec_;
  std::mutex mutex_;
  ModuleHandle handle_;
};

CoreModule& rest_module() {
  static CoreModule m({.file = "connectrun-rest.so",
                       .subject = "the REST server (worker key listeners)",
                       .remedy = "its library comes with the Debian package " CONNECTRUN_REST_PACKAGES
                                 " (the connectrun package depends on it)",
                       .leave_out = "remove `listeners` to run without the REST interface"});
  return m;
}

CoreModule& kafka_module() {
  static CoreModule m({.file = "connectrun-kafka.so",
                       .subject = "the Kafka client (the Kafka bus, offset.storage.topic, group.id, Kafka client keys)",
                       .remedy = "its library comes with the Debian package " CONNECTRUN_KAFKA_PACKAGES
                                 " (the connectrun package depends on it)",
                       .leave_out = "leave out bootstrap.servers, offset.storage.topic, group.id and the Kafka "
                                    "client keys to run on the in-process bus without it"});
  return m;
}

CoreModule& icu_module() {
  static CoreModule m({.file = "connectrun-icu.so",
                       .subject = "ICU (the date formats of TimestampConverter and TimestampRouter)",
                       .remedy = "its libraries come with the Debian package " CONNECTRUN_ICU_PACKAGES
                                 " (the connectrun package depends on it)",
                       .leave_out = "remove the transform's date format"});
  return m;
}

// RD_KAFKA_VERSION (0xMMmmrrpp) as rd_kafka_version_str formats it: "2.0.2"; a pre-release "2.1.0-RC1".
std::string built_librdkafka_version() {
  const int v = RD_KAFKA_VERSION, pre = v & 0xff;
  std::string out = fmt::format("{}.{}.{}", (v >> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff);
  if (pre != 0xff) out += pre <= 200 ? fmt::format("-pre{}", pre) : fmt::format("-RC{}", pre - 200);
  return out;
}

}  // namespace

std::unique_ptr<RestService> make_rest_service(Herder& herder, const TopicBus& bus, Listener listener,
                                               std::vector<std::string> job_files, std::string librdkafka_version) {
  using New = RestService* (*)(Herder&, const TopicBus&, Listener, std::vector<std::string>, std::string);
  auto make = reinterpret_cast<New>(rest_module().entry("connectrun_rest_new"));
  return std::unique_ptr<RestService>(make(herder, bus, std::move(listener), std::move(job_files),
                                           std::move(librdkafka_version)));
}

namespace transforms {

std::unique_ptr<IcuDateFormat> make_icu_date_format(std::string_view pattern) {
  auto make = reinterpret_cast<IcuDateFormat* (*)(std::string_view)>(icu_module().entry("connectrun_icu_date_format"));
  return std::unique_ptr<IcuDateFormat>(make(pattern));
}

}  // namespace transforms

const KafkaApi& kafka_api() {
  // The module's table, asked for once.
  static std::mutex mutex;
  static const KafkaApi* api = nullptr;
  std::lock_guard lock(mutex);
  if (!api) api = reinterpret_cast<const KafkaApi* (*)()>(kafka_module().entry("connectrun_kafka_api"))();
  return *api;
}

std::string librdkafka_version() {
  if (kafka_module().loaded()) {
    try {
      return kafka_api().version();
    } catch (const std::exception&) {  // loaded but foreign: its error is reported where Kafka is used
    }
  }
  return built_librdkafka_version();
}

}  // namespace connectrun
