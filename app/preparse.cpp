#include "preparse.h"

#include <cstdio>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "config/spec.h"
#include "exit_codes.h"
#include "ops/log.h"

namespace connectrun::cli {

namespace {

// Words people type for the global flags.
std::optional<std::string> flag_for(std::string_view word) {
  if (word == "version") return "--version";
  if (word == "help") return "--help";
  return std::nullopt;
}

// The first word that is neither an option nor an option's value: the subcommand.
std::optional<std::string> first_word(const CLI::App& app, int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--") return std::nullopt;
    if (a.size() > 1 && a[0] == '-') {
      // A global option that takes a value in the next word (--log-level debug).
      if (a.find('=') == std::string_view::npos && a.substr(0, 2) == "--") {
        const CLI::Option* o = app.get_option_no_throw(std::string(a));
        // Flags (--strict-config, -q) are expected(0): no value follows them.
        if (o && o->get_expected_max() != 0) ++i;
      }
      continue;
    }
    return std::string(a);
  }
  return std::nullopt;
}

bool has_arg(int argc, char** argv, std::string_view arg) {
  for (int i = 1; i < argc; ++i)
    if (argv[i] == arg) return true;
  return false;
}

}  // namespace

std::optional<int> handle_before_parse(const CLI::App& app, int argc, char** argv) {
  if (has_arg(argc, argv, "--version") && has_arg(argc, argv, "--json")) {
    std::printf("%s\n", versions_json().c_str());
    return kExitOk;
  }
  if (has_arg(argc, argv, "--version") || has_arg(argc, argv, "--help") || has_arg(argc, argv, "-h")) return std::nullopt;
  auto word = first_word(app, argc, argv);
  if (!word) return std::nullopt;
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands({})) {
    if (sub->check_name(*word)) return std::nullopt;
    if (!sub->get_group().empty()) names.push_back(sub->get_name());  // not the hidden __complete
  }
  std::string hint;
  if (auto flag = flag_for(*word)) hint = fmt::format(" (did you mean '{}'?)", *flag);
  else hint = config::did_you_mean(*word, names);
  print_notice(Notice::Error, fmt::format("unknown subcommand '{}'{}; the subcommands are {} (connectrun --help)", *word,
                                         hint, fmt::join(names, ", ")));
  return kExitBadConfig;
}

}  // namespace connectrun::cli
