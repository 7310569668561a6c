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

// "512 B", "3.4 kB", "12.3 MB", "1.2 GB" (decimal units).
std::string byte_size(uint64_t n) {
  auto d = static_cast<double>(n);
  if (n >= 1'000'000'000) return fmt::format("{:.1f} GB", d / 1e9);
  if (n >= 1'000'000) return fmt::format("{:.1f} MB", d / 1e6);
  if (n >= 1'000) return fmt::format("{:.1f} kB", d / 1e3);
  return fmt::format("{} B", n);
}

// A connector's records: what a source read, what a sink wrote.
uint64_t records_of(const WorkerSample& w) { return w.is_source ? w.read : w.written; }

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

RunMonitor::RunMonitor(bool status_line, Sampler sample, std::chrono::milliseconds progress_interval)
    : draw_(status_line && status_line_possible()), sample_(std::move(sample)), last_(sample_()) {
  // Progress lines stand in for the status line where none can be drawn; -q on a terminal asks for neither.
  if (!status_line_possible() && progress_interval.count() > 0) progress_interval_ = progress_interval;
}

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
      it->bytes += t.bytes;
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
    out += fmt::format(" total {} ({})", count(static_cast<int64_t>(records_of(w))), byte_size(w.bytes));
  }
  return out;
}

std::string RunMonitor::progress_text(const WorkerSample& before, const WorkerSample& now, double seconds) {
  uint64_t total = records_of(now), earlier = records_of(before);
  uint64_t delta = total >= earlier ? total - earlier : total;  // restarted: counts from 0
  double per_second = seconds > 0 ? static_cast<double>(delta) / seconds : 0;
  std::string out = fmt::format("progress: {} records (+{}), {}, {}/s over {:.1f} s", total, delta,
                                byte_size(now.bytes), static_cast<uint64_t>(per_second + 0.5), seconds);
  if (now.progress) out += fmt::format(", {:.0f}% read", *now.progress * 100);
  return out;
}

void RunMonitor::log_progress(Clock::time_point now) {
  auto samples = per_connector(sample_());
  double seconds = std::chrono::duration<double>(now - progress_at_).count();
  for (auto& w : samples) {
    WorkerSample before{w.name};
    before.is_source = w.is_source;
    for (auto& b : progress_last_)
      if (b.name == w.name) before = b;
    uint64_t total = records_of(w), earlier = records_of(before);
    uint64_t delta = total >= earlier ? total - earlier : total;
    // An idle connector says so once ("+0"), then stays quiet until it moves
    // again: a service waiting for data does not fill its log.
    bool was_idle = std::find(idle_.begin(), idle_.end(), w.name) != idle_.end();
    if (delta == 0 && was_idle) continue;
    if (delta == 0) idle_.push_back(w.name);
    else if (was_idle) idle_.erase(std::find(idle_.begin(), idle_.end(), w.name));
    std::vector<LogField> fields{{"event", std::string("progress")},
                                 {"connector", w.name},
                                 {"records", static_cast<int64_t>(total)},
                                 {"records_interval", static_cast<int64_t>(delta)},
                                 {"bytes", static_cast<int64_t>(w.bytes)},
                                 {"rate", seconds > 0 ? static_cast<double>(delta) / seconds : 0.0},
                                 {"interval_seconds", seconds}};
    if (w.progress) fields.push_back({"percent", *w.progress * 100});
    log_with_fields(*make_logger(w.name), spdlog::level::info, progress_text(before, w, seconds), fields);
  }
  progress_last_ = std::move(samples);
  progress_at_ = now;
  next_progress_ = now + progress_interval_;
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
  progress_at_ = now;
  progress_last_ = per_connector(last_);
  next_progress_ = now + progress_interval_;
}

void RunMonitor::tick() {
  auto now = Clock::now();
  notifier_.tick(now);
  if (now >= next_refresh_) refresh(now);
  if (progress_interval_.count() > 0 && now >= next_progress_) log_progress(now);
}

void RunMonitor::stopping(const std::string& why) {
  if (stopping_) return;
  stopping_ = true;
  notifier_.stopping(why);
}

}  // namespace connectrun
