// The commands of the CLI beside `run`, `validate`, `plugins` and `broker`
// (app/main.cpp), one file each. Each adds its subcommand and options to the
// app, and runs when it was chosen.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "runtime/job_config.h"
#include "runtime/plan_loader.h"

namespace connectrun::cli {

// Loads and validates; prints problems to stderr. Returns nullopt when invalid.
std::optional<JobPlan> load_and_report(const std::vector<std::string>& files, bool print_warnings = true);
// The plan, or nullopt after printing its problems (load_and_report's second half).
std::optional<JobPlan> report_plan(LoadedPlan loaded, bool print_warnings = true);

struct OffsetsCommand {
  CLI::App* list = nullptr;
  CLI::App* reset = nullptr;
  CLI::App* set = nullptr;
  std::vector<std::string> files;
  std::string connector;
  std::string partition, offset;
  bool json = false;
  bool yes = false;
  double wait_lock = 0;
  void add(CLI::App& app);
  bool chosen() const { return list->parsed() || reset->parsed() || set->parsed(); }
  int run();
};

struct TestCommand {
  CLI::App* cmd = nullptr;
  std::vector<std::string> files;
  void add(CLI::App& app);
  bool chosen() const { return cmd->parsed(); }
  int run();
};

}  // namespace connectrun::cli
