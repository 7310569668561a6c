// The console sink's three line formats and the status line's text.
#include <catch2/catch.hpp>

#include <simdjson.h>

#include "ops/console_sink.h"
#include "ops/run_monitor.h"

using namespace connectrun;

namespace {
spdlog::details::log_msg msg(std::string_view logger, spdlog::level::level_enum level, std::string_view text) {
  return spdlog::details::log_msg(spdlog::string_view_t(logger.data(), logger.size()), level,
                                  spdlog::string_view_t(text.data(), text.size()));
}
}  // namespace

TEST_CASE("console sink: JSON lines escape every string and omit the connector on the job's own lines", "[log]") {
  simdjson::dom::parser parser;
  std::string tricky = "quote \" backslash \\ newline \n tab \t bell \x07 snowman \xE2\x98\x83";
  auto line = ConsoleSink::format(ConsoleSink::Style::Json, msg("src \"1\"", spdlog::level::warn, tricky));
  INFO(line);
  CHECK(line.find('\n') == std::string::npos);
  simdjson::dom::object obj;
  REQUIRE(parser.parse(line).get(obj) == simdjson::SUCCESS);
  std::string_view v;
  REQUIRE(obj["msg"].get(v) == simdjson::SUCCESS);
  CHECK(v == tricky);
  REQUIRE(obj["connector"].get(v) == simdjson::SUCCESS);
  CHECK(v == "src \"1\"");
  REQUIRE(obj["level"].get(v) == simdjson::SUCCESS);
  CHECK(v == "WARN");

  auto root = ConsoleSink::format(ConsoleSink::Style::Json, msg(kRootLogger, spdlog::level::err, "x"));
  REQUIRE(parser.parse(root).get(obj) == simdjson::SUCCESS);
  CHECK(obj["connector"].error() == simdjson::NO_SUCH_FIELD);
  REQUIRE(obj["level"].get(v) == simdjson::SUCCESS);
  CHECK(v == "ERROR");
}

TEST_CASE("console sink: journal lines carry syslog priorities and no time", "[log]") {
  using L = spdlog::level::level_enum;
  CHECK(ConsoleSink::format(ConsoleSink::Style::Journal, msg("snk", L::debug, "d")) == "<7>[snk] d");
  CHECK(ConsoleSink::format(ConsoleSink::Style::Journal, msg("snk", L::info, "i")) == "<6>[snk] i");
  CHECK(ConsoleSink::format(ConsoleSink::Style::Journal, msg("snk", L::warn, "w")) == "<4>[snk] w");
  CHECK(ConsoleSink::format(ConsoleSink::Style::Journal, msg(kRootLogger, L::err, "e")) == "<3>[connectrun] e");
  CHECK(ConsoleSink::format(ConsoleSink::Style::Journal, msg("snk", L::critical, "c")) == "<2>[snk] c");
}

TEST_CASE("console sink: text lines keep the timestamped format", "[log]") {
  auto line = ConsoleSink::format(ConsoleSink::Style::Text, msg("src", spdlog::level::warn, "careful"));
  INFO(line);
  REQUIRE(line.size() > 24);
  CHECK(line[10] == 'T');
  CHECK(line.substr(23) == " WARN [src] careful");
}

TEST_CASE("console sink: colour wraps only a text line's level word", "[log][envprog]") {
  auto coloured = ConsoleSink::format(ConsoleSink::Style::Text, msg("src", spdlog::level::warn, "careful"), {}, true);
  CHECK(coloured.substr(23) == " \033[33mWARN\033[0m [src] careful");
  CHECK(ConsoleSink::level_word(spdlog::level::err, true) == "\033[31mERROR\033[0m");
  CHECK(ConsoleSink::level_word(spdlog::level::info, false) == "INFO");
  // JSON and journal lines are for machines: never coloured.
  for (auto style : {ConsoleSink::Style::Json, ConsoleSink::Style::Journal})
    CHECK(ConsoleSink::format(style, msg("src", spdlog::level::warn, "careful"), {}, true).find('\033') == std::string::npos);
}

