// The commands of the CLI, one file each (app/cmd_*.cpp); main.cpp holds the
// global options and dispatches. Each adds its subcommand and options to the
// app, and runs when it was chosen, returning the exit code (exit_codes.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "plan/job_config.h"
#include "plan/plan_loader.h"

namespace connectrun::cli {

// Loads and validates; prints problems to stderr. Returns nullopt when invalid.
std::optional<JobPlan> load_and_report(const std::vector<std::string>& files, bool print_warnings = true);
// The plan, or nullopt after printing its problems (load_and_report's second half).
std::optional<JobPlan> report_plan(LoadedPlan loaded, bool print_warnings = true);
// Whether --strict-config was given (a SIGHUP reload keeps to it: RunOptions::strict_config).
bool strict_config_given();
// The whole command line: global options, then the chosen command (main.cpp).
int main(int argc, char** argv);

struct RunCommand {
  CLI::App* cmd = nullptr;
  std::vector<std::string> files;
  bool once = false, strict = false, dry_run = false;
  std::string format = "text";  // --dry-run --format text|json
  bool watch = false;  // --watch
  double wait_lock = 0;
  long max_records = 10;
  void add(CLI::App& app);
  bool chosen() const { return cmd->parsed(); }
  int run(bool status_line);
};

struct ValidateCommand {
  CLI::App* cmd = nullptr;
  std::vector<std::string> files;
  bool json = false;
  void add(CLI::App& app);
  bool chosen() const { return cmd->parsed(); }
  int run();
  int run_json();
};

struct PluginsCommand {
  CLI::App* cmd = nullptr;
  std::string name;
  bool markdown = false, json = false;
  void add(CLI::App& app);
  bool chosen() const { return cmd->parsed(); }
  int run();
};

struct BrokerCommand {
  CLI::App* cmd = nullptr;
  int brokers = 1;
  int port = 0;
  std::vector<std::string> topics;
  std::string address_file;  // written atomically once the cluster listens, removed when it stops
  void add(CLI::App& app);
  bool chosen() const { return cmd->parsed(); }
  int run();
};

struct OffsetsCommand {
  CLI::App* list = nullptr;
  CLI::App* reset = nullptr;
  CLI::App* set = nullptr;
  CLI::App* import_kafka = nullptr;  // import --from-kafka-connect FILE
  CLI::App* export_kafka = nullptr;  // export --to-kafka-connect FILE
  std::string kafka_file;
  std::vector<std::string> files;
  std::string connector;
  std::string partition, offset;
  bool json = false;
  bool yes = false;
  double wait_lock = 0;
  void add(CLI::App& app);
  bool chosen() const {
    return list->parsed() || reset->parsed() || set->parsed() || import_kafka->parsed() || export_kafka->parsed();
  }
  int run();
};

struct TestCommand {
  CLI::App* cmd = nullptr;
  std::vector<std::string> files;
  void add(CLI::App& app);
  bool chosen() const { return cmd->parsed(); }
  int run();
};

struct ManCommand {
  CLI::App* root = nullptr;
  CLI::App* cmd = nullptr;
  std::string page;
  void add(CLI::App& app);
  bool chosen() const { return cmd->parsed(); }
  int run();
};

struct CompletionCommand {
  CLI::App* root = nullptr;
  CLI::App* cmd = nullptr;
  CLI::App* complete = nullptr;  // hidden: what the scripts call
  std::string shell, what;
  std::vector<std::string> words;
  void add(CLI::App& app);
  bool chosen() const { return cmd->parsed() || complete->parsed(); }
  int run();
};

// `connectrun schema`: the JSON Schema of the YAML job file (cmd_schema.cpp).
struct SchemaCommand {
  CLI::App* cmd = nullptr;
  void add(CLI::App& app);
  bool chosen() const { return cmd->parsed(); }
  int run();
};

}  // namespace connectrun::cli
