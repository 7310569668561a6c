#include "runtime/log.h"

#include <spdlog/sinks/stdout_sinks.h>

namespace connectrun {

namespace {
spdlog::sink_ptr stderr_sink() {
  // One sink shared by every logger so lines from different threads never interleave.
  static auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  return sink;
}
}  // namespace

void init_logging(std::string_view level) {
  spdlog::set_level(spdlog::level::from_str(std::string(level)));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %l [%n] %v");
  auto root = std::make_shared<spdlog::logger>("connectrun", stderr_sink());
  spdlog::set_default_logger(root);
}

std::shared_ptr<spdlog::logger> make_logger(const std::string& name) {
  auto log = std::make_shared<spdlog::logger>(name, stderr_sink());
  log->set_level(spdlog::get_level());
  log->set_pattern("%Y-%m-%dT%H:%M:%S.%e %l [%n] %v");
  return log;
}

}  // namespace connectrun
