// The one spdlog sink every logger writes to: stderr, in one of three styles,
// sharing the terminal with the live status line (ops/run_monitor.h).
//   Text     "2026-12-01T07:42:47.123 INFO [src] message" (a terminal, a file)
//   Journal  "<6>[src] message": sd-daemon priority prefixes and no timestamp,
//            which journald adds itself (stderr is the journal stream)
//   Json     {"ts":"2026-12-01T07:42:47.123Z","level":"INFO","connector":"src","msg":"message"}
// Levels carry log4j's names (TRACE, DEBUG, INFO, WARN, ERROR, FATAL), as
// Kafka Connect's own log lines do, in every style.
// Lines of the job itself (the logger named kRootLogger) carry no connector.
// With `colour` (a terminal that takes it, see ops/log.h) a Text line's level
// word is coloured; the other styles never are.
#pragma once

#include <cstdio>
#include <mutex>
#include <string>
#include <string_view>

#include <spdlog/sinks/base_sink.h>

namespace connectrun {

inline constexpr const char* kRootLogger = "";

class ConsoleSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  enum class Style { Text, Journal, Json };
  explicit ConsoleSink(Style style, std::FILE* out = stderr, bool colour = false)
      : style_(style), out_(out), colour_(colour && style == Style::Text) {}

  // Draws `line` in place of the current status line (no newline), or erases
  // it when `line` is empty. The next log line erases it before printing.
  void show_status(std::string_view line);

  // One formatted line, without the trailing newline (exposed for tests).
  // `json_fields` (",\"name\":value…") are members added to a JSON line; the
  // other styles show the message alone.
  static std::string format(Style style, const spdlog::details::log_msg& msg, std::string_view json_fields = {},
                            bool colour = false);
  // The level word as a Text line shows it: "WARN", or with `colour` wrapped in
  // its ANSI colour ("\033[33mWARN\033[0m").
  static std::string level_word(spdlog::level::level_enum level, bool colour);

  // Writes `msg` with the structured fields of log_with_fields (ops/log.h).
  void log_with_fields(const spdlog::details::log_msg& msg, std::string_view json_fields);

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override;
  void flush_() override { std::fflush(out_); }
  // The style decides the format; spdlog patterns are ignored.
  void set_pattern_(const std::string&) override {}
  void set_formatter_(std::unique_ptr<spdlog::formatter>) override {}

 private:
  Style style_;
  std::FILE* out_;
  bool colour_;
  bool status_shown_ = false;
  void write_locked(const spdlog::details::log_msg& msg, std::string_view json_fields);
};

}  // namespace connectrun
