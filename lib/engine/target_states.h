// Connectors' target states across restarts of the process. Kafka keeps a
// connector's target state (STARTED, PAUSED, STOPPED) in its config topic, so
// one stopped or paused over REST stays so when the worker restarts.
// connectrun keeps it beside the offsets file, in "<offsets file>.states.json":
//   {"connectors":{"NAME":"STOPPED","OTHER":"PAUSED"}}
// A running connector has no entry; the file is removed when none is left.
#pragma once

#include <map>
#include <optional>
#include <string>

namespace connectrun {

class TargetStates {
 public:
  // `offsets_path`: the offsets file ("": nothing is kept).
  explicit TargetStates(const std::string& offsets_path);
  // Connector name -> "STOPPED" or "PAUSED"; empty when there is no file.
  // Throws std::runtime_error naming the file when it is not one connectrun wrote.
  std::map<std::string, std::string> load() const;
  // Replaces the file (or removes it when `states` is empty); the error text on failure.
  std::optional<std::string> save(const std::map<std::string, std::string>& states) const;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace connectrun
