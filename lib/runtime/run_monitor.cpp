#include "runtime/run_monitor.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <fmt/format.h>

#include "runtime/log.h"
#include "runtime/task_worker.h"

namespace connectrun {

using namespace std::chrono_literals;

namespace {

std::string rate(double per_second) {
  if (per_second >= 1e6) return fmt::format("{:.1f}M/s", per_second / 1e6);
  if (per_second >= 1e4) return fmt::format("{:.0f}k/s", per_second / 1e3);
  if (per_second >= 1e3) return fmt::format("{:.1f}k/s", per_second / 1e3);
  return fmt::format("{:.0f}/s", per_second);
}

// The line must not wrap, or \r would redraw only its last row.
size_t terminal_width() {
  winsize ws{};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1) return ws.ws_col - 1;
  return 79;
}

}  // namespace

RunMonitor::RunMonitor(bool status_line, std::vector<const TaskWorker*> workers)
    : draw_(status_line && status_line_possible()), workers_(std::move(workers)) {
  for (auto* w : workers_) {
    names_.push_back(w->name());
    read_.push_back(w->stats().read.load());
    written_.push_back(w->stats().written.load());
  }
}

RunMonitor::~RunMonitor() {
  if (draw_) show_status_line("");
}

std::string RunMonitor::render(const std::vector<std::string>& names, const std::vector<uint64_t>& read_before,
                               const std::vector<uint64_t>& read_now, const std::vector<uint64_t>& written_before,
                               const std::vector<uint64_t>& written_now, double seconds) {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    double in = seconds > 0 ? static_cast<double>(read_now[i] - read_before[i]) / seconds : 0;
    double outr = seconds > 0 ? static_cast<double>(written_now[i] - written_before[i]) / seconds : 0;
    if (!out.empty()) out += " | ";
    out += fmt::format("{} in {} out {}", names[i], rate(in), rate(outr));
  }
  return out;
}

void RunMonitor::refresh(Clock::time_point now) {
  std::vector<uint64_t> read_now, written_now;
  for (auto* w : workers_) {
    read_now.push_back(w->stats().read.load());
    written_now.push_back(w->stats().written.load());
  }
  double seconds = std::chrono::duration<double>(now - last_sample_).count();
  std::string line = render(names_, read_, read_now, written_, written_now, seconds);
  read_ = std::move(read_now);
  written_ = std::move(written_now);
  last_sample_ = now;
  next_refresh_ = now + 1s;
  if (!stopping_) notifier_.status(line);
  if (draw_) {
    std::string shown = (stopping_ ? "stopping: " : "") + line;
    size_t width = terminal_width();
    if (shown.size() > width) shown = shown.substr(0, width > 3 ? width - 3 : width) + "...";
    show_status_line(shown);
  }
}

void RunMonitor::started(const std::string& description) {
  auto now = Clock::now();
  last_sample_ = now;
  notifier_.ready(description);
  if (draw_) show_status_line(fmt::format("{} connector(s) running", workers_.size()));
  next_refresh_ = now + 1s;
}

void RunMonitor::tick() {
  auto now = Clock::now();
  notifier_.tick(now);
  if (now >= next_refresh_) refresh(now);
}

void RunMonitor::stopping(const std::string& why) {
  if (stopping_) return;
  stopping_ = true;
  notifier_.stopping(why);
}

}  // namespace connectrun
