// `connectrun test TESTFILE.yaml`: runs declared input records through one
// connector's transforms and converters and checks the output records
// (docs/config-tests.md describes the file).
#pragma once

#include <iosfwd>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "plan/job_config.h"

namespace connectrun {

// A malformed test file: the message starts with file:line:column.
class TestFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct ConfigTestFile {
  std::string path;
  std::vector<std::string> job_files;    // resolved against the test file's folder; empty with an inline job
  std::optional<YAML::Node> inline_job;  // `job:` written as a map: the job itself
  std::string connector;
  YAML::Node root;
};

// The test files named on the command line: a file as it is; a directory (as
// `benthos test DIR` takes one) stands for every test file under it, recursively
// and in name order: each .yaml/.yml file whose top level is a map with a
// `cases` key (job files beside them are not tests). Throws TestFileError for
// a path that does not exist, an unreadable or unparsable YAML file under a
// directory, or a directory holding no test file.
std::vector<std::string> expand_config_test_paths(const std::vector<std::string>& paths);

// Reads and checks the file's shape (not the cases' contents). Throws TestFileError.
ConfigTestFile read_config_test_file(const std::string& path);

// Runs every case against `plan`; prints PASS/FAIL lines and a diff per failure.
// Returns 0 when all pass, 1 when any fails; throws TestFileError for a
// malformed case and for an unknown connector.
int run_config_tests(const ConfigTestFile& file, const JobPlan& plan, std::ostream& out);

}  // namespace connectrun
