#include "ops/rest_metrics.h"

#include <dirent.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <string_view>

#include <fmt/format.h>

namespace connectrun::rest {

namespace {
std::string type_of(const ConnectorSnapshot& s) { return s.is_source ? "source" : "sink"; }

// Prometheus label values escape backslash, double quote and newline.
std::string label(std::string_view v) {
  std::string out;
  for (char ch : v) {
    if (ch == '\\') out += "\\\\";
    else if (ch == '"') out += "\\\"";
    else if (ch == '\n') out += "\\n";
    else out += ch;
  }
  return out;
}

std::string read_text(const char* path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The fields of /proc/self/stat after the command name (which may hold spaces):
// fields()[0] is field 3 (state).
std::vector<std::string> stat_fields() {
  std::string text = read_text("/proc/self/stat");
  auto close = text.rfind(')');
  if (close == std::string::npos) return {};
  std::istringstream in(text.substr(close + 1));
  std::vector<std::string> out;
  for (std::string f; in >> f;) out.push_back(f);
  return out;
}

std::optional<double> boot_time() {
  std::istringstream in(read_text("/proc/stat"));
  for (std::string line; std::getline(in, line);)
    if (line.rfind("btime ", 0) == 0) return std::stod(line.substr(6));
  return std::nullopt;
}

std::optional<int> open_fds() {
  std::unique_ptr<DIR, int (*)(DIR*)> dir(opendir("/proc/self/fd"), closedir);
  if (!dir) return std::nullopt;
  int n = 0;
  while (auto* e = readdir(dir.get()))
    if (e->d_name[0] != '.') ++n;
  return n - 1;  // the directory's own descriptor, open while it is read
}

void gauge(std::string& out, const char* name, const char* type, const char* help, double value) {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n{} {}\n", name, help, name, type, name, value);
}
}  // namespace

std::string process_metrics_text() {
  std::string out;
  const double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  auto f = stat_fields();
  // utime, stime: fields 14, 15; starttime: 22 (clock ticks since boot); rss: 24 (pages).
  if (f.size() > 21 && ticks > 0) {
    gauge(out, "process_cpu_seconds_total", "counter", "Total user and system CPU time spent in seconds.",
          (std::stod(f[11]) + std::stod(f[12])) / ticks);
    gauge(out, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.",
          std::stod(f[21]) * static_cast<double>(sysconf(_SC_PAGESIZE)));
    if (auto boot = boot_time())
      gauge(out, "process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.",
            *boot + std::stod(f[19]) / ticks);
  }
  if (auto fds = open_fds()) gauge(out, "process_open_fds", "gauge", "Number of open file descriptors.", *fds);
  if (long max = sysconf(_SC_OPEN_MAX); max > 0)
    gauge(out, "process_max_fds", "gauge", "Maximum number of open file descriptors.", static_cast<double>(max));
  return out;
}

std::string metrics_text(const std::vector<ConnectorSnapshot>& all, double offset_flush_age_seconds,
                         const std::vector<std::pair<std::string, double>>& client_metrics,
                         std::string_view librdkafka_version) {
  std::string out;
  auto family = [&](const char* name, const char* type, const char* help, auto&& value) {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
    for (auto& s : all)
      out += fmt::format("{}{{connector=\"{}\",type=\"{}\"}} {}\n", name, label(s.name), type_of(s), value(s));
  };
  family("connectrun_connector_records_read_total", "counter",
         "Records a connector took in: polled by a source, consumed from the bus by a sink (since its last start).",
         [](auto& s) { return s.read; });
  family("connectrun_connector_records_written_total", "counter",
         "Records a connector handed on: sent to the bus by a source, put and flushed by a sink (since its last start).",
         [](auto& s) { return s.written; });
  family("connectrun_connector_bytes_total", "counter",
         "Key, value and header bytes of the records a source sent to the bus or a sink took from it (since the "
         "connector was created).",
         [](auto& s) { return s.bytes; });
  family("connectrun_connector_errors_total", "counter",
         "Records that failed a stage (converter, transform, produce) and were skipped under errors.tolerance=all.",
         [](auto& s) { return s.errors; });
  family("connectrun_connector_dead_lettered_total", "counter",
         "Records a sink connector sent to its dead letter topic.", [](auto& s) { return s.dead_lettered; });
  out += "# HELP connectrun_connector_batch_seconds Time per batch: convert and send (source), put and flush (sink).\n"
         "# TYPE connectrun_connector_batch_seconds summary\n";
  for (auto& s : all) {
    out += fmt::format("connectrun_connector_batch_seconds_sum{{connector=\"{}\",type=\"{}\"}} {}\n", label(s.name),
                       type_of(s), s.batch_seconds);
    out += fmt::format("connectrun_connector_batch_seconds_count{{connector=\"{}\",type=\"{}\"}} {}\n", label(s.name),
                       type_of(s), s.batches);
  }
  out += "# HELP connectrun_connector_lag Records waiting for a sink connector: queued for it on the in-process bus, "
         "its consumer lag summed over its partitions on the Kafka bus (only when known).\n"
         "# TYPE connectrun_connector_lag gauge\n";
  for (auto& s : all)
    if (s.lag) out += fmt::format("connectrun_connector_lag{{connector=\"{}\",type=\"sink\"}} {}\n", label(s.name), *s.lag);
  out += "# HELP connectrun_connector_state 1 for the connector's current state (RUNNING, PAUSED, FAILED, "
         "UNASSIGNED, STOPPED).\n"
         "# TYPE connectrun_connector_state gauge\n";
  for (auto& s : all)
    for (const char* state : {"RUNNING", "PAUSED", "FAILED", "UNASSIGNED", "STOPPED"})
      out += fmt::format("connectrun_connector_state{{connector=\"{}\",state=\"{}\"}} {}\n", label(s.name), state,
                         s.state == state ? 1 : 0);
  out += fmt::format("# HELP connectrun_offset_flush_age_seconds Seconds since source offsets were last written to the "
                     "offsets file.\n# TYPE connectrun_offset_flush_age_seconds gauge\n"
                     "connectrun_offset_flush_age_seconds {}\n",
                     offset_flush_age_seconds);
  out += fmt::format("# HELP connectrun_build_info The running build: its version and librdkafka's (value 1).\n"
                     "# TYPE connectrun_build_info gauge\n"
                     "connectrun_build_info{{version=\"{}\",commit=\"unknown\",librdkafka=\"{}\"}} 1\n",
                     label(CONNECTRUN_VERSION), label(librdkafka_version));
  out += process_metrics_text();
  // librdkafka's statistics: each family's samples together under one TYPE line, as the format asks.
  auto family_of = [](const std::string& series) { return std::string_view(series).substr(0, series.find('{')); };
  auto sorted = client_metrics;
  std::stable_sort(sorted.begin(), sorted.end(),
                   [&](auto& a, auto& b) { return family_of(a.first) < family_of(b.first); });
  std::set<std::string> typed;
  for (auto& [series, value] : sorted) {
    std::string name = series.substr(0, series.find('{'));
    if (typed.insert(name).second) {
      bool counter = name.size() > 6 && name.compare(name.size() - 6, 6, "_total") == 0;
      out += fmt::format("# TYPE {} {}\n", name, counter ? "counter" : "gauge");
    }
    out += fmt::format("{} {}\n", series, value);
  }
  return out;
}

}  // namespace connectrun::rest
