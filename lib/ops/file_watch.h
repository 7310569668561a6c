// `run --watch`: notices when the job files change, with inotify on the
// directories that hold them, so an editor that writes a new file and renames
// it over the old one is seen as well as one that rewrites it in place.
// Polled from the engine's main loop; changes are debounced (an editor's
// several writes, a write then a rename, become one reload).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "offsets/private_file.h"

namespace connectrun {

class FileWatch {
 public:
  using Clock = std::chrono::steady_clock;
  // Watches the directories of `files`. Throws std::runtime_error naming the
  // directory when inotify cannot watch it.
  explicit FileWatch(const std::vector<std::string>& files,
                     std::chrono::milliseconds debounce = std::chrono::milliseconds(200));
  FileWatch(const FileWatch&) = delete;
  FileWatch& operator=(const FileWatch&) = delete;

  // Non-blocking: reads what inotify has. Returns the changed file (the first
  // seen) once no further change came for the debounce time, else nullopt.
  std::optional<std::string> changed(Clock::time_point now = Clock::now());

 private:
  struct Watched {
    int wd;
    std::string dir, name, path;  // path as given on the command line
  };
  UniqueFd fd_;
  std::vector<Watched> files_;
  std::chrono::milliseconds debounce_;
  std::optional<std::string> pending_;
  Clock::time_point quiet_until_{};
};

}  // namespace connectrun
