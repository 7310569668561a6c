// Issue 20, parts 7-9, end to end: the environment conventions
// (CONNECTRUN_LOG_LEVEL/FORMAT, ${env:NAME:-default}, NO_COLOR and colour on
// a terminal), progress lines where there is no terminal, and `run --watch`.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>
#include <regex>
#include <thread>

#include <fmt/format.h>

#include "child_process.h"
#include "support.h"

using namespace testsupport;
using namespace std::chrono_literals;

namespace {

struct Shell {
  int status = -1;
  std::string out;  // stdout and stderr
};

// Runs connectrun through sh with `env` (NAME=value words) before it.
Shell connectrun_with(const std::string& env, const std::string& args) {
  Shell r;
  r.out = shell(fmt::format("unset CONNECTRUN_LOG_LEVEL CONNECTRUN_LOG_FORMAT NOTIFY_SOCKET JOURNAL_STREAM; {} {} {} 2>&1",
                            env, sh_quote(CONNECTRUN_BINARY), args),
                &r.status);
  return r;
}

// Runs `args` with stderr on a fresh pseudo-terminal until it exits; returns what the terminal got.
std::string on_pty(const std::string& env, const std::string& args, int* code) {
  Pty pty;
  ShellChild child(fmt::format("unset NOTIFY_SOCKET JOURNAL_STREAM NO_COLOR; {} exec {} {}", env,
                               sh_quote(CONNECTRUN_BINARY), args),
                   pty.slave());
  pty.close_slave();
  std::string out;
  auto deadline = std::chrono::steady_clock::now() + 60s;
  while (std::chrono::steady_clock::now() < deadline) {
    bool open = pty.read_into(out);
    if (child.poll() >= 0) {
      pty.read_into(out);
      break;
    }
    if (!open) break;
    std::this_thread::sleep_for(10ms);
  }
  *code = child.wait(20s);
  return out;
}

bool has_colour(const std::string& s) { return s.find("\033[32mINFO\033[0m") != std::string::npos; }

}  // namespace

TEST_CASE("environment: CONNECTRUN_LOG_LEVEL and CONNECTRUN_LOG_FORMAT stand in for absent flags and flags win", "[e2e][envprog]") {
  TempDir dir;
  write_file(dir / "job.yaml", lines_job(dir.path()));
  write_file(dir / "in.txt", numbered_lines(0, 10));
  std::string job = sh_quote(dir / "job.yaml");
  auto fresh = [&] { std::remove((dir / "offsets.json").c_str()); };

  SECTION("CONNECTRUN_LOG_FORMAT=json makes every line JSON; --log-format text wins over it") {
    auto json = connectrun_with("CONNECTRUN_LOG_FORMAT=json", "run --once " + job);
    INFO(json.out);
    REQUIRE(json.status == 0);
    for (auto& line : split_lines(json.out)) CHECK(line.rfind("{\"ts\":", 0) == 0);
    fresh();
    auto text = connectrun_with("CONNECTRUN_LOG_FORMAT=json", "--log-format text run --once " + job);
    INFO(text.out);
    REQUIRE(text.status == 0);
    CHECK(text.out.find("{\"ts\":") == std::string::npos);
    CHECK(text.out.find(" INFO [connectrun] running 2 connector(s)") != std::string::npos);
  }
  SECTION("CONNECTRUN_LOG_LEVEL=warn hides INFO lines; --log-level info (before or after the subcommand) wins") {
    auto quiet = connectrun_with("CONNECTRUN_LOG_LEVEL=warn", "run --once " + job);
    INFO(quiet.out);
    REQUIRE(quiet.status == 0);
    CHECK(quiet.out.find(" INFO ") == std::string::npos);
    fresh();
    auto info = connectrun_with("CONNECTRUN_LOG_LEVEL=warn", "run --once " + job + " --log-level info");
    INFO(info.out);
    REQUIRE(info.status == 0);
    CHECK(info.out.find(" INFO [connectrun] running 2 connector(s)") != std::string::npos);
  }
  SECTION("a bad value is a usage error naming the variable, unless the flag is given") {
    auto level = connectrun_with("CONNECTRUN_LOG_LEVEL=loud", "run --once " + job);
    CHECK(level.status == 2);
    CHECK(level.out.find("error: environment variable CONNECTRUN_LOG_LEVEL='loud' is not one of trace, debug, info, "
                         "warn, error, critical, off") != std::string::npos);
    CHECK(level.out.find("--log-level") != std::string::npos);
    auto format = connectrun_with("CONNECTRUN_LOG_FORMAT=xml", "run --once " + job);
    CHECK(format.status == 2);
    CHECK(format.out.find("CONNECTRUN_LOG_FORMAT='xml'") != std::string::npos);
    CHECK(!std::filesystem::exists(dir / "offsets.json"));  // nothing ran
    auto flagged = connectrun_with("CONNECTRUN_LOG_LEVEL=loud", "--log-level warn run --once " + job);
    INFO(flagged.out);
    CHECK(flagged.status == 0);
    // Empty counts as unset.
    fresh();
    CHECK(connectrun_with("CONNECTRUN_LOG_LEVEL= CONNECTRUN_LOG_FORMAT=", "run --once " + job).status == 0);
  }
}

