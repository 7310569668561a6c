// Logging: spdlog to stderr, one named logger per connector so every line says
// whose it is. All loggers share one sink (lib/ops/console_sink.h), which
// also draws the live status line on a terminal.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

namespace connectrun {

enum class LogFormat {
  Text,  // timestamped lines; journald-friendly (<N> prefixes, no time) when stderr is the journal stream
  Json,  // one JSON object per line: ts, level, connector (absent for the job's own lines), msg
};

// Sets the level ("trace".."off") and the format for every logger made after.
void init_logging(std::string_view level, LogFormat format = LogFormat::Text);
// A logger that prefixes its lines with [name].
std::shared_ptr<spdlog::logger> make_logger(const std::string& name);

// A line printed before the job starts (a configuration problem, a warning, a
// summary), whatever the log level: "error: text" / "warning: text" / "text"
// on stderr (after a <3>/<4>/<6> priority under journald), or a JSON line
// (level error, warn or info) with LogFormat::Json.
enum class Notice { Error, Warning, Info };
void print_notice(Notice kind, std::string_view text);

// True when stderr is a terminal and logs are text: a status line may be drawn.
bool status_line_possible();
// Redraws the status line on stderr ("" erases it); log lines erase it first.
void show_status_line(std::string_view line);

}  // namespace connectrun
