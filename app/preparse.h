// What main() settles before CLI11 parses the command line: `--version --json`
// and a first word that names no subcommand (CLI11 would only say "A
// subcommand is required").
#pragma once

#include <optional>
#include <string>

#include <CLI/CLI.hpp>

namespace connectrun::cli {

// The exit code when the command line was answered here, nullopt to go on
// parsing. Prints the versions for `--version --json`, or an error naming an
// unknown subcommand with the closest one (`version` → `--version`).
std::optional<int> handle_before_parse(const CLI::App& app, int argc, char** argv);

// {"connectrun":"0.1.0","commit":"…","libraries":{"librdkafka":"2.0.2",…}}:
// the libraries of the connector families built into this binary.
std::string versions_json();

}  // namespace connectrun::cli
