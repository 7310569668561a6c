// GET/PUT /admin/loggers (Kafka's LoggingResource). connectrun has one logger
// hierarchy, "root": its level is the level of every log line (the job's and
// each connector's). Levels use log4j's names (TRACE … FATAL, OFF).
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

namespace connectrun::rest {

class Loggers {
 public:
  // {"root":{"level":"INFO"}} (with "last_modified", ms since the epoch, once set over REST).
  std::string all_json() const;
  // {"level":"INFO"} for "root"; nullopt for another name (Kafka: 404).
  std::optional<std::string> one_json(const std::string& name) const;
  // Sets the level of `name` (only "root" exists). Returns the answer's JSON
  // (the loggers changed: ["root"]) or throws std::invalid_argument with
  // Kafka's message for a level it does not know.
  std::string set(const std::string& name, const std::string& level);

 private:
  mutable std::mutex mu_;
  std::optional<int64_t> last_modified_;
};

}  // namespace connectrun::rest
