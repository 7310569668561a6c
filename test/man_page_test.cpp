// The man pages come from the binary's own declarations: every subcommand and
// option --help shows is in connectrun(1), every plugin and key in
// connectrun-job(5), and both are well-formed roff that man(1) renders.
#include <regex>
#include <sstream>
#include <set>

#include <catch2/catch.hpp>

#include "support.h"

using namespace testsupport;

namespace {
// "--once", "--wait-lock", "-q" … as --help lists them.
std::set<std::string> long_options(const std::string& help) {
  std::set<std::string> out;
  std::regex re(R"((^|[\s,])(--[a-z][a-z0-9-]*))");
  for (auto it = std::sregex_iterator(help.begin(), help.end(), re); it != std::sregex_iterator(); ++it)
    out.insert((*it)[2]);
  return out;
}
// roff writes '-' as "\-".
std::string as_roff(std::string s) {
  std::string out;
  for (char c : s) out += c == '-' ? std::string("\\-") : std::string(1, c);
  return out;
}
}  // namespace

TEST_CASE("man connectrun.1 lists every subcommand and option that --help shows", "[man]") {
  auto page = run_connectrun({"man", "connectrun.1"});
  REQUIRE(page.exit_code == 0);
  REQUIRE(page.out.rfind(".TH CONNECTRUN 1", 0) == 0);
  CHECK(page.out.find(".SH EXIT STATUS") != std::string::npos);
  for (const char* code : {"\\fB0\\fR", "\\fB1\\fR", "\\fB2\\fR", "\\fB3\\fR", "\\fB75\\fR", "\\fB130\\fR"})
    CHECK(page.out.find(code) != std::string::npos);

  auto top = run_connectrun({"--help"});
  REQUIRE(top.exit_code == 0);
  for (auto& opt : long_options(top.out))
    if (opt != "--help") CHECK(page.out.find(as_roff(opt)) != std::string::npos);
  for (std::vector<std::string> cmd : std::vector<std::vector<std::string>>{
           {"run"}, {"validate"}, {"plugins"}, {"broker"}, {"test"}, {"offsets", "list"}, {"offsets", "set"},
           {"offsets", "reset"}}) {
    std::string path = "connectrun";
    for (auto& c : cmd) path += " " + c;
    INFO(path);
    CHECK(page.out.find(".SS " + as_roff(path)) != std::string::npos);
    cmd.push_back("--help");
    auto help = run_connectrun(cmd);
    REQUIRE(help.exit_code == 0);
    for (auto& opt : long_options(help.out))
      if (opt != "--help") CHECK(page.out.find(as_roff(opt)) != std::string::npos);
  }
}

TEST_CASE("man connectrun-job.5 has every plugin and the worker keys and renders with man", "[man]") {
  auto page = run_connectrun({"man", "connectrun-job.5"});
  REQUIRE(page.exit_code == 0);
  auto list = run_connectrun({"plugins"});
  REQUIRE(list.exit_code == 0);
  // `connectrun plugins` lines: two spaces, the name, its summary.
  std::regex name_re(R"(^  (\S+) )");
  int plugins = 0;
  std::istringstream lines(list.out);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (!std::regex_search(line, m, name_re)) continue;
    ++plugins;
    CHECK(page.out.find(".SS " + as_roff(m[1].str()) + " (") != std::string::npos);
  }
  CHECK(plugins > 40);
  for (const char* key : {"offset.storage.file.filename", "errors.tolerance", "transforms"})
    CHECK(page.out.find("\\fB" + as_roff(key) + "\\fR") != std::string::npos);
  CHECK(page.out.find("connector.class") != std::string::npos);

  // man(1) renders it without complaint (groff warnings go to stderr).
  TempDir dir;
  write_file(dir.path() + "/connectrun-job.5", page.out);
  std::string cmd = "MANWIDTH=80 man --warnings -l " + dir.path() + "/connectrun-job.5 2>&1 >/dev/null";
  int status = -1;
  std::string warnings = shell(cmd, &status);
  CHECK(status == 0);
  CHECK(warnings.empty());
}
