#include "ops/logger_levels.h"

#include <algorithm>
#include <chrono>
#include <set>

#include "ops/console_sink.h"

namespace connectrun {

namespace {
// "a.b" is below "a" (log4j's hierarchy); every name is below root.
bool below(const std::string& name, const std::string& parent) {
  return name.size() > parent.size() + 1 && name.compare(0, parent.size(), parent) == 0 && name[parent.size()] == '.';
}
int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}
}  // namespace

LoggerLevels& LoggerLevels::instance() {
  static LoggerLevels levels;
  return levels;
}

void LoggerLevels::add(const std::shared_ptr<spdlog::logger>& log) {
  std::lock_guard lock(mu_);
  std::erase_if(live_, [](auto& w) { return w.expired(); });
  live_.push_back(log);
  // The closest name at or above it that has a level set.
  const std::string& name = log->name();
  const Level* found = nullptr;
  size_t best = 0;
  for (auto& [n, l] : set_)
    if ((n == name || below(name, n)) && n.size() >= best) {
      found = &l;
      best = n.size();
    }
  log->set_level(found ? found->level : spdlog::get_level());
  // The shared sink is left as it is unless a level set over REST needs it lower.
  if (found)
    for (auto& sink : spdlog::default_logger()->sinks())
      if (found->level < sink->level()) sink->set_level(found->level);
}

std::vector<std::pair<std::string, LoggerLevels::Level>> LoggerLevels::all() {
  std::lock_guard lock(mu_);
  std::map<std::string, Level> out;
  for (auto& w : live_)
    if (auto log = w.lock(); log && log->name() != kRootLogger) out.emplace(log->name(), Level{log->level(), {}});
  for (auto& [n, l] : set_) out[n] = l;
  std::vector<std::pair<std::string, Level>> list{{"root", Level{spdlog::default_logger()->level(), root_modified_}}};
  for (auto& [n, l] : out) list.emplace_back(n, l);
  return list;
}

std::optional<LoggerLevels::Level> LoggerLevels::get(const std::string& name) {
  for (auto& [n, l] : all())
    if (n == name) return l;
  return std::nullopt;
}

std::vector<std::string> LoggerLevels::set(const std::string& name, spdlog::level::level_enum level) {
  std::lock_guard lock(mu_);
  const int64_t now = now_ms();
  const bool root = name == "root";
  std::set<std::string> changed;
  if (root) {
    changed.insert("root");
    root_modified_ = now;
    spdlog::set_level(level);  // what loggers made later start from
    spdlog::default_logger()->set_level(level);
  } else {
    set_[name] = Level{level, now};
    changed.insert(name);
  }
  for (auto& [n, l] : set_)
    if (root || below(n, name)) {
      l = Level{level, now};
      changed.insert(n);
    }
  for (auto& w : live_)
    if (auto log = w.lock(); log && log->name() != kRootLogger && (root || log->name() == name || below(log->name(), name))) {
      log->set_level(level);
      changed.insert(log->name());
    }
  apply_sink_level();
  return {changed.begin(), changed.end()};
}

void LoggerLevels::apply_sink_level() {
  auto lowest = spdlog::default_logger()->level();
  for (auto& w : live_)
    if (auto log = w.lock()) lowest = std::min(lowest, log->level());
  for (auto& [n, l] : set_) lowest = std::min(lowest, l.level);
  for (auto& sink : spdlog::default_logger()->sinks()) sink->set_level(lowest);
}

}  // namespace connectrun
