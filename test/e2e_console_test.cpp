// What a person or a log collector sees on stderr: JSON lines with
// --log-format json, and the live status line on a terminal (a real
// pseudo-terminal), never in redirected output, and not with -q.
#include <catch2/catch.hpp>

#include <filesystem>
#include <functional>
#include <regex>
#include <set>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <simdjson.h>

#include "child_process.h"
#include "support.h"

using namespace testsupport;
using namespace std::chrono_literals;

namespace {

std::string file_job(const std::string& dir) { return lines_job(dir); }

constexpr std::string_view kErase = "\r\033[K";

// Runs the job with stderr on a fresh pty until `done(output)` holds (then
// SIGTERM) or, with --once, until it exits; returns everything the terminal got.
std::string run_on_pty(const std::string& args, const std::function<bool(const std::string&)>& done, int* code) {
  Pty pty;
  ShellChild child("unset NOTIFY_SOCKET JOURNAL_STREAM; exec " + sh_quote(CONNECTRUN_BINARY) + " " + args, pty.slave());
  pty.close_slave();
  std::string out;
  bool signalled = false;
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    bool open = pty.read_into(out);
    if (!signalled && done && done(out)) {
      child.signal(SIGTERM);
      signalled = true;
    }
    if (child.poll() >= 0 && !open) break;
    if (child.poll() >= 0) {
      pty.read_into(out);
      break;
    }
    std::this_thread::sleep_for(10ms);
  }
  *code = child.wait(20s);
  return out;
}

bool has_rates(const std::string& out) {
  // "src in 1.2k/s out 1.2k/s | snk in 1.2k/s out 1.2k/s lag 0" drawn after an erase:
  // the in-process bus knows a sink's lag (its queue), a source has none.
  auto at = out.find(std::string(kErase) + "src in ");
  if (at == std::string::npos) return false;
  auto snk = out.find(" | snk in ", at);
  auto src_part = out.substr(at, snk == std::string::npos ? std::string::npos : snk - at);
  return snk != std::string::npos && src_part.find("/s out ") != std::string::npos && src_part.find(" lag ") == std::string::npos &&
         out.find("/s lag ", snk) != std::string::npos;
}

}  // namespace