TEST_CASE("placeholders: ${env:NAME:-default} takes the default when NAME is unset or empty", "[e2e][envprog]") {
  TempDir dir;
  write_file(dir / "in.txt", numbered_lines(0, 5));
  LinesJob spec;
  spec.out = "${env:ENVPROG_OUT:-" + (dir / "default.txt") + "}";
  write_file(dir / "job.yaml", lines_job(dir.path(), spec));
  std::string job = sh_quote(dir / "job.yaml");
  auto fresh = [&] { std::remove((dir / "offsets.json").c_str()); };

  auto unset = connectrun_with("unset ENVPROG_OUT;", "run --once " + job);
  INFO(unset.out);
  REQUIRE(unset.status == 0);
  CHECK(read_file(dir / "default.txt") == numbered_lines(0, 5));
  fresh();
  std::remove((dir / "default.txt").c_str());
  auto empty = connectrun_with("ENVPROG_OUT=", "run --once " + job);
  REQUIRE(empty.status == 0);
  CHECK(read_file(dir / "default.txt") == numbered_lines(0, 5));
  fresh();
  auto set = connectrun_with("ENVPROG_OUT=" + sh_quote(dir / "set.txt"), "run --once " + job);
  REQUIRE(set.status == 0);
  CHECK(read_file(dir / "set.txt") == numbered_lines(0, 5));

  // ${env:NAME} without a default stays an error when NAME is unset; the message points at the default form.
  LinesJob strict;
  strict.out = "${env:ENVPROG_MISSING}";
  write_file(dir / "strict.yaml", lines_job(dir.path(), strict));
  auto missing = connectrun_with("unset ENVPROG_MISSING;", "validate " + sh_quote(dir / "strict.yaml"));
  CHECK(missing.status == 2);
  CHECK(missing.out.find("environment variable ENVPROG_MISSING is not set (${env:ENVPROG_MISSING:-default} gives a "
                         "default)") != std::string::npos);
  // A default may hold colons (a URL, a path:key).
  LinesJob colons;
  colons.out = "${env:ENVPROG_OUT:-" + (dir / "a:b.txt") + "}";
  write_file(dir / "colons.yaml", lines_job(dir.path(), colons));
  fresh();
  REQUIRE(connectrun_with("unset ENVPROG_OUT;", "run --once " + sh_quote(dir / "colons.yaml")).status == 0);
  CHECK(read_file(dir / "a:b.txt") == numbered_lines(0, 5));
}

