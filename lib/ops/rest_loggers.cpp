#include "ops/rest_loggers.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "json/json_writer.h"
#include "ops/logger_levels.h"

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

namespace {
std::string level_json(const LoggerLevels::Level& l) {
  std::string out = fmt::format(R"({{"level":"{}")", log4j_name(l.level));
  if (l.last_modified) out += fmt::format(R"(,"last_modified":{})", *l.last_modified);
  return out + "}";
}
}  // namespace

std::string Loggers::all_json() const {
  std::string out = "{";
  for (auto& [name, level] : LoggerLevels::instance().all()) {
    if (out.size() > 1) out += ',';
    append_json_string(out, name);
    out += ':' + level_json(level);
  }
  return out + "}";
}

std::optional<std::string> Loggers::one_json(const std::string& name) const {
  auto l = LoggerLevels::instance().get(name);
  if (!l) return std::nullopt;
  return level_json(*l);
}

std::string Loggers::set(const std::string& name, const std::string& level) {
  auto l = from_log4j(level);
  if (!l) throw std::invalid_argument(fmt::format("invalid log level '{}'.", level));
  std::string out = "[";
  for (auto& n : LoggerLevels::instance().set(name, *l)) {
    if (out.size() > 1) out += ',';
    append_json_string(out, n);
  }
  return out + "]";
}

}  // namespace connectrun::rest
