// The systemd service manager protocol (sd_notify(3)) for Type=notify units:
// READY=1 once every connector runs, STATUS= lines, STOPPING=1 on shutdown and
// WATCHDOG=1 pings at half of WatchdogSec. Outside systemd (no NOTIFY_SOCKET)
// every call is a no-op.
#pragma once

#include <chrono>
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

  bool active_ = false;
  std::chrono::microseconds watchdog_{0};
  Clock::time_point next_ping_{};
};

}  // namespace connectrun
