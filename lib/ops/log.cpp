#include "ops/log.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <type_traits>

#include <fmt/format.h>

#include "json/json_writer.h"
#include "ops/console_sink.h"
#include "ops/logger_levels.h"
#include "ops/log_fields.h"

namespace connectrun {

namespace {

LogFormat g_format = LogFormat::Text;
bool g_journal = false;
bool g_colour = false;

// systemd sets JOURNAL_STREAM to "DEVICE:INODE" of the stream it connected to
// stdout/stderr; it counts only when stderr still is that stream (see systemd.exec(5)).
bool stderr_is_journal() {
  const char* env = std::getenv("JOURNAL_STREAM");
  if (!env) return false;
  unsigned long long dev = 0, ino = 0;
  if (std::sscanf(env, "%llu:%llu", &dev, &ino) != 2) return false;
  struct stat st{};
  if (fstat(STDERR_FILENO, &st) != 0) return false;
  return static_cast<unsigned long long>(st.st_dev) == dev && static_cast<unsigned long long>(st.st_ino) == ino;
}

// init_logging: text lines get coloured level words on a terminal (below);
// JSON lines and the journal never.
// Colour for the level words: text lines on a terminal (not the journal, not
// piped), TERM naming one that takes colour, and no NO_COLOR (https://no-color.org:
// any non-empty value turns colour off).
bool colour_on_stderr() {
  const char* no_colour = std::getenv("NO_COLOR");
  if (no_colour && *no_colour) return false;
  const char* term = std::getenv("TERM");
  if (!term || !*term || std::string_view(term) == "dumb") return false;
  return isatty(STDERR_FILENO) == 1;
}

std::shared_ptr<ConsoleSink>& sink() {
  // One sink shared by every logger so lines from different threads never interleave.
  static auto s = std::make_shared<ConsoleSink>(ConsoleSink::Style::Text);
  return s;
}

}  // namespace

void init_logging(std::string_view level, LogFormat format) {
  g_format = format;
  auto style = format == LogFormat::Json ? ConsoleSink::Style::Json
               : stderr_is_journal()     ? ConsoleSink::Style::Journal
                                         : ConsoleSink::Style::Text;
  g_journal = style == ConsoleSink::Style::Journal;
  g_colour = style == ConsoleSink::Style::Text && colour_on_stderr();
  sink() = std::make_shared<ConsoleSink>(style, stderr, g_colour);
  spdlog::set_level(spdlog::level::from_str(std::string(level)));
  auto root = std::make_shared<spdlog::logger>(kRootLogger, sink());
  root->set_level(spdlog::get_level());  // a logger made by hand starts at info: --log-level is for the job's lines too
  spdlog::set_default_logger(root);
}

std::shared_ptr<spdlog::logger> make_logger(const std::string& name) {
  auto log = std::make_shared<spdlog::logger>(name, sink());
  LoggerLevels::instance().add(log);  // its level: one set for it over REST (/admin/loggers), else the global one
  return log;
}

void log_with_fields(spdlog::logger& log, spdlog::level::level_enum level, std::string_view text,
                     const std::vector<LogField>& fields) {
  if (!log.should_log(level)) return;
  std::string extra;
  for (auto& f : fields) {
    extra += ',';
    append_json_string(extra, f.name);
    extra += ':';
    std::visit(
        [&](auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::string>) append_json_string(extra, v);
          else if constexpr (std::is_same_v<T, bool>) extra += v ? "true" : "false";
          else if constexpr (std::is_same_v<T, int64_t>) append_integer(extra, v);
          else append_json_double(extra, v);
        },
        f.value);
  }
  spdlog::details::log_msg msg(log.name(), level, spdlog::string_view_t(text.data(), text.size()));
  for (auto& s : log.sinks()) {
    if (auto* console = dynamic_cast<ConsoleSink*>(s.get())) console->log_with_fields(msg, extra);
    else if (s->should_log(level)) s->log(msg);
  }
}

void print_notice(Notice kind, std::string_view text) {
  std::string line;
  if (g_format == LogFormat::Json) {
    auto level = kind == Notice::Error ? spdlog::level::err : kind == Notice::Warning ? spdlog::level::warn : spdlog::level::info;
    spdlog::details::log_msg msg(kRootLogger, level, spdlog::string_view_t(text.data(), text.size()));
    line = ConsoleSink::format(ConsoleSink::Style::Json, msg);
  } else {
    if (g_journal) line = kind == Notice::Error ? "<3>" : kind == Notice::Warning ? "<4>" : "<6>";
    if (kind != Notice::Info) {
      std::string_view word = kind == Notice::Error ? "error:" : "warning:";
      // Coloured as the log lines' ERROR and WARN are.
      line += g_colour ? fmt::format("\033[{}m{}\033[0m", kind == Notice::Error ? "31" : "33", word) : std::string(word);
      line += ' ';
    }
    line += text;
  }
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
}

bool status_line_possible() { return g_format == LogFormat::Text && isatty(STDERR_FILENO) == 1; }

void show_status_line(std::string_view line) { sink()->show_status(line); }

}  // namespace connectrun
