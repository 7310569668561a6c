#include "ops/file_watch.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include <fmt/format.h>

namespace connectrun {

FileWatch::FileWatch(const std::vector<std::string>& files, std::chrono::milliseconds debounce) : debounce_(debounce) {
  fd_ = UniqueFd(inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (!fd_) throw std::runtime_error(fmt::format("--watch: cannot start inotify: {}", std::strerror(errno)));
  for (auto& f : files) {
    std::filesystem::path p(f);
    std::string dir = p.has_parent_path() ? p.parent_path().string() : std::string(".");
    // In place (close after writing), renamed or moved over, created, removed.
    int wd = inotify_add_watch(fd_.get(), dir.c_str(), IN_CLOSE_WRITE | IN_MOVED_TO | IN_CREATE | IN_DELETE | IN_MODIFY);
    if (wd < 0) {
      throw std::runtime_error(fmt::format("--watch: cannot watch directory '{}': {}", dir, std::strerror(errno)));
    }
    files_.push_back({wd, dir, p.filename().string(), f});  // a directory watched twice gets the same wd
  }
}

std::optional<std::string> FileWatch::changed(Clock::time_point now) {
  alignas(inotify_event) char buf[8192];
  while (true) {
    ssize_t n = ::read(fd_.get(), buf, sizeof buf);
    if (n <= 0) break;  // EAGAIN: nothing more for now
    for (ssize_t at = 0; at < n;) {
      const auto* ev = reinterpret_cast<const inotify_event*>(buf + at);
      at += static_cast<ssize_t>(sizeof(inotify_event) + ev->len);
      if (ev->len == 0) continue;
      std::string_view name(ev->name);  // NUL-padded
      for (auto& w : files_)
        if (w.wd == ev->wd && w.name == name) {
          if (!pending_) pending_ = w.path;
          quiet_until_ = now + debounce_;
        }
    }
  }
  if (pending_ && now >= quiet_until_) {
    auto out = std::move(pending_);
    pending_.reset();
    return out;
  }
  return std::nullopt;
}

}  // namespace connectrun
