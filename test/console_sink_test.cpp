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

TEST_CASE("status line text: records per second in and out per connector", "[log]") {
  std::vector<WorkerSample> before{{"src", 0, 0}, {"snk", 100, 0}, {"gone", 5, 5}};
  std::vector<WorkerSample> now{{"src", 2000, 1500000}, {"snk", 600, 50000}, {"new", 10, 4}};
  CHECK(RunMonitor::render(before, now, 2.0) == "src in 1.0k/s out 750k/s | snk in 250/s out 25k/s | new in 5/s out 2/s");
  // A restarted task's counters start again from 0.
  CHECK(RunMonitor::render({{"a", 500, 500}}, {{"a", 20, 10}}, 1.0) == "a in 20/s out 10/s");
  CHECK(RunMonitor::render({{"a", 5, 5}}, {{"a", 5, 5}}, 0.0) == "a in 0/s out 0/s");
  // Tasks of one connector (tasks.max > 1) are summed.
  CHECK(RunMonitor::render({{"a", 0, 0}, {"a", 10, 10}}, {{"a", 100, 50}, {"a", 110, 60}}, 1.0) == "a in 200/s out 100/s");
}

TEST_CASE("status line text: a sink's lag is shown where known", "[log]") {
  std::vector<WorkerSample> before{{"src", 0, 0, {}}, {"snk", 0, 0, 5}};
  std::vector<WorkerSample> now{{"src", 1200, 1200, {}}, {"snk", 1200, 1200, 340}, {"k", 0, 0, {}}};
  CHECK(RunMonitor::render(before, now, 1.0) == "src in 1.2k/s out 1.2k/s | snk in 1.2k/s out 1.2k/s lag 340 | k in 0/s out 0/s");
  CHECK(RunMonitor::render({}, {{"s", 0, 0, 0}}, 1.0) == "s in 0/s out 0/s lag 0");
  CHECK(RunMonitor::render({}, {{"s", 0, 0, 12345}}, 1.0) == "s in 0/s out 0/s lag 12k");
  CHECK(RunMonitor::render({}, {{"s", 0, 0, 2500000}}, 1.0) == "s in 0/s out 0/s lag 2.5M");
  // Tasks of one connector: the lags known are summed.
  CHECK(RunMonitor::render({}, {{"s", 0, 0, 3}, {"s", 0, 0, {}}, {"s", 0, 0, 4}}, 1.0) == "s in 0/s out 0/s lag 7");
}