TEST_CASE("log format json: every stderr line is a JSON object and connector lines name their connector", "[e2e][console]") {
  TempDir dir;
  // Quotes, a backslash and a tab in the path end up in log messages: they must be escaped.
  std::string sub = dir / "we\"ird\\dir\tname";
  std::filesystem::create_directories(sub);
  write_file(sub + "/job.yaml", file_job(sub));
  write_file(sub + "/in.txt", numbered_lines(0, 100));
  REQUIRE(run_connectrun({"run", "--once", sub + "/job.yaml"}).exit_code == 0);
  append_file(sub + "/in.txt", numbered_lines(100, 150));
  auto r = run_connectrun({"--log-format", "json", "run", "--once", sub + "/job.yaml"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(read_file(sub + "/out.txt") == numbered_lines(0, 150));
  simdjson::dom::parser parser;
  std::set<std::string> connectors;
  bool resumed = false, report = false;
  size_t n = 0;
  std::istringstream lines(r.err);
  for (std::string line; std::getline(lines, line);) {
    ++n;
    INFO(line);
    simdjson::dom::object obj;
    REQUIRE(parser.parse(line).get(obj) == simdjson::SUCCESS);
    std::string_view ts, level, msg, connector;
    REQUIRE(obj["ts"].get(ts) == simdjson::SUCCESS);
    CHECK((ts.size() == 24 && ts[10] == 'T' && ts.back() == 'Z'));
    REQUIRE(obj["level"].get(level) == simdjson::SUCCESS);
    CHECK((level == "INFO" || level == "WARN" || level == "ERROR" || level == "DEBUG"));
    REQUIRE(obj["msg"].get(msg) == simdjson::SUCCESS);
    if (obj["connector"].get(connector) == simdjson::SUCCESS) {
      connectors.insert(std::string(connector));
      if (connector == "src" && msg.find("resuming " + sub + "/in.txt at byte") != std::string::npos) resumed = true;
    }
    // The end-of-run summary is structured: its connector and counts are fields.
    std::string_view event;
    if (msg.find("connector 'src': 50 read") != std::string::npos && obj["event"].get(event) == simdjson::SUCCESS &&
        event == "summary" && connector == "src")
      report = true;
  }
  CHECK(n >= 3);
  CHECK(connectors.count("src") == 1);
  CHECK(resumed);  // the path with quote, backslash and tab came back intact
  CHECK(report);
}

TEST_CASE("log format json: configuration problems are JSON lines too", "[e2e][console]") {
  TempDir dir;
  write_file(dir / "job.yaml", file_job(dir.path()) + "    no.such.key: 1\n");
  auto r = run_connectrun({"--log-format", "json", "validate", dir / "job.yaml"});
  INFO(r.err);
  CHECK(r.exit_code == 2);
  simdjson::dom::parser parser;
  std::istringstream lines(r.err);
  size_t errors = 0, n = 0;
  for (std::string line; std::getline(lines, line);) {
    ++n;
    INFO(line);
    simdjson::dom::object obj;
    REQUIRE(parser.parse(line).get(obj) == simdjson::SUCCESS);
    std::string_view level, msg;
    REQUIRE(obj["level"].get(level) == simdjson::SUCCESS);
    REQUIRE(obj["msg"].get(msg) == simdjson::SUCCESS);
    if (level == "ERROR" && msg.find("no.such.key") != std::string_view::npos) ++errors;
  }
  CHECK(errors == 1);
  CHECK(n >= 2);  // the problem and the summary
}

TEST_CASE("a bad --log-format value is a usage error, exit 2", "[e2e][console]") {
  TempDir dir;
  write_file(dir / "job.yaml", file_job(dir.path()));
  auto r = run_connectrun({"--log-format", "xml", "run", "--once", dir / "job.yaml"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("--log-format") != std::string::npos);
  CHECK(r.err.find("xml") != std::string::npos);
  CHECK_FALSE(std::filesystem::exists(dir / "out.txt"));
}

TEST_CASE("on a terminal a live status line shows records per second per connector", "[e2e][console]") {
  TempDir dir;
  write_file(dir / "job.yaml", file_job(dir.path()));
  write_file(dir / "in.txt", numbered_lines(0, 1000));
  int code = -1;
  auto out = run_on_pty("run " + sh_quote(dir / "job.yaml"), has_rates, &code);
  INFO(out);
  CHECK(code == 0);
  CHECK(has_rates(out));
  // Log lines start on a clean line: every status draw is erased before the next log line, so each
  // log line's timestamp follows a newline or the erase sequence, never the status text.
  static const std::regex stamp(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3} )");
  size_t log_lines = 0, after_status = 0;
  for (auto it = std::sregex_iterator(out.begin(), out.end(), stamp); it != std::sregex_iterator(); ++it) {
    auto at = static_cast<size_t>(it->position());
    ++log_lines;
    bool after_newline = at == 0 || out[at - 1] == '\n';
    bool after_erase = at >= kErase.size() && out.compare(at - kErase.size(), kErase.size(), kErase) == 0;
    INFO("log line at " << at << ": " << out.substr(at > 80 ? at - 80 : 0, 160));
    CHECK((after_newline || after_erase));
    // A status line was on screen (drawn since the last newline) and erased for this log line.
    auto line_start = out.rfind('\n', at);
    if (after_erase && out.find(std::string(kErase) + "src in ", line_start == std::string::npos ? 0 : line_start) <
                           at - kErase.size())
      ++after_status;
  }
  CHECK(log_lines >= 2);
  CHECK(after_status >= 1);  // the interleaving this checks did happen
  CHECK(out.find("connector 'src': 1000 read") != std::string::npos);
  CHECK(read_file(dir / "out.txt") == numbered_lines(0, 1000));
}

TEST_CASE("quiet flag -q silences the status line on a terminal", "[e2e][console]") {
  TempDir dir;
  write_file(dir / "job.yaml", file_job(dir.path()));
  write_file(dir / "in.txt", numbered_lines(0, 1000));
  int code = -1;
  // Without -q the first status line is drawn as soon as the connectors run, even with --once.
  auto loud = run_on_pty("run --once " + sh_quote(dir / "job.yaml"), nullptr, &code);
  REQUIRE(code == 0);
  CHECK(loud.find(std::string(kErase) + "2 connector(s) running") != std::string::npos);
  std::filesystem::remove(dir / "offsets.json");
  std::filesystem::remove(dir / "out.txt");
  auto quiet = run_on_pty("run --once -q " + sh_quote(dir / "job.yaml"), nullptr, &code);  // global options may follow the subcommand
  INFO(quiet);
  REQUIRE(code == 0);
  CHECK(quiet.find("\033[K") == std::string::npos);
  CHECK(quiet.find("connector(s) running\r") == std::string::npos);
  CHECK(quiet.find("connector 'src': 1000 read") != std::string::npos);
  CHECK(read_file(dir / "out.txt") == numbered_lines(0, 1000));
}

TEST_CASE("redirected stderr never gets the status line", "[e2e][console]") {
  TempDir dir;
  write_file(dir / "job.yaml", file_job(dir.path()));
  write_file(dir / "in.txt", numbered_lines(0, 1000));
  {
    ShellChild child("unset NOTIFY_SOCKET JOURNAL_STREAM; exec " + sh_quote(CONNECTRUN_BINARY) + " run " +
                     sh_quote(dir / "job.yaml") + " 2>" + sh_quote(dir / "log.txt"));
    REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() == 1000; }));
    // On a terminal the first status line is drawn as soon as the connectors run
    // (see the -q test), so this run would already show one.
    child.signal(SIGTERM);
    REQUIRE(child.wait(20s) == 0);
  }
  auto log = read_file(dir / "log.txt");
  INFO(log);
  CHECK(log.find("running 2 connector(s)") != std::string::npos);
  CHECK(log.find('\r') == std::string::npos);
  CHECK(log.find('\033') == std::string::npos);
}
