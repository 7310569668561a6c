// The completion scripts, run by the real shells: what `connectrun pl<TAB>`,
// `run --on<TAB>`, `offsets list JOB --connector <TAB>` and `plugins FileS<TAB>`
// give in bash and fish, and that zsh loads its script.
#include <catch2/catch.hpp>

#include "support.h"

using namespace testsupport;

namespace {
bool have(const char* program) { return shell(std::string("command -v ") + program + " >/dev/null && echo yes") == "yes\n"; }
const std::string kBin = CONNECTRUN_BINARY;
// The binary's folder first in PATH: the scripts call `connectrun __complete`.
std::string path_env() { return "PATH=" + kBin.substr(0, kBin.rfind('/')) + ":$PATH "; }
}  // namespace

TEST_CASE("bash completion gives subcommands options values connector and plugin names", "[completion]") {
  TempDir dir;
  auto script = run_connectrun({"completion", "bash"});
  REQUIRE(script.exit_code == 0);
  write_file(dir / "connectrun.bash", script.out);
  write_file(dir / "job.yaml", "worker:\n  key.converter: StringConverter\n  value.converter: StringConverter\n"
                               "connectors:\n  - name: alpha-in\n    connector.class: FileStreamSource\n"
                               "    file: in.txt\n    topic: t\n  - name: beta-out\n    connector.class: FileStreamSink\n"
                               "    file: out.txt\n    topics: t\n");
  auto complete = [&](const std::string& words) {
    std::string cmd = path_env() + "bash -c 'source " + dir.path() + "/connectrun.bash; COMP_WORDS=(" + words +
                      "); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _connectrun; echo \"${COMPREPLY[*]}\"'";
    return shell(cmd);
  };
  CHECK(complete("connectrun pl") == "plugins\n");
  CHECK(complete("connectrun run --on") == "--once\n");
  CHECK(complete("connectrun --log-level w") == "warn\n");
  CHECK(complete("connectrun offsets l") == "list\n");
  CHECK(complete("connectrun offsets list " + dir.path() + "/job.yaml --connector \"\"") == "alpha-in beta-out\n");
  CHECK(complete("connectrun offsets list " + dir.path() + "/job.yaml --connector b") == "beta-out\n");
  CHECK(complete("connectrun plugins FileStreamS") == "FileStreamSource FileStreamSink\n");
}

TEST_CASE("fish completion gives subcommands connector and plugin names and zsh loads its script", "[completion]") {
  // scripts/install-deps installs both shells: a missing one is a failure, not a skip.
  REQUIRE(have("fish"));
  REQUIRE(have("zsh"));
  TempDir dir;
  auto fish = run_connectrun({"completion", "fish"});
  REQUIRE(fish.exit_code == 0);
  write_file(dir / "connectrun.fish", fish.out);
  write_file(dir / "job.yaml", "worker:\n  key.converter: StringConverter\n  value.converter: StringConverter\n"
                               "connectors:\n  - name: alpha-in\n    connector.class: FileStreamSource\n"
                               "    file: in.txt\n    topic: t\n");
  auto complete = [&](const std::string& line) {
    // Only the candidates, without fish's descriptions.
    return shell(path_env() + "fish -c 'source " + dir.path() + "/connectrun.fish; complete -C \"" + line +
              "\"' | cut -f1 | sort | tr '\\n' ' '");
  };
  CHECK(complete("connectrun pl") == "plugins ");
  CHECK(complete("connectrun run --on") == "--once ");
  CHECK(complete("connectrun offsets list " + dir.path() + "/job.yaml --connector ") == "alpha-in ");
  CHECK(complete("connectrun plugins FileStreamS") == "FileStreamSink FileStreamSource ");

  auto zsh = run_connectrun({"completion", "zsh"});
  REQUIRE(zsh.exit_code == 0);
  write_file(dir / "connectrun.zsh", zsh.out);
  // zsh filters the candidates itself: the function must offer plugins among them.
  auto got = shell(path_env() + "zsh -c 'source " + dir.path() +
                "/connectrun.zsh; setopt ksharrays; COMP_WORDS=(connectrun pl); COMP_CWORD=1; _connectrun; "
                "echo \"${COMPREPLY[*]}\"' 2>&1");
  CHECK(got.find("plugins") != std::string::npos);
  CHECK(got.find("error") == std::string::npos);
}
