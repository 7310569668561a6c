// `connectrun validate FILES…`: every problem (exit 2), or the effective configuration.
#include <iostream>

#include "commands.h"
#include "exit_codes.h"

namespace connectrun::cli {

void ValidateCommand::add(CLI::App& app) {
  cmd = app.add_subcommand("validate", "Check the configuration without starting anything; print the "
                                       "effective configuration (exit 0) or every problem (exit 2).");
  cmd->add_option("files", files, "job.yaml, or worker.properties followed by connector files")->required();
}

int ValidateCommand::run() {
  auto plan = load_and_report(files);
  if (!plan) return kExitBadConfig;
  std::cout << describe_effective(*plan);
  return kExitOk;
}

}  // namespace connectrun::cli