TEST_CASE("status line text: records per second in and out per connector", "[log]") {
  std::vector<WorkerSample> before{{"src", 0, 0}, {"snk", 100, 0}, {"gone", 5, 5}};
  std::vector<WorkerSample> now{{"src", 2000, 1500000}, {"snk", 600, 50000}, {"new", 10, 4}};
  CHECK(RunMonitor::render(before, now, 2.0) == "src in 1.0k/s out 750k/s total 2000 (0 B) | snk in 250/s out 25k/s total 600 (0 B) | new in 5/s out 2/s total 10 (0 B)");
  // A restarted task's counters start again from 0.
  CHECK(RunMonitor::render({{"a", 500, 500}}, {{"a", 20, 10}}, 1.0) == "a in 20/s out 10/s total 20 (0 B)");
  CHECK(RunMonitor::render({{"a", 5, 5}}, {{"a", 5, 5}}, 0.0) == "a in 0/s out 0/s total 5 (0 B)");
  // Tasks of one connector (tasks.max > 1) are summed.
  CHECK(RunMonitor::render({{"a", 0, 0}, {"a", 10, 10}}, {{"a", 100, 50}, {"a", 110, 60}}, 1.0) == "a in 200/s out 100/s total 210 (0 B)");
}

TEST_CASE("status line text: each connector's total records and bytes follow its rates", "[log][envprog]") {
  // A sink counts what it wrote; a source what it read; bytes in decimal units.
  WorkerSample sink{"k", 50000, 42000, 0, false, 3'400'000};
  CHECK(RunMonitor::render({}, {sink}, 1.0) == "k in 50k/s out 42k/s lag 0 total 42k (3.4 MB)");
  WorkerSample source{"s", 900, 800, {}, true, 1500};
  CHECK(RunMonitor::render({}, {source}, 1.0) == "s in 900/s out 800/s total 900 (1.5 kB)");
}

TEST_CASE("progress line text: records and the interval's rate and the percent read when known", "[log][envprog]") {
  WorkerSample before{"src", 1000, 1000, {}, true, 0};
  WorkerSample now{"src", 3000, 2900, {}, true, 2'500'000, 0.456};
  CHECK(RunMonitor::progress_text(before, now, 10.0) == "progress: 3000 records (+2000), 2.5 MB, 200/s over 10.0 s, 46% read");
  now.progress.reset();  // a source that cannot tell: no percent
  CHECK(RunMonitor::progress_text(before, now, 10.0) == "progress: 3000 records (+2000), 2.5 MB, 200/s over 10.0 s");
  WorkerSample sink{"snk", 5000, 400, {}, false, 0};  // a sink counts what it wrote
  CHECK(RunMonitor::progress_text({"snk", 0, 100, {}, false}, sink, 2.0) == "progress: 400 records (+300), 0 B, 150/s over 2.0 s");
}

TEST_CASE("status line text: a sink's lag is shown where known", "[log]") {
  std::vector<WorkerSample> before{{"src", 0, 0, {}}, {"snk", 0, 0, 5}};
  std::vector<WorkerSample> now{{"src", 1200, 1200, {}}, {"snk", 1200, 1200, 340}, {"k", 0, 0, {}}};
  CHECK(RunMonitor::render(before, now, 1.0) == "src in 1.2k/s out 1.2k/s total 1200 (0 B) | snk in 1.2k/s out 1.2k/s lag 340 total 1200 (0 B) | k in 0/s out 0/s total 0 (0 B)");
  CHECK(RunMonitor::render({}, {{"s", 0, 0, 0}}, 1.0) == "s in 0/s out 0/s lag 0 total 0 (0 B)");
  CHECK(RunMonitor::render({}, {{"s", 0, 0, 12345}}, 1.0) == "s in 0/s out 0/s lag 12k total 0 (0 B)");
  CHECK(RunMonitor::render({}, {{"s", 0, 0, 2500000}}, 1.0) == "s in 0/s out 0/s lag 2.5M total 0 (0 B)");
  // Tasks of one connector: the lags known are summed.
  CHECK(RunMonitor::render({}, {{"s", 0, 0, 3}, {"s", 0, 0, {}}, {"s", 0, 0, 4}}, 1.0) == "s in 0/s out 0/s lag 7 total 0 (0 B)");
}
