// `connectrun completion bash|zsh|fish`: a completion script written from the
// CLI11 declarations (subcommands, options, their fixed values), so it
// follows the binary. Connector names (after --connector) and plugin names
// (after `plugins`) come at completion time from the hidden
// `connectrun __complete connectors FILE…` / `__complete plugins`.
#include <filesystem>
#include <iostream>
#include <map>

#include <fmt/format.h>

#include "commands.h"
#include "config/loader.h"
#include "connectors/connectors.h"
#include "exit_codes.h"

namespace connectrun::cli {

namespace {

bool visible(const CLI::App* a) { return !a->get_group().empty(); }

// The fixed values of an option, from its type name "TEXT:{a,b,c}" (CLI::IsMember).
std::vector<std::string> choices(const CLI::Option* opt) {
  std::string t = opt->get_type_name();
  auto open = t.find('{'), close = t.rfind('}');
  std::vector<std::string> out;
  if (open == std::string::npos || close == std::string::npos || close < open) return out;
  std::string inner = t.substr(open + 1, close - open - 1);
  for (size_t start = 0; start <= inner.size();) {
    size_t comma = inner.find(',', start);
    if (comma == std::string::npos) comma = inner.size();
    if (comma > start) out.push_back(inner.substr(start, comma - start));
    start = comma + 1;
  }
  return out;
}

struct Command {
  std::string path;  // "", "run", "offsets list"
  const CLI::App* app;
};

void walk(const CLI::App* app, const std::string& path, std::vector<Command>& out) {
  out.push_back({path, app});
  for (const CLI::App* sub : app->get_subcommands(visible))
    walk(sub, path.empty() ? sub->get_name() : path + " " + sub->get_name(), out);
}

std::string join(const std::vector<std::string>& v, const char* sep = " ") {
  std::string s;
  for (auto& x : v) s += (s.empty() ? "" : sep) + x;
  return s;
}

std::vector<std::string> long_names(const CLI::Option* opt) {
  std::vector<std::string> out;
  for (auto& n : opt->get_lnames()) out.push_back("--" + n);
  for (auto& n : opt->get_snames()) out.push_back("-" + n);
  return out;
}

std::string sh_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string bash_script(const CLI::App& root) {
  std::vector<Command> cmds;
  walk(&root, "", cmds);
  std::string subs, opts;
  std::map<std::string, std::vector<std::string>> values;  // option → fixed values
  for (auto& c : cmds) {
    std::vector<std::string> s, o;
    for (const CLI::App* sub : c.app->get_subcommands(visible)) s.push_back(sub->get_name());
    for (const CLI::Option* opt : c.app->get_options()) {
      if (!opt->nonpositional()) continue;
      for (auto& n : long_names(opt)) o.push_back(n);
      auto ch = choices(opt);
      if (!ch.empty())
        for (auto& n : long_names(opt)) values[n] = ch;
    }
    // Keyed by the command path from "connectrun" (bash's arrays take no empty key).
    std::string key = c.path.empty() ? "connectrun" : "connectrun " + c.path;
    subs += fmt::format("  [{}]={}\n", sh_quote(key), sh_quote(join(s)));
    opts += fmt::format("  [{}]={}\n", sh_quote(key), sh_quote(join(o)));
  }
  std::string value_cases;
  for (auto& [name, ch] : values)
    value_cases += fmt::format("    {}) COMPREPLY=($(compgen -W {} -- \"$cur\")); return ;;\n", name, sh_quote(join(ch)));
  return fmt::format(R"SH(# bash completion for connectrun (written by `connectrun completion bash`).
declare -gA _connectrun_subs=(
{})
declare -gA _connectrun_opts=(
{})
_connectrun() {{
  local cur=${{COMP_WORDS[COMP_CWORD]}} prev=${{COMP_WORDS[COMP_CWORD-1]}} path=connectrun w i
  local -a files=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=${{COMP_WORDS[i]}}
    if [[ $w != -* && " ${{_connectrun_subs[$path]}} " == *" $w "* ]]; then
      path="$path $w"
    elif [[ $w != -* ]]; then
      files+=("$w")
    fi
  done
  case $prev in
{}    --connector)
      local IFS=$'\n'
      COMPREPLY=($(compgen -W "$("${{COMP_WORDS[0]}}" __complete connectors "${{files[@]}}" 2>/dev/null)" -- "$cur"))
      return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "${{_connectrun_opts[$path]}}" -- "$cur"))
  elif [[ -n ${{_connectrun_subs[$path]}} ]]; then
    COMPREPLY=($(compgen -W "${{_connectrun_subs[$path]}}" -- "$cur"))
  elif [[ $path == "connectrun plugins" ]]; then
    COMPREPLY=($(compgen -W "$("${{COMP_WORDS[0]}}" __complete plugins 2>/dev/null)" -- "$cur"))
  else
    compopt -o filenames 2>/dev/null
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}}
complete -F _connectrun connectrun
)SH",
                     subs, opts, value_cases);
}

