#include "ops/rest_loggers.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include <fmt/format.h>
#include <spdlog/sinks/sink.h>
#include <spdlog/spdlog.h>

namespace connectrun::rest {

namespace {
const char* log4j_name(spdlog::level::level_enum l) {
  switch (l) {
    case spdlog::level::trace: return "TRACE";
    case spdlog::level::debug: return "DEBUG";
    case spdlog::level::info: return "INFO";
    case spdlog::level::warn: return "WARN";
    case spdlog::level::err: return "ERROR";
    case spdlog::level::critical: return "FATAL";
    default: return "OFF";
  }
}

std::optional<spdlog::level::level_enum> from_log4j(std::string name) {
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (name == "TRACE" || name == "ALL") return spdlog::level::trace;
  if (name == "DEBUG") return spdlog::level::debug;
  if (name == "INFO") return spdlog::level::info;
  if (name == "WARN") return spdlog::level::warn;
  if (name == "ERROR") return spdlog::level::err;
  if (name == "FATAL") return spdlog::level::critical;
  if (name == "OFF") return spdlog::level::off;
  return std::nullopt;
}
}  // namespace

std::string Loggers::all_json() const {
  std::lock_guard lock(mu_);
  std::string level = fmt::format(R"("level":"{}")", log4j_name(spdlog::default_logger()->level()));
  if (last_modified_) level += fmt::format(R"(,"last_modified":{})", *last_modified_);
  return fmt::format(R"({{"root":{{{}}}}})", level);
}

std::optional<std::string> Loggers::one_json(const std::string& name) const {
  if (name != "root") return std::nullopt;
  return fmt::format(R"({{"level":"{}"}})", log4j_name(spdlog::default_logger()->level()));
}

std::string Loggers::set(const std::string& name, const std::string& level) {
  auto l = from_log4j(level);
  if (!l) throw std::invalid_argument(fmt::format("invalid log level '{}'.", level));
  std::lock_guard lock(mu_);
  // Every logger writes through the default logger's sink: the sink's level
  // cuts lines below it at once, everywhere; the loggers' own levels (set as
  // they are made, from spdlog's global level) let lower ones through for the
  // job's logger now and each connector's from its next (re)start.
  spdlog::set_level(*l);
  spdlog::default_logger()->set_level(*l);
  for (auto& sink : spdlog::default_logger()->sinks()) sink->set_level(*l);
  last_modified_ = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  (void)name;  // only "root": every name is under it
  return R"(["root"])";
}

}  // namespace connectrun::rest
