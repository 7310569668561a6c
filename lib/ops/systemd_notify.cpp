#include "ops/systemd_notify.h"

#include <cstdlib>

#include <systemd/sd-daemon.h>

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
  active_ = socket && *socket;
  uint64_t usec = 0;
  // > 0 only when WATCHDOG_USEC is set and WATCHDOG_PID is unset or ours.
  if (active_ && sd_watchdog_enabled(0, &usec) > 0 && usec > 0) watchdog_ = std::chrono::microseconds(usec);
}

void SystemdNotifier::send(const std::string& message) {
  // Failures (the manager went away, say) are not ours to act on: the
  // watchdog, if any, will notice; the job keeps running.
  if (active_) sd_notify(0, message.c_str());
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
