#include "ops/console_sink.h"

#include <time.h>

#include <chrono>

#include <fmt/format.h>

#include "json/json_writer.h"

namespace connectrun {

namespace {

constexpr std::string_view kEraseLine = "\r\033[K";

// log4j's level names, as Kafka Connect's log lines print them ("INFO", "WARN"):
// the same in text and JSON lines.
std::string_view level_name(spdlog::level::level_enum l) {
  switch (l) {
    case spdlog::level::trace: return "TRACE";
    case spdlog::level::debug: return "DEBUG";
    case spdlog::level::info: return "INFO";
    case spdlog::level::warn: return "WARN";
    case spdlog::level::err: return "ERROR";
    case spdlog::level::critical: return "FATAL";
    default: return "OFF";
  }
}

// syslog(3) priorities, as sd-daemon(3) prefixes expect them.
int journal_priority(spdlog::level::level_enum l) {
  switch (l) {
    case spdlog::level::trace:
    case spdlog::level::debug: return 7;  // LOG_DEBUG
    case spdlog::level::info: return 6;   // LOG_INFO
    case spdlog::level::warn: return 4;   // LOG_WARNING
    case spdlog::level::err: return 3;    // LOG_ERR
    default: return 2;                    // LOG_CRIT
  }
}

// "2026-12-01T07:42:47.123", local time or UTC.
std::string timestamp(spdlog::log_clock::time_point t, bool utc) {
  auto since = t.time_since_epoch();
  time_t secs = std::chrono::duration_cast<std::chrono::seconds>(since).count();
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(since).count() % 1000;
  struct tm tm{};
  if (utc) gmtime_r(&secs, &tm);
  else localtime_r(&secs, &tm);
  return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                     tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
}

std::string_view name_of(const spdlog::details::log_msg& msg) {
  return std::string_view(msg.logger_name.data(), msg.logger_name.size());
}

}  // namespace

std::string ConsoleSink::level_word(spdlog::level::level_enum level, bool colour) {
  std::string_view word = level_name(level);
  if (!colour) return std::string(word);
  // ANSI SGR: dim for trace/debug, green, yellow, red, bold red.
  std::string_view sgr = level <= spdlog::level::debug   ? "2"
                         : level == spdlog::level::info  ? "32"
                         : level == spdlog::level::warn  ? "33"
                         : level == spdlog::level::err   ? "31"
                                                         : "1;31";
  return fmt::format("\033[{}m{}\033[0m", sgr, word);
}

std::string ConsoleSink::format(Style style, const spdlog::details::log_msg& msg, std::string_view json_fields,
                                bool colour) {
  std::string_view name = name_of(msg);
  std::string_view text(msg.payload.data(), msg.payload.size());
  std::string shown = name.empty() ? std::string("connectrun") : std::string(name);
  switch (style) {
    case Style::Journal:
      return fmt::format("<{}>[{}] {}", journal_priority(msg.level), shown, text);
    case Style::Json: {
      std::string out = "{\"ts\":\"" + timestamp(msg.time, true) + "Z\",\"level\":\"";
      out += level_name(msg.level);
      out += '"';
      if (!name.empty()) {
        out += ",\"connector\":";
        append_json_string(out, name);
      }
      out += ",\"msg\":";
      append_json_string(out, text);
      out += json_fields;
      out += '}';
      return out;
    }
    case Style::Text:
      break;
  }
  return fmt::format("{} {} [{}] {}", timestamp(msg.time, false), level_word(msg.level, colour), shown, text);
}

void ConsoleSink::sink_it_(const spdlog::details::log_msg& msg) { write_locked(msg, {}); }

void ConsoleSink::log_with_fields(const spdlog::details::log_msg& msg, std::string_view json_fields) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (should_log(msg.level)) write_locked(msg, json_fields);
}

void ConsoleSink::write_locked(const spdlog::details::log_msg& msg, std::string_view json_fields) {
  std::string line;
  if (status_shown_) line = kEraseLine;
  status_shown_ = false;
  line += format(style_, msg, json_fields, colour_);
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), out_);
  std::fflush(out_);
}

void ConsoleSink::show_status(std::string_view status) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (status.empty() && !status_shown_) return;
  std::string out(kEraseLine);
  out += status;
  std::fwrite(out.data(), 1, out.size(), out_);
  std::fflush(out_);
  status_shown_ = !status.empty();
}

}  // namespace connectrun
