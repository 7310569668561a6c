// connectrun: Kafka Connect's standalone mode as one native binary.
// main() parses the command line and hands over to lib/; nothing else lives here.
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "config/loader.h"
#include "plugin/plugin_docs.h"
#include "plugin/registry.h"
#include "runtime/dev_broker.h"
#include "runtime/engine.h"
#include "runtime/job_config.h"
#include "runtime/log.h"
#include "runtime/plan_loader.h"

using namespace connectrun;

namespace {

// Loads and validates; prints problems to stderr. Returns nullopt when invalid.
std::optional<JobPlan> load_and_report(const std::vector<std::string>& files, bool print_warnings = true) {
  LoadedPlan loaded = load_plan(files);
  if (!loaded.plan) {
    for (auto& p : loaded.problems) std::cerr << "error: " << p << "\n";
    std::cerr << fmt::format("{} problem(s) found; nothing was started.\n", loaded.problems.size());
    return std::nullopt;
  }
  if (print_warnings)
    for (auto& w : loaded.plan->warnings) std::cerr << "warning: " << w << "\n";
  return std::move(loaded.plan);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"connectrun: Kafka Connect's standalone mode as one native binary.\n"
               "Runs the connectors of one YAML file (or of Kafka Connect's worker.properties and connector "
               "files) in one process, keeping source offsets in a local file."};
  app.set_version_flag("--version", std::string("connectrun ") + CONNECTRUN_VERSION);
  app.require_subcommand(1);
  std::string log_level = "info";
  app.add_option("--log-level", log_level, "trace, debug, info, warn, error or off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "critical", "off"}));

  std::vector<std::string> run_files;
  bool once = false;
  auto* run = app.add_subcommand("run", "Run every connector of the job until SIGINT/SIGTERM (or, with --once, until "
                                        "every source is exhausted and everything read is written and stored).");
  run->add_option("files", run_files, "job.yaml, or worker.properties followed by connector .properties/.json files")
      ->required();
  run->add_flag("--once", once, "Exit 0 once every source is exhausted for now and all it read was written and its "
                                "offsets stored (for cron).");
  run->footer("Exit codes: 0 clean, 1 a connector failed, 2 invalid configuration or usage, 75 offsets file in use.");

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

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : kExitBadConfig;
  }
  init_logging(log_level);

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
  if (*validate) {
    auto plan = load_and_report(validate_files);
    if (!plan) return kExitBadConfig;
    std::cout << describe_effective(*plan);
    return 0;
  }
  auto plan = load_and_report(run_files);
  if (!plan) return kExitBadConfig;
  RunOptions options;
  options.once = once;
  options.files = run_files;  // re-read on SIGHUP
  return run_job(*plan, options);
}
