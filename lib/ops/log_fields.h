// Structured log lines: a message with fields of its own (the end-of-run
// summary's counts), for log shippers reading --log-format json.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <spdlog/spdlog.h>

namespace connectrun {

// A field of a structured log line: a member of the line's JSON object.
struct LogField {
  std::string name;
  std::variant<std::string, int64_t, double, bool> value;
};
// Logs `text` through `log` at `level` with `fields`: with LogFormat::Json they
// become members of the line's object (beside ts, level, connector, msg), in
// text and journal lines only `text` shows (it should say the same).
void log_with_fields(spdlog::logger& log, spdlog::level::level_enum level, std::string_view text,
                     const std::vector<LogField>& fields);

}  // namespace connectrun
