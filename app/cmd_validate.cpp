// `connectrun validate [--json] FILES…`: every problem (exit 2), or the effective configuration.
#include <algorithm>
#include <iostream>
#include <regex>

#include "commands.h"
#include "connectors/connectors.h"
#include "exit_codes.h"
#include "json/json_writer.h"

namespace connectrun::cli {

namespace {

struct JsonProblem {
  config::Problem problem;
  bool error = true;
};

// A warning is a text "file:line:col: connector 'x': …" (JobPlan::warnings):
// its parts back, the key from the first "key '…'" in it.
config::Problem parse_warning(const std::string& w) {
  static const std::regex shape(R"(^(.*?)(?::(\d+))?(?::(\d+))?: (?:connector '([^']*)': )?([\s\S]*)$)");
  static const std::regex key(R"(\bkey '([^']*)')");
  config::Problem p;
  std::smatch m;
  if (!std::regex_match(w, m, shape) || m[1].str() == "<unknown>" || m[1].str().empty()) {
    p.message = w;
  } else {
    p.loc.file = m[1].str();
    if (m[2].matched) p.loc.line = std::stoi(m[2].str());
    if (m[3].matched) p.loc.column = std::stoi(m[3].str());
    p.connector = m[4].str();
    p.message = m[5].str();
  }
  if (std::smatch k; std::regex_search(p.message, k, key)) p.key = k[1].str();
  return p;
}

// The names of a message's " (did you mean 'x'?)" or " (did you mean one of 'x', 'y'?)".
std::vector<std::string> suggestions(const std::string& message) {
  static const std::regex hint(R"(\(did you mean (?:one of )?'(.*?)'\?\))");
  std::smatch m;
  if (!std::regex_search(message, m, hint)) return {};
  std::vector<std::string> out;
  std::string list = m[1].str();
  for (size_t start = 0;;) {
    size_t sep = list.find("', '", start);
    out.push_back(list.substr(start, sep == std::string::npos ? std::string::npos : sep - start));
    if (sep == std::string::npos) break;
    start = sep + 4;
  }
  return out;
}

void append_or_null(std::string& out, const std::string& s) {
  if (s.empty()) out += "null";
  else append_json_string(out, s);
}

void append_number_or_null(std::string& out, int n) {
  if (n <= 0) out += "null";
  else append_integer(out, n);
}

std::string problems_json(bool valid, const std::vector<JsonProblem>& problems) {
  std::string out = valid ? "{\"valid\":true,\"problems\":[" : "{\"valid\":false,\"problems\":[";
  for (size_t i = 0; i < problems.size(); ++i) {
    const config::Problem& p = problems[i].problem;
    if (i) out += ',';
    out += "{\"file\":";
    append_or_null(out, p.loc.file);
    out += ",\"line\":";
    append_number_or_null(out, p.loc.line);
    out += ",\"column\":";
    append_number_or_null(out, p.loc.column);
    out += ",\"connector\":";  // null for the worker section
    append_or_null(out, p.connector);
    out += ",\"key\":";
    append_or_null(out, p.key);
    out += problems[i].error ? ",\"severity\":\"error\"" : ",\"severity\":\"warning\"";
    out += ",\"message\":";
    append_json_string(out, p.message);
    auto names = suggestions(p.message);
    out += ",\"suggestion\":";
    append_or_null(out, names.empty() ? std::string() : names.front());
    out += ",\"suggestions\":[";
    for (size_t j = 0; j < names.size(); ++j) {
      if (j) out += ',';
      append_json_string(out, names[j]);
    }
    out += "]}";
  }
  out += "]}";
  return out;
}

}  // namespace

void ValidateCommand::add(CLI::App& app) {
  cmd = app.add_subcommand("validate", "Check the configuration without starting anything; print the "
                                       "effective configuration (exit 0) or every problem (exit 2).");
  cmd->add_option("files", files, "job.yaml, or worker.properties followed by connector files")->required();
  cmd->add_flag("--json", json, "Print {\"valid\": …, \"problems\": […]} on stdout instead: every problem and warning "
                                "with its file, line, column, connector, key, severity, message and suggestion");
}

int ValidateCommand::run() {
  if (json) return run_json();
  auto plan = load_and_report(files);
  if (!plan) return kExitBadConfig;
  std::cout << describe_effective(*plan);
  return kExitOk;
}

int ValidateCommand::run_json() {
  // --strict-config is the app's (global) flag: its warnings about keys with no effect are errors.
  const CLI::Option* strict_flag = cmd->get_parent()->get_option_no_throw("--strict-config");
  const bool strict = strict_flag && strict_flag->count() > 0;
  LoadedPlan loaded = load_plan(files, builtin_plugins());
  std::vector<JsonProblem> problems;
  bool valid = loaded.plan.has_value();
  for (auto& p : loaded.details) problems.push_back({p, true});
  if (loaded.plan) {
    const auto& errors = loaded.plan->config_warnings;
    for (auto& w : loaded.plan->warnings) {
      bool error = strict && std::find(errors.begin(), errors.end(), w) != errors.end();
      if (error) valid = false;
      problems.push_back({parse_warning(w), error});
    }
  }
  std::cout << problems_json(valid, problems) << "\n";
  return valid ? kExitOk : kExitBadConfig;
}

}  // namespace connectrun::cli
