// connectrun: Kafka Connect's standalone mode as one native binary.
// cli::main() parses the command line and hands over to lib/; nothing else lives here
// (entry.cpp's main() calls it: see CMakeLists.txt for why they are apart).
#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "commands.h"
#include "connectors/connectors.h"
#include "exit_codes.h"
#include "ops/log.h"
#include "plan/job_config.h"
#include "plan/plan_loader.h"
#include "preparse.h"

using namespace connectrun;

namespace connectrun::cli {

namespace {
// --strict-config: set once while the command line is parsed, before any command runs.
bool strict_config = false;
}  // namespace

bool strict_config_given() { return strict_config; }

std::optional<JobPlan> load_and_report(const std::vector<std::string>& files, bool print_warnings) {
  return report_plan(connectrun::load_plan(files, builtin_plugins()), print_warnings);
}

std::optional<JobPlan> report_plan(LoadedPlan loaded, bool print_warnings) {
  if (loaded.plan && strict_config && !loaded.plan->config_warnings.empty()) {
    loaded.problems = loaded.plan->config_warnings;  // every such warning is an error (--strict-config)
    loaded.plan.reset();
  }
  if (!loaded.plan) {
    for (auto& p : loaded.problems) print_notice(Notice::Error, p);
    print_notice(Notice::Info, fmt::format("{} problem(s) found{}; nothing was started.", loaded.problems.size(),
                                           strict_config ? " (--strict-config)" : ""));
    return std::nullopt;
  }
  if (print_warnings)
    for (auto& w : loaded.plan->warnings) print_notice(Notice::Warning, w);
  return std::move(loaded.plan);
}

}  // namespace connectrun::cli

using connectrun::cli::load_and_report;

namespace {

const std::vector<std::string> kLogLevels{"trace", "debug", "info", "warn", "error", "critical", "off"};
const std::vector<std::string> kLogFormats{"text", "json"};

// When `flag` was not given and `variable` is set (non-empty), its value
// becomes `value`; false (after an error naming the variable) when it is not
// one of `allowed`.
bool from_environment(const CLI::Option& flag, const char* variable, const std::vector<std::string>& allowed,
                      std::string& value) {
  if (flag.count() > 0) return true;
  const char* env = std::getenv(variable);
  if (!env || !*env) return true;
  if (std::find(allowed.begin(), allowed.end(), env) == allowed.end()) {
    print_notice(Notice::Error, fmt::format("environment variable {}='{}' is not one of {} (unset it or pass {})",
                                            variable, env, fmt::join(allowed, ", "), flag.get_name()));
    return false;
  }
  value = env;
  return true;
}

}  // namespace

int connectrun::cli::main(int argc, char** argv) {
  // A closed pipe (a stdout sink piped into `head`) is a write error (EPIPE)
  // that the sink reports and the run survives to log, not a silent death by
  // SIGPIPE. Set before any thread starts, so every thread has it.
  std::signal(SIGPIPE, SIG_IGN);
  CLI::App app{"connectrun: Kafka Connect's standalone mode as one native binary.\n"
               "Runs the connectors of one YAML file (or of Kafka Connect's worker.properties and connector "
               "files) in one process, keeping source offsets in a local file."};
  app.set_version_flag("--version", std::string("connectrun ") + CONNECTRUN_VERSION);
  app.require_subcommand(1);
  app.fallthrough();  // global options (--log-level, --log-format, -q) may also follow the subcommand
  std::string log_level = "info";
  auto* level_opt = app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off (default: "
                                                             "$CONNECTRUN_LOG_LEVEL, else info)")
                        ->check(CLI::IsMember(kLogLevels));
  std::string log_format = "text";
  auto* format_opt = app.add_option("--log-format", log_format, "text (journald-friendly under systemd) or json (one "
                                                                "object per line) (default: $CONNECTRUN_LOG_FORMAT, "
                                                                "else text)")
                         ->check(CLI::IsMember(kLogFormats));
  app.add_flag("--strict-config", connectrun::cli::strict_config,
               "Every warning about a configuration key or form that has no effect in connectrun (Kafka's keys it "
               "has no use for, unknown keys of a worker.properties) is an error");
  bool quiet = false;
  app.add_flag("-q,--quiet", quiet, "No live status line on a terminal");

  connectrun::cli::RunCommand run_cmd;
  run_cmd.add(app);
  connectrun::cli::ValidateCommand validate_cmd;
  validate_cmd.add(app);
  connectrun::cli::PluginsCommand plugins_cmd;
  plugins_cmd.add(app);
  connectrun::cli::BrokerCommand broker_cmd;
  broker_cmd.add(app);
  connectrun::cli::OffsetsCommand offsets_cmd;
  offsets_cmd.add(app);
  connectrun::cli::TestCommand test_cmd;
  test_cmd.add(app);
  connectrun::cli::ManCommand man_cmd;
  man_cmd.add(app);
  connectrun::cli::CompletionCommand completion_cmd;
  completion_cmd.add(app);
  connectrun::cli::SchemaCommand schema_cmd;
  schema_cmd.add(app);

  if (auto answered = connectrun::cli::handle_before_parse(app, argc, argv)) return *answered;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : connectrun::cli::kExitBadConfig;
  }
  // The environment stands in for a flag that was not given (the flag wins).
  if (!from_environment(*level_opt, "CONNECTRUN_LOG_LEVEL", kLogLevels, log_level) ||
      !from_environment(*format_opt, "CONNECTRUN_LOG_FORMAT", kLogFormats, log_format))
    return connectrun::cli::kExitBadConfig;
  init_logging(log_level, log_format == "json" ? LogFormat::Json : LogFormat::Text);

  if (plugins_cmd.chosen()) return plugins_cmd.run();
  if (broker_cmd.chosen()) return broker_cmd.run();
  if (offsets_cmd.chosen()) return offsets_cmd.run();
  if (test_cmd.chosen()) return test_cmd.run();
  if (man_cmd.chosen()) return man_cmd.run();
  if (completion_cmd.chosen()) return completion_cmd.run();
  if (schema_cmd.chosen()) return schema_cmd.run();
  if (validate_cmd.chosen()) return validate_cmd.run();
  return run_cmd.run(!quiet);
}
