#include "ops/run_monitor.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>

#include <fmt/format.h>

#include "ops/log.h"
#include "ops/log_fields.h"

namespace connectrun {

using namespace std::chrono_literals;

namespace {

std::string rate(double per_second) {
  if (per_second >= 1e6) return fmt::format("{:.1f}M/s", per_second / 1e6);
  if (per_second >= 1e4) return fmt::format("{:.0f}k/s", per_second / 1e3);
  if (per_second >= 1e3) return fmt::format("{:.1f}k/s", per_second / 1e3);
  return fmt::format("{:.0f}/s", per_second);
}

std::string count(int64_t n) {
  if (n >= 1'000'000) return fmt::format("{:.1f}M", static_cast<double>(n) / 1e6);
  if (n >= 10'000) return fmt::format("{:.0f}k", static_cast<double>(n) / 1e3);
  return fmt::format("{}", n);
}

// The line must not wrap, or \r would redraw only its last row.
size_t terminal_width() {
  winsize ws{};
  if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1) return ws.ws_col - 1;
  return 79;
}

}  // namespace

void log_summary(spdlog::logger& log, const ConnectorSummary& s) {
  std::string text = fmt::format("connector '{}': {} read, {} written, {} skipped, {} dead-lettered, {:.2f} s{}{}{}",
                                 s.connector, s.read, s.written, s.skipped, s.dead_lettered, s.seconds,
                                 s.tasks > 1 ? fmt::format(" ({} tasks)", s.tasks) : "",
                                 s.undelivered ? fmt::format(" — {} NOT DELIVERED (read again on the next start)", s.undelivered) : "",
                                 s.failure ? " — FAILED: " + *s.failure : "");
  auto n = [](uint64_t v) { return static_cast<int64_t>(v); };
  std::vector<LogField> fields{{"event", std::string("summary")},
                               {"connector", s.connector},
                               {"status", std::string(s.failure ? "FAILED" : s.undelivered ? "UNDELIVERED" : "OK")},
                               {"read", n(s.read)},
                               {"written", n(s.written)},
                               {"skipped", n(s.skipped)},
                               {"dead_lettered", n(s.dead_lettered)},
                               {"undelivered", n(s.undelivered)},
                               {"seconds", s.seconds},
                               {"tasks", n(s.tasks)}};
  if (s.failure) fields.push_back({"failure", *s.failure});
  auto level = s.failure ? spdlog::level::err : s.undelivered ? spdlog::level::warn : spdlog::level::info;
  log_with_fields(log, level, text, fields);
}

RunMonitor::RunMonitor(bool status_line, Sampler sample)
    : draw_(status_line && status_line_possible()), sample_(std::move(sample)), last_(sample_()) {}

RunMonitor::~RunMonitor() {
  if (draw_) show_status_line("");
}

// One entry per connector, in first-seen order: the tasks of a connector share its name.
static std::vector<WorkerSample> per_connector(const std::vector<WorkerSample>& tasks) {
  std::vector<WorkerSample> out;
  for (auto& t : tasks) {
    auto it = std::find_if(out.begin(), out.end(), [&](auto& c) { return c.name == t.name; });
    if (it == out.end()) {
      out.push_back(t);
    } else {
      it->read += t.read;
      it->written += t.written;
      if (t.lag) it->lag = it->lag.value_or(0) + *t.lag;
    }
  }
  return out;
}

std::string RunMonitor::render(const std::vector<WorkerSample>& before_tasks, const std::vector<WorkerSample>& now_tasks,
                               double seconds) {
  auto before = per_connector(before_tasks);
  std::string out;
  for (auto& w : per_connector(now_tasks)) {
    uint64_t read0 = 0, written0 = 0;
    for (auto& b : before)
      if (b.name == w.name && b.read <= w.read && b.written <= w.written) {
        read0 = b.read;
        written0 = b.written;
        break;
      }
    double in = seconds > 0 ? static_cast<double>(w.read - read0) / seconds : 0;
    double outr = seconds > 0 ? static_cast<double>(w.written - written0) / seconds : 0;
    if (!out.empty()) out += " | ";
    out += fmt::format("{} in {} out {}", w.name, rate(in), rate(outr));
    if (w.lag) out += " lag " + count(*w.lag);
  }
  return out;
}

void RunMonitor::refresh(Clock::time_point now) {
  auto samples = sample_();
  double seconds = std::chrono::duration<double>(now - last_sample_).count();
  std::string line = render(last_, samples, seconds);
  last_ = std::move(samples);
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
  if (draw_) show_status_line(fmt::format("{} connector(s) running", last_.size()));
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
