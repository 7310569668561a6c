// GET/PUT /admin/loggers (Kafka's LoggingResource) over LoggerLevels: "root",
// each connector's logger ("NAME", task N>0's "NAME-N") and any name given a
// level. Levels use log4j's names (TRACE … FATAL, OFF).
#pragma once

#include <chrono>
#include <mutex>
#include <optional>
#include <string>

namespace connectrun::rest {

class Loggers {
 public:
  // {"root":{"level":"INFO"},"src":{"level":"DEBUG","last_modified":…}}: "last_modified"
  // (ms since the epoch) once set over REST.
  std::string all_json() const;
  // {"level":"INFO"} of one logger; nullopt when there is none of that name (Kafka: 404).
  std::optional<std::string> one_json(const std::string& name) const;
  // Sets the level of `name` and the names below it (a new name is created,
  // as log4j does; "root" sets every logger's). Returns the answer's JSON
  // (the loggers changed: ["src","src-1"]) or throws std::invalid_argument with
  // Kafka's message for a level it does not know.
  std::string set(const std::string& name, const std::string& level);
};

}  // namespace connectrun::rest