TEST_CASE("colour: level words are coloured on a terminal unless NO_COLOR or TERM=dumb and never when piped or JSON", "[e2e][envprog]") {
  TempDir dir;
  write_file(dir / "job.yaml", lines_job(dir.path()));
  write_file(dir / "in.txt", numbered_lines(0, 5));
  std::string args = "run --once " + sh_quote(dir / "job.yaml");
  auto fresh = [&] { std::remove((dir / "offsets.json").c_str()); };
  int code = -1;

  std::string tty = on_pty("TERM=xterm", args, &code);
  INFO(tty);
  REQUIRE(code == 0);
  CHECK(has_colour(tty));
  fresh();
  // https://no-color.org: any non-empty value turns colour off; an empty one does not.
  std::string no_colour = on_pty("TERM=xterm NO_COLOR=1", args, &code);
  CHECK(code == 0);
  CHECK(!has_colour(no_colour));
  CHECK(no_colour.find(" INFO [connectrun] running 2 connector(s)") != std::string::npos);
  CHECK(no_colour.find("\033[0m") == std::string::npos);
  fresh();
  CHECK(has_colour(on_pty("TERM=xterm NO_COLOR=", args, &code)));
  fresh();
  std::string dumb = on_pty("TERM=dumb", args, &code);
  CHECK(!has_colour(dumb));
  CHECK(dumb.find(" INFO ") != std::string::npos);
  fresh();
  std::string json = on_pty("TERM=xterm", "--log-format json " + args, &code);
  CHECK(code == 0);
  CHECK(json.find("\"level\":\"INFO\"") != std::string::npos);
  CHECK(json.find("\033[") == std::string::npos);
  fresh();
  // Piped: stderr is not a terminal, whatever TERM says.
  auto piped = connectrun_with("TERM=xterm", args);
  CHECK(piped.status == 0);
  CHECK(piped.out.find(" INFO ") != std::string::npos);
  CHECK(piped.out.find('\033') == std::string::npos);
}

namespace {

// Runs the lines job over a file of ~4 MB whose sink writes into a FIFO read
// at ~2 MB/s (a slow consumer: the bus's bounded queue holds the source back),
// with stderr in a file; returns the log.
std::string slow_run(const TempDir& dir, long interval_ms) {
  std::remove((dir / "offsets.json").c_str());
  std::string fifo = dir / "out.fifo";
  std::remove(fifo.c_str());
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  LinesJob spec;
  spec.out = fifo;
  spec.worker_extra = fmt::format("  progress.interval.ms: {}\n", interval_ms);
  write_file(dir / "job.yaml", lines_job(dir.path(), spec));
  // The stand-in for a slow consumer: reads 100 kB every 50 ms until the sink closes the FIFO.
  ShellChild reader(fmt::format("exec python3 -c 'import sys,time\nf=open(sys.argv[1],\"rb\")\nwhile f.read(100000): "
                                "time.sleep(0.05)' {}",
                                sh_quote(fifo)));
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"}, 120s);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(reader.wait(20s) == 0);
  return r.err;
}

}  // namespace

TEST_CASE("progress: a --once run with stderr not a terminal logs progress lines with growing counts and a percent", "[e2e][envprog]") {
  TempDir dir;
  write_file(dir / "in.txt", numbered_lines(0, 130000));  // ~4 MB
  std::string log = slow_run(dir, 200);
  INFO(log);
  std::regex src_line(R"(\[src\] progress: (\d+) records \(\+\d+\), [0-9.]+ [kMG]?B, \d+/s over [0-9.]+ s, (\d+)% read)");
  std::vector<long> counts, percents;
  for (std::sregex_iterator it(log.begin(), log.end(), src_line), end; it != end; ++it) {
    counts.push_back(std::stol((*it)[1]));
    percents.push_back(std::stol((*it)[2]));
  }
  REQUIRE(counts.size() >= 2);
  for (size_t i = 1; i < counts.size(); ++i) {
    CHECK(counts[i] >= counts[i - 1]);
    CHECK(percents[i] >= percents[i - 1]);
  }
  CHECK(counts.front() < counts.back());
  CHECK(percents.front() < 100);
  CHECK(percents.back() <= 100);
  // The sink reports what it wrote, with no percent.
  std::regex snk_line(R"(\[snk\] progress: (\d+) records \(\+\d+\), [0-9.]+ [kMG]?B, \d+/s over [0-9.]+ s\n)");
  CHECK(std::distance(std::sregex_iterator(log.begin(), log.end(), snk_line), std::sregex_iterator()) >= 2);

  // progress.interval.ms=0: none at all over the same slow run.
  std::string silent = slow_run(dir, 0);
  CHECK(silent.find("progress:") == std::string::npos);
  CHECK(silent.find("connector 'snk': 130000 read, 130000 written") != std::string::npos);
}

