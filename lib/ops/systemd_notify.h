// The systemd service manager protocol (sd_notify(3)) for Type=notify units:
// READY=1 once every connector runs, STATUS= lines, STOPPING=1 on shutdown and
// WATCHDOG=1 pings at half of WatchdogSec. Outside systemd (no NOTIFY_SOCKET)
// every call is a no-op. libsystemd is dlopen'ed only when NOTIFY_SOCKET is
// set: outside systemd the process maps neither it nor its libgcrypt, liblzma
// and libcap (docs/performance.md).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace connectrun {

class SystemdNotifier {
 public:
  using Clock = std::chrono::steady_clock;
  // Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID once.
  SystemdNotifier();

  bool active() const { return active_; }
  // 0 when the watchdog is off (or meant for another process).
  std::chrono::microseconds watchdog_interval() const { return watchdog_; }

  void ready(const std::string& status);
  void status(const std::string& status);
  void stopping(const std::string& status);
  // Sends WATCHDOG=1 when half the watchdog interval has passed since the last ping.
  void tick(Clock::time_point now);

 private:
  void send(const std::string& message);

  // libsystemd.so.0 while active (dlclose'd with the notifier); its sd_notify.
  std::unique_ptr<void, int (*)(void*)> libsystemd_{nullptr, nullptr};
  int (*sd_notify_)(int unset_environment, const char* state) = nullptr;
  bool active_ = false;
  std::chrono::microseconds watchdog_{0};
  Clock::time_point next_ping_{};
};

}  // namespace connectrun
