#include "ops/systemd_notify.h"

#include <dlfcn.h>
#include <spdlog/spdlog.h>

#include <cstdlib>

namespace connectrun {

namespace {
// STATUS= is one line: newlines would end the field early.
std::string one_line(std::string s) {
  for (char& c : s)
    if (c == '\n' || c == '\r') c = ' ';
  return s;
}
}  // namespace

SystemdNotifier::SystemdNotifier() {
  const char* socket = std::getenv("NOTIFY_SOCKET");
  if (!socket || !*socket) return;
  libsystemd_ = {dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL), dlclose};
  if (!libsystemd_) {
    const char* why = dlerror();
    spdlog::error("NOTIFY_SOCKET is set but libsystemd cannot be loaded ({}): install libsystemd0; until then systemd "
                  "hears no READY=1, STATUS= or watchdog pings from this process",
                  why ? why : "unknown error");
    return;
  }
  sd_notify_ = reinterpret_cast<int (*)(int, const char*)>(dlsym(libsystemd_.get(), "sd_notify"));
  auto watchdog_enabled = reinterpret_cast<int (*)(int, uint64_t*)>(dlsym(libsystemd_.get(), "sd_watchdog_enabled"));
  active_ = sd_notify_ && watchdog_enabled;
  uint64_t usec = 0;
  // > 0 only when WATCHDOG_USEC is set and WATCHDOG_PID is unset or ours.
  if (active_ && watchdog_enabled(0, &usec) > 0 && usec > 0) watchdog_ = std::chrono::microseconds(usec);
}

void SystemdNotifier::send(const std::string& message) {
  // Failures (the manager went away, say) are not ours to act on: the
  // watchdog, if any, will notice; the job keeps running.
  if (active_) sd_notify_(0, message.c_str());
}

void SystemdNotifier::ready(const std::string& status) {
  send("READY=1\nSTATUS=" + one_line(status));
  next_ping_ = Clock::now();  // first ping right away
  tick(next_ping_);
}

void SystemdNotifier::status(const std::string& status) { send("STATUS=" + one_line(status)); }

void SystemdNotifier::stopping(const std::string& status) { send("STOPPING=1\nSTATUS=" + one_line(status)); }

void SystemdNotifier::tick(Clock::time_point now) {
  if (watchdog_.count() == 0 || now < next_ping_) return;
  send("WATCHDOG=1");
  next_ping_ = now + watchdog_ / 2;
}

}  // namespace connectrun
