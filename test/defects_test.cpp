// Unit checks for issue 19's defects: the worker key statistics.interval.ms,
// log4j level names, the structured end-of-run summary.
#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>
#include <simdjson.h>

#include "connectors/connectors.h"
#include "kafka/client_keys.h"
#include "ops/console_sink.h"
#include "ops/log.h"
#include "ops/log_fields.h"
#include "ops/run_monitor.h"
#include "plan/plan_loader.h"

using namespace connectrun;

namespace {
LoadedPlan load(const std::string& worker_line) {
  auto job = YAML::Load("worker:\n  bootstrap.servers: 127.0.0.1:9\n  offset.storage.file.filename: o.json\n"
                        "  key.converter: StringConverter\n  value.converter: StringConverter\n  " + worker_line +
                        "\nconnectors:\n  - name: src\n    connector.class: FileStreamSource\n    file: in.txt\n"
                        "    topic: t\n");
  return load_inline_plan(job, "job.yaml", builtin_plugins());
}

std::string setting(const JobPlan& plan, ClientRole role, const std::string& key) {
  for (auto& [k, v] : client_settings(plan.client, {}, role))
    if (k == key) return v;
  return "(unset)";
}

// A sink writing to a string, in the given style, for a logger of its own.
struct Captured {
  std::FILE* file = std::tmpfile();
  std::shared_ptr<ConsoleSink> sink;
  std::shared_ptr<spdlog::logger> log;
  explicit Captured(ConsoleSink::Style style, const std::string& name = kRootLogger)
      : sink(std::make_shared<ConsoleSink>(style, file)), log(std::make_shared<spdlog::logger>(name, sink)) {
    log->set_level(spdlog::level::info);
  }
  ~Captured() { std::fclose(file); }
  std::string text() {
    std::fflush(file);
    std::rewind(file);
    std::string out;
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, file)) > 0) out.append(buf, n);
    return out;
  }
};
}  // namespace

TEST_CASE("worker key statistics.interval.ms reaches every Kafka client and 0 turns statistics off", "[defects]") {
  auto loaded = load("statistics.interval.ms: 1000");
  INFO((loaded.problems.empty() ? "" : loaded.problems[0]));
  REQUIRE(loaded.plan);
  CHECK(setting(*loaded.plan, ClientRole::Producer, "statistics.interval.ms") == "1000");
  CHECK(setting(*loaded.plan, ClientRole::Consumer, "statistics.interval.ms") == "1000");
  auto off = load("statistics.interval.ms: 0");
  REQUIRE(off.plan);
  CHECK(setting(*off.plan, ClientRole::Consumer, "statistics.interval.ms") == "0");
  // A client prefix still wins over the worker-wide value.
  auto layered = load("statistics.interval.ms: 1000\n  consumer.statistics.interval.ms: 200");
  REQUIRE(layered.plan);
  CHECK(setting(*layered.plan, ClientRole::Consumer, "statistics.interval.ms") == "200");
  CHECK(setting(*layered.plan, ClientRole::Producer, "statistics.interval.ms") == "1000");
  // librdkafka checks the value at validate time.
  auto bad = load("statistics.interval.ms: often");
  REQUIRE(!bad.plan);
  REQUIRE(bad.problems.size() == 1);
  CHECK(bad.problems[0].find("statistics.interval.ms") != std::string::npos);
  CHECK(bad.problems[0].find("librdkafka") != std::string::npos);
}

TEST_CASE("log lines carry log4j level names in text and JSON", "[defects]") {
  using L = spdlog::level::level_enum;
  auto msg = [](L level) { return spdlog::details::log_msg("src", level, "m"); };
  const std::vector<std::pair<L, std::string>> names{{L::trace, "TRACE"}, {L::debug, "DEBUG"}, {L::info, "INFO"},
                                                     {L::warn, "WARN"},   {L::err, "ERROR"},   {L::critical, "FATAL"}};
  for (auto& [level, name] : names) {
    INFO(name);
    CHECK(ConsoleSink::format(ConsoleSink::Style::Text, msg(level)).substr(23) == fmt::format(" {} [src] m", name));
    CHECK(ConsoleSink::format(ConsoleSink::Style::Json, msg(level)).find(fmt::format("\"level\":\"{}\"", name)) !=
          std::string::npos);
  }
}

TEST_CASE("the end-of-run summary is structured in JSON and a FAILED one is logged at ERROR", "[defects]") {
  simdjson::dom::parser parser;
  Captured json(ConsoleSink::Style::Json);
  log_summary(*json.log, {"src", 10, 8, 1, 1, 0, 1.5, 2, std::nullopt});
  log_summary(*json.log, {"snk", 8, 3, 0, 0, 0, 0.25, 1, std::string("disk full")});
  log_summary(*json.log, {"kaf", 4, 2, 0, 0, 2, 0.5, 1, std::nullopt});
  auto lines = json.text();
  INFO(lines);
  std::vector<std::string> split;
  for (size_t at = 0, nl; (nl = lines.find('\n', at)) != std::string::npos; at = nl + 1) split.push_back(lines.substr(at, nl - at));
  REQUIRE(split.size() == 3);
  simdjson::dom::object o;
  REQUIRE(parser.parse(split[0]).get(o) == simdjson::SUCCESS);
  CHECK(std::string_view(o["level"]) == "INFO");
  CHECK(std::string_view(o["event"]) == "summary");
  CHECK(std::string_view(o["connector"]) == "src");
  CHECK(std::string_view(o["status"]) == "OK");
  CHECK(int64_t(o["read"]) == 10);
  CHECK(int64_t(o["written"]) == 8);
  CHECK(int64_t(o["skipped"]) == 1);
  CHECK(int64_t(o["dead_lettered"]) == 1);
  CHECK(int64_t(o["tasks"]) == 2);
  CHECK(double(o["seconds"]) == Approx(1.5));
  CHECK(o["failure"].error() == simdjson::NO_SUCH_FIELD);
  REQUIRE(parser.parse(split[1]).get(o) == simdjson::SUCCESS);
  CHECK(std::string_view(o["level"]) == "ERROR");
  CHECK(std::string_view(o["status"]) == "FAILED");
  CHECK(std::string_view(o["failure"]) == "disk full");
  CHECK(std::string_view(o["connector"]) == "snk");
  REQUIRE(parser.parse(split[2]).get(o) == simdjson::SUCCESS);
  CHECK(std::string_view(o["level"]) == "WARN");
  CHECK(std::string_view(o["status"]) == "UNDELIVERED");
  CHECK(int64_t(o["undelivered"]) == 2);

  // Text lines say the same in words, at the same levels.
  Captured text(ConsoleSink::Style::Text);
  log_summary(*text.log, {"snk", 8, 3, 0, 0, 0, 0.25, 1, std::string("disk full")});
  auto t = text.text();
  CHECK(t.find(" ERROR [connectrun] connector 'snk': 8 read, 3 written, 0 skipped, 0 dead-lettered, 0.25 s — FAILED: "
               "disk full") != std::string::npos);
}
