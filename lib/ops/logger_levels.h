// The loggers connectrun has, by name, with their levels, for Kafka's
// /admin/loggers (LoggingResource): "root" (the job's own lines and the
// default of every other), one per connector ("NAME", its task N>0's
// "NAME-N") and per plugin that logs for itself. A level set by name applies
// at once to the live loggers of that name and of names below it
// (log4j's hierarchy: "a" covers "a.b"), and to those made later: a
// connector restarted or created after the change gets it too.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

namespace connectrun {

class LoggerLevels {
 public:
  // The process's one registry (it mirrors spdlog's process-wide loggers).
  static LoggerLevels& instance();

  // A logger just made: it takes the level set for its name (or the closest
  // name above it), else root's.
  void add(const std::shared_ptr<spdlog::logger>& log);

  struct Level {
    spdlog::level::level_enum level = spdlog::level::info;
    std::optional<int64_t> last_modified;  // ms since the epoch, when set over REST
  };
  // Every logger name (live, or given a level) with its level; "root" first, then by name.
  std::vector<std::pair<std::string, Level>> all();
  // nullopt: no logger of that name.
  std::optional<Level> get(const std::string& name);
  // Sets `name`'s level and those of the names below it ("root": every
  // logger's); returns the names changed, sorted.
  std::vector<std::string> set(const std::string& name, spdlog::level::level_enum level);

 private:
  void apply_sink_level();  // mu_ held: the shared sink lets through the lowest level any logger has
  std::mutex mu_;
  std::vector<std::weak_ptr<spdlog::logger>> live_;
  std::map<std::string, Level> set_;  // levels set by name (not root)
  std::optional<int64_t> root_modified_;
};

}  // namespace connectrun
