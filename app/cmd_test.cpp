// `connectrun test TESTFILE.yaml`: config unit tests (docs/config-tests.md).
#include <iostream>

#include <fmt/format.h>

#include "commands.h"
#include "connectors/connectors.h"
#include "engine/config_tests.h"
#include "exit_codes.h"
#include "ops/log.h"
#include "plan/plan_loader.h"

namespace connectrun::cli {

void TestCommand::add(CLI::App& app) {
  cmd = app.add_subcommand("test", "Run a test file's input records through a connector's converters and transforms "
                                   "and check the output records (docs/config-tests.md).");
  cmd->add_option("files", files,
                  "One or more test files or directories (a directory: every .yaml/.yml file under it with a "
                  "top-level 'cases:' key, as `benthos test DIR` takes one)")
      ->required();
  cmd->footer("Exit codes: 0 every case passed, 1 a case failed (a diff is printed), 2 a malformed test file or an "
              "invalid job.");
}

int TestCommand::run() {
  int code = kExitOk;
  std::vector<std::string> paths;
  try {
    paths = expand_config_test_paths(files);
  } catch (const TestFileError& e) {
    print_notice(Notice::Error, e.what());
    return kExitBadConfig;
  }
  for (auto& path : paths) {
    try {
      ConfigTestFile f = read_config_test_file(path);
      auto plan = f.inline_job ? report_plan(load_inline_plan(*f.inline_job, path, builtin_plugins()), false)
                               : load_and_report(f.job_files, false);
      if (!plan) return kExitBadConfig;
      std::cout << "# " << path << "\n";
      if (run_config_tests(f, *plan, std::cout) != 0) code = kExitConnectorFailed;
    } catch (const TestFileError& e) {
      print_notice(Notice::Error, e.what());
      return kExitBadConfig;
    } catch (const std::exception& e) {  // never an abort: whatever a file holds is a malformed test file
      print_notice(Notice::Error, fmt::format("{}: {}", path, e.what()));
      return kExitBadConfig;
    }
  }
  return code;
}

}  // namespace connectrun::cli