TEST_CASE("run --watch: a changed job file is applied as SIGHUP does and an invalid one keeps the old connectors", "[e2e][envprog]") {
  TempDir dir;
  write_file(dir / "in.txt", numbered_lines(0, 10));
  write_file(dir / "job.yaml", lines_job(dir.path()));
  Process job({"run", "--watch", dir / "job.yaml"}, dir / "log.txt");
  REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() == 10; }));

  // An editor's write-and-rename: the sink now writes out2.txt.
  LinesJob changed;
  changed.out = dir / "out2.txt";
  write_file(dir / "job.yaml.tmp", lines_job(dir.path(), changed));
  REQUIRE(std::rename((dir / "job.yaml.tmp").c_str(), (dir / "job.yaml").c_str()) == 0);
  REQUIRE(eventually([&] { return read_file(dir / "log.txt").find("job.yaml changed; reloading") != std::string::npos; }));
  REQUIRE(eventually([&] { return read_file(dir / "log.txt").find("reload: restarted: snk; started: none") != std::string::npos; }));
  append_file(dir / "in.txt", numbered_lines(10, 20));
  REQUIRE(eventually([&] { return read_lines(dir / "out2.txt").size() == 10; }));
  CHECK(read_file(dir / "out2.txt") == numbered_lines(10, 20));
  CHECK(read_lines(dir / "out.txt").size() == 10);

  // An invalid file, written in place: logged, and the running connectors go on.
  write_file(dir / "job.yaml", "worker:\n  offset.storage.file.filename: " + (dir / "offsets.json") +
                                   "\nconnectors:\n  - name: src\n    connector.class: NoSuchConnector\n");
  REQUIRE(eventually([&] { return read_file(dir / "log.txt").find("the running configuration is kept") != std::string::npos; }));
  CHECK(read_file(dir / "log.txt").find("NoSuchConnector") != std::string::npos);
  append_file(dir / "in.txt", numbered_lines(20, 30));
  REQUIRE(eventually([&] { return read_lines(dir / "out2.txt").size() == 20; }));
  CHECK(read_file(dir / "out2.txt") == numbered_lines(10, 30));

  // An added connector is started.
  LinesJob added = changed;
  added.sink_extra = fmt::format("  - name: snk3\n    connector.class: FileStreamSink\n    file: {}\n    topics: lines\n",
                                 dir / "out3.txt");
  write_file(dir / "job.yaml", lines_job(dir.path(), added));
  REQUIRE(eventually([&] { return read_file(dir / "log.txt").find("started: snk3;") != std::string::npos; }));
  append_file(dir / "in.txt", numbered_lines(30, 35));
  REQUIRE(eventually([&] { return read_lines(dir / "out3.txt").size() >= 5; }));
  REQUIRE(eventually([&] { return read_lines(dir / "out2.txt").size() == 25; }));

  job.signal(SIGTERM);
  CHECK(job.wait(30s) == 0);
  INFO(read_file(dir / "log.txt"));
  CHECK(read_file(dir / "log.txt").find("--watch: reloading when") != std::string::npos);
}