std::string fish_script(const CLI::App& root) {
  std::vector<Command> cmds;
  walk(&root, "", cmds);
  std::string out = "# fish completion for connectrun (written by `connectrun completion fish`).\n"
                    "complete -c connectrun -f\n";
  auto escape = [](const std::string& s) {
    std::string o;
    for (char c : s) {
      if (c == '\'' || c == '\\') o += '\\';
      if (c == '\n') { o += ' '; continue; }
      o += c;
    }
    return o;
  };
  auto condition = [&](const Command& c) {
    if (c.path.empty()) return std::string("__fish_use_subcommand");
    // "offsets list": both words seen.
    std::string cond;
    size_t start = 0;
    std::string p = c.path + " ";
    for (size_t sp; (sp = p.find(' ', start)) != std::string::npos; start = sp + 1)
      cond += (cond.empty() ? "" : "; and ") + std::string("__fish_seen_subcommand_from ") + p.substr(start, sp - start);
    return cond;
  };
  for (auto& c : cmds) {
    auto subs = c.app->get_subcommands(visible);
    std::vector<std::string> sub_names;
    for (auto* s : subs) sub_names.push_back(s->get_name());
    std::string cond = condition(c);
    if (!c.path.empty() && !sub_names.empty()) cond += "; and not __fish_seen_subcommand_from " + join(sub_names);
    for (auto* s : subs)
      out += fmt::format("complete -c connectrun -n '{}' -a {} -d '{}'\n", cond, s->get_name(),
                         escape(s->get_description().substr(0, s->get_description().find('.'))));
    for (const CLI::Option* opt : c.app->get_options()) {
      if (!opt->nonpositional() || opt->get_name() == "-h,--help") continue;
      std::string flags;
      for (auto& n : opt->get_lnames()) flags += " -l " + n;
      for (auto& n : opt->get_snames()) flags += " -s " + n;
      std::string arg;
      auto ch = choices(opt);
      if (!ch.empty()) arg = " -xa '" + join(ch) + "'";
      else if (opt->get_lnames().size() == 1 && opt->get_lnames()[0] == "connector")
        arg = " -xa '(connectrun __complete connectors -- (commandline -opc)[2..-1])'";
      else if (opt->get_expected_max() != 0) arg = " -r";
      out += fmt::format("complete -c connectrun -n '{}'{}{} -d '{}'\n", condition(c), flags, arg,
                         escape(opt->get_description()));
    }
    if (sub_names.empty() && !c.path.empty()) {
      if (c.path == "plugins") out += "complete -c connectrun -n '__fish_seen_subcommand_from plugins' -xa '(connectrun __complete plugins)'\n";
      else out += fmt::format("complete -c connectrun -n '{}' -F\n", condition(c));
    }
  }
  return out;
}

}  // namespace

void CompletionCommand::add(CLI::App& app) {
  root = &app;
  cmd = app.add_subcommand("completion", "Print a shell completion script: subcommands, options, file names, "
                                         "connector names of the job files (--connector) and plugin names.");
  cmd->add_option("shell", shell, "bash, zsh or fish")->required()->check(CLI::IsMember({"bash", "zsh", "fish"}));
  cmd->footer("bash: `source <(connectrun completion bash)` in ~/.bashrc (the package installs it for everyone); "
              "zsh: `source <(connectrun completion zsh)` in ~/.zshrc; fish: "
              "`connectrun completion fish > ~/.config/fish/completions/connectrun.fish`.");
  // What the scripts call while completing: hidden (no group).
  complete = app.add_subcommand("__complete", "")->group("");
  complete->add_option("what", what)->required()->check(CLI::IsMember({"plugins", "connectors"}));
  complete->add_option("words", words);
}

int CompletionCommand::run() {
  if (complete->parsed()) {
    if (what == "plugins") {
      for (auto& p : all_builtin_plugins().all()) std::cout << p.name << "\n";
      return kExitOk;
    }
    // Connector names of whichever words are job files (by their extension:
    // the command's own words may name files in the current folder too);
    // problems are ignored, so a half-written job still completes its names.
    std::vector<std::string> yaml, properties;
    std::error_code ec;
    for (auto& w : words) {
      if (w.empty() || w[0] == '-' || !std::filesystem::is_regular_file(w, ec)) continue;
      std::string ext = std::filesystem::path(w).extension().string();
      if (ext == ".yaml" || ext == ".yml") yaml.push_back(w);
      else if (ext == ".properties" || ext == ".json") properties.push_back(w);
    }
    std::vector<std::vector<std::string>> jobs;
    for (auto& y : yaml) jobs.push_back({y});
    if (!properties.empty()) jobs.push_back(properties);  // worker.properties, then connector files
    for (auto& files : jobs) {
      config::Problems problems;
      try {
        auto job = config::load_job(files, problems);
        for (auto& c : job.connectors) {
          auto it = c.entries.find("name");
          if (it != c.entries.end()) std::cout << it->second.value << "\n";
        }
      } catch (const std::exception&) {
      }
    }
    return kExitOk;
  }
  if (shell == "fish") std::cout << fish_script(*root);
  else if (shell == "zsh")
    // zsh runs the bash script through its bashcompinit layer.
    std::cout << "# zsh completion for connectrun (written by `connectrun completion zsh`).\n"
                 "autoload -U +X compinit && compinit\nautoload -U +X bashcompinit && bashcompinit\n"
              << bash_script(*root);
  else std::cout << bash_script(*root);
  return kExitOk;
}

}  // namespace connectrun::cli
