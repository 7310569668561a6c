// connectrun: Kafka Connect's standalone mode as one native binary.
// main() parses the command line and hands over to lib/; nothing else lives here.
#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "config/loader.h"
#include "plugin/plugin_docs.h"
#include "plugin/registry.h"
#include "commands.h"
#include "runtime/dev_broker.h"
#include "runtime/dry_run.h"
#include "runtime/engine.h"
#include "runtime/job_config.h"
#include "runtime/log.h"
#include "runtime/plan_loader.h"

using namespace connectrun;

namespace connectrun::cli {

std::optional<JobPlan> load_and_report(const std::vector<std::string>& files, bool print_warnings) {
  return report_plan(connectrun::load_plan(files), print_warnings);
}

std::optional<JobPlan> report_plan(LoadedPlan loaded, bool print_warnings) {
  if (!loaded.plan) {
    for (auto& p : loaded.problems) print_notice(Notice::Error, p);
    print_notice(Notice::Info, fmt::format("{} problem(s) found; nothing was started.", loaded.problems.size()));
    return std::nullopt;
  }
  if (print_warnings)
    for (auto& w : loaded.plan->warnings) print_notice(Notice::Warning, w);
  return std::move(loaded.plan);
}

}  // namespace connectrun::cli

using connectrun::cli::load_and_report;

int main(int argc, char** argv) {
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
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));
  std::string log_format = "text";
  app.add_option("--log-format", log_format, "text (journald-friendly under systemd) or json (one object per line)")
      ->check(CLI::IsMember({"text", "json"}));
  bool quiet = false;
  app.add_flag("-q,--quiet", quiet, "No live status line on a terminal");

  std::vector<std::string> run_files;
  bool once = false;
  auto* run = app.add_subcommand("run", "Run every connector of the job until SIGINT/SIGTERM (or, with --once, until "
                                        "every source is exhausted and everything read is written and stored).");
  run->add_option("files", run_files, "job.yaml, or worker.properties followed by connector .properties/.json files")
      ->required();
  run->add_flag("--once", once, "Exit 0 once every source is exhausted for now and all it read was written and its "
                                "offsets stored (for cron).");
  bool strict = false;
  double wait_lock = 0;
  bool dry_run = false;
  long max_records = 10;
  run->add_flag("--strict", strict, "Exit 3 instead of 0 when records were skipped or dead-lettered under "
                                    "errors.tolerance=all.");
  run->add_option("--wait-lock", wait_lock, "When another process holds the offsets file, wait up to SECONDS for it "
                                            "instead of exiting 75 at once.")
      ->check(CLI::Range(0.0, 86400.0 * 7));
  auto* dry = run->add_flag("--dry-run", dry_run, "Pull records through each source connector, its transforms and "
                                                  "converters and print them as they would be written; store no "
                                                  "offsets, start no sink.");
  run->add_option("--max-records", max_records, "With --dry-run: records to pull per source connector (default 10).")
      ->check(CLI::Range(1L, 1000000000L))
      ->needs(dry);
  run->footer("Exit codes: 0 everything read was delivered (records skipped or dead-lettered under "
              "errors.tolerance=all included, unless --strict); 1 a connector failed; 2 invalid configuration or "
              "usage; 3 (only with --strict) everything else went well but records were skipped or dead-lettered; "
              "75 the offsets file is in use by another process (after --wait-lock SECONDS, if given). At the end, "
              "one line per connector: records read, written, skipped, dead-lettered, and seconds.");

  std::vector<std::string> validate_files;
  auto* validate = app.add_subcommand("validate", "Check the configuration without starting anything; print the "
                                                  "effective configuration (exit 0) or every problem (exit 2).");
  validate->add_option("files", validate_files, "job.yaml, or worker.properties followed by connector files")->required();

  std::string plugin_name;
  bool markdown = false;
  auto* plugins = app.add_subcommand("plugins", "List every connector, converter, transform and predicate, or show "
                                                "every key of one.");
  plugins->add_option("name", plugin_name, "A plugin name or Java class name");
  plugins->add_flag("--markdown", markdown, "Print the full plugin reference as Markdown (docs/plugins.md)");

  int broker_count = 1;
  int broker_port = 0;
  std::vector<std::string> broker_topics;
  auto* broker = app.add_subcommand(
      "broker", "Run a local Kafka-protocol broker for development and tests (librdkafka's mock cluster). It prints its "
                "bootstrap address (127.0.0.1:PORT) as the first line of stdout and runs until SIGINT/SIGTERM. DATA IS "
                "KEPT IN MEMORY ONLY, and the mock cluster keeps only about 5 MB per partition, silently dropping "
                "older data: never use it for anything but development and tests.");
  broker->add_option("--brokers", broker_count, "Number of brokers (default 1)")->check(CLI::Range(1, 32));
  broker->add_option("--port", broker_port,
                     "Not supported: librdkafka 2.0's mock cluster always listens on a port of its own choosing; read "
                     "the address from the first line of stdout");
  broker->add_option("--topic", broker_topics, "NAME[:PARTITIONS] to create at start (repeatable; default 1 partition)");

  connectrun::cli::OffsetsCommand offsets_cmd;
  offsets_cmd.add(app);
  connectrun::cli::TestCommand test_cmd;
  test_cmd.add(app);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : kExitBadConfig;
  }
  init_logging(log_level, log_format == "json" ? LogFormat::Json : LogFormat::Text);

  if (*plugins) {
    const auto& registry = builtin_plugins();
    if (markdown) {
      std::cout << plugins_markdown(registry) << job_keys_markdown();
      return 0;
    }
    if (plugin_name.empty()) {
      std::cout << plugin_list_text(registry);
      return 0;
    }
    const PluginInfo* info = registry.find_any(plugin_name);
    if (!info) {
      std::vector<std::string> all;
      for (auto& p : registry.all()) all.push_back(p.name);
      std::cerr << fmt::format("error: unknown plugin '{}'{}\n", plugin_name, config::did_you_mean(plugin_name, all));
      return kExitBadConfig;
    }
    std::cout << plugin_detail_text(*info);
    return 0;
  }
  if (*broker) {
    if (broker_port != 0) {
      std::cerr << "error: --port: librdkafka 2.0's mock cluster cannot listen on a chosen port; omit --port and "
                   "read the bootstrap address from the first line of stdout\n";
      return kExitBadConfig;
    }
    return run_dev_broker(broker_count, broker_topics);
  }
  if (offsets_cmd.chosen()) return offsets_cmd.run();
  if (test_cmd.chosen()) return test_cmd.run();
  if (*validate) {
    auto plan = load_and_report(validate_files);
    if (!plan) return kExitBadConfig;
    std::cout << describe_effective(*plan);
    return 0;
  }
  auto plan = load_and_report(run_files);
  if (!plan) return kExitBadConfig;
  if (dry_run) return run_dry_run(*plan, max_records, std::cout);
  RunOptions options;
  options.once = once;
  options.strict = strict;
  options.wait_lock = std::chrono::milliseconds(static_cast<long>(wait_lock * 1000));
  options.status_line = !quiet;
  options.files = run_files;  // re-read on SIGHUP
  return run_job(*plan, options);
}
