// Logging: spdlog to stderr, one named logger per connector so every line says
// whose it is. All loggers share one sink (lib/runtime/console_sink.h), which
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

// True when stderr is a terminal and logs are text: a status line may be drawn.
bool status_line_possible();
// Redraws the status line on stderr ("" erases it); log lines erase it first.
void show_status_line(std::string_view line);

}  // namespace connectrun
