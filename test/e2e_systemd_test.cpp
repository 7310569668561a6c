// The real binary under a stand-in for systemd: sd_notify messages arrive on a
// datagram socket the test names in NOTIFY_SOCKET, and logs become
// journald-friendly when stderr is the stream JOURNAL_STREAM names.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/stat.h>

#include <regex>

#include <fmt/format.h>

#include "child_process.h"
#include "support.h"

using namespace testsupport;
using namespace std::chrono_literals;

namespace {

std::string tail_job(const TempDir& dir) { return lines_job(dir.path()); }

// A shell script that runs connectrun with a clean systemd environment plus `env`.
std::string script(const TempDir& dir, const std::string& env, const std::string& args) {
  return fmt::format("unset NOTIFY_SOCKET WATCHDOG_USEC WATCHDOG_PID JOURNAL_STREAM; {} exec {} {} 2>>{}", env,
                     sh_quote(CONNECTRUN_BINARY), args, sh_quote(dir / "log.txt"));
}

}  // namespace

TEST_CASE("sd_notify: READY=1 once running, STOPPING=1 on SIGTERM, exit 0", "[e2e][systemd]") {
  TempDir dir;
  write_file(dir / "job.yaml", tail_job(dir));
  write_file(dir / "in.txt", numbered_lines(0, 100));
  NotifySocket sock(dir / "notify.sock");
  ShellChild child(script(dir, "NOTIFY_SOCKET=" + sh_quote(dir / "notify.sock"), "run " + sh_quote(dir / "job.yaml")));
  INFO(read_file(dir / "log.txt"));
  REQUIRE(eventually([&] { return sock.find("READY=1") >= 0; }));
  // READY comes with a STATUS line for `systemctl status`.
  CHECK(sock.drain()[static_cast<size_t>(sock.find("READY=1"))].find("STATUS=running 2 connector(s)") !=
        std::string::npos);
  REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() == 100; }));
  CHECK(sock.find("STOPPING=1") < 0);
  child.signal(SIGTERM);
  REQUIRE(child.wait(20s) == 0);
  int ready = sock.find("READY=1"), stopping = sock.find("STOPPING=1");
  CHECK(stopping > ready);
  CHECK(sock.count("READY=1") == 1);
  // No watchdog was asked for.
  CHECK(sock.count("WATCHDOG=1") == 0);
}

TEST_CASE("sd_notify: WATCHDOG=1 pings when WATCHDOG_USEC is set and WATCHDOG_PID is unset", "[e2e][systemd]") {
  TempDir dir;
  write_file(dir / "job.yaml", tail_job(dir));
  write_file(dir / "in.txt", "");
  NotifySocket sock(dir / "notify.sock");
  ShellChild child(script(dir, "NOTIFY_SOCKET=" + sh_quote(dir / "notify.sock") + " WATCHDOG_USEC=400000",
                          "run " + sh_quote(dir / "job.yaml")));
  INFO(read_file(dir / "log.txt"));
  REQUIRE(eventually([&] { return sock.count("WATCHDOG=1") >= 4; }));
  CHECK(sock.find("READY=1") >= 0);
  child.signal(SIGTERM);
  REQUIRE(child.wait(20s) == 0);
}

TEST_CASE("sd_notify: WATCHDOG=1 pings when WATCHDOG_PID is connectrun's own pid", "[e2e][systemd]") {
  TempDir dir;
  write_file(dir / "job.yaml", tail_job(dir));
  write_file(dir / "in.txt", "");
  NotifySocket sock(dir / "notify.sock");
  // sh's $$ is connectrun's pid once sh execs it.
  ShellChild child(script(dir, "NOTIFY_SOCKET=" + sh_quote(dir / "notify.sock") + " WATCHDOG_USEC=400000 WATCHDOG_PID=$$",
                          "run " + sh_quote(dir / "job.yaml")));
  INFO(read_file(dir / "log.txt"));
  REQUIRE(eventually([&] { return sock.count("WATCHDOG=1") >= 4; }));
  child.signal(SIGTERM);
  REQUIRE(child.wait(20s) == 0);
  CHECK(sock.find("STOPPING=1") > sock.find("READY=1"));
}

TEST_CASE("sd_notify: --once sends READY=1 then STOPPING=1 when every source is done", "[e2e][systemd]") {
  TempDir dir;
  write_file(dir / "job.yaml", tail_job(dir));
  write_file(dir / "in.txt", numbered_lines(0, 50));
  NotifySocket sock(dir / "notify.sock");
  ShellChild child(script(dir, "NOTIFY_SOCKET=" + sh_quote(dir / "notify.sock"), "run --once " + sh_quote(dir / "job.yaml")));
  REQUIRE(child.wait(60s) == 0);
  INFO(read_file(dir / "log.txt"));
  CHECK(sock.find("READY=1") >= 0);
  CHECK(sock.find("STOPPING=1") > sock.find("READY=1"));
  CHECK(read_file(dir / "out.txt") == numbered_lines(0, 50));
}

TEST_CASE("without NOTIFY_SOCKET, or with one nobody listens on, the job runs normally", "[e2e][systemd]") {
  TempDir dir;
  write_file(dir / "job.yaml", tail_job(dir));
  write_file(dir / "in.txt", numbered_lines(0, 200));
  {
    ShellChild child(script(dir, "", "run --once " + sh_quote(dir / "job.yaml")));
    REQUIRE(child.wait(60s) == 0);
  }
  CHECK(read_file(dir / "out.txt") == numbered_lines(0, 200));
  append_file(dir / "in.txt", numbered_lines(200, 300));
  {
    ShellChild child(script(dir, "NOTIFY_SOCKET=" + sh_quote(dir / "nobody.sock") + " WATCHDOG_USEC=100000",
                            "run --once " + sh_quote(dir / "job.yaml")));
    INFO(read_file(dir / "log.txt"));
    REQUIRE(child.wait(60s) == 0);
  }
  CHECK(read_file(dir / "out.txt") == numbered_lines(0, 300));
}

TEST_CASE("stderr is the journal stream: <N> priority prefixes and no timestamp", "[e2e][systemd]") {
  TempDir dir;
  write_file(dir / "job.yaml", tail_job(dir));
  write_file(dir / "in.txt", numbered_lines(0, 10));
  write_file(dir / "log.txt", "");
  struct stat st{};
  REQUIRE(stat((dir / "log.txt").c_str(), &st) == 0);
  std::string stream = fmt::format("{}:{}", st.st_dev, st.st_ino);
  // A job with a warning: a source file that does not exist yet.
  append_file(dir / "job.yaml", fmt::format(R"(  - name: late
    connector.class: FileStreamSource
    file: {0}/missing.txt
    topic: other
)",
                                            dir.path()));
  {
    ShellChild child(script(dir, "JOURNAL_STREAM=" + stream, "run " + sh_quote(dir / "job.yaml")));
    REQUIRE(eventually([&] { return read_lines(dir / "out.txt").size() == 10; }));
    REQUIRE(eventually([&] { return read_file(dir / "log.txt").find("missing.txt") != std::string::npos; }));
    child.signal(SIGTERM);
    REQUIRE(child.wait(20s) == 0);
  }
  auto lines = read_lines(dir / "log.txt");
  INFO(read_file(dir / "log.txt"));
  REQUIRE(lines.size() >= 3);
  bool info = false, warning = false;
  for (auto& l : lines) {
    CHECK((l.size() > 3 && l[0] == '<' && l[2] == '>'));
    CHECK_FALSE(std::regex_search(l, std::regex("[0-9]{2}:[0-9]{2}:[0-9]{2}")));  // journald stamps lines itself
    info = info || l.rfind("<6>[connectrun] running 3 connector(s)", 0) == 0;
    warning = warning || (l.rfind("<4>[late] ", 0) == 0 && l.find("missing.txt") != std::string::npos);
  }
  CHECK(info);
  CHECK(warning);
}

TEST_CASE("JOURNAL_STREAM naming another stream leaves the timestamped format", "[e2e][systemd]") {
  TempDir dir;
  write_file(dir / "job.yaml", tail_job(dir));
  write_file(dir / "in.txt", numbered_lines(0, 10));
  ShellChild child(script(dir, "JOURNAL_STREAM=1:1", "run --once " + sh_quote(dir / "job.yaml")));
  REQUIRE(child.wait(60s) == 0);
  auto log = read_file(dir / "log.txt");
  INFO(log);
  CHECK(log.find(" INFO [connectrun] running 2 connector(s)") != std::string::npos);
  CHECK(log.find("<6>") == std::string::npos);
}

TEST_CASE("examples/connectrun.service is a valid Type=notify unit", "[e2e][systemd]") {
  auto unit = read_file(std::string(CONNECTRUN_SOURCE_DIR) + "/examples/connectrun.service");
  for (const char* line : {"Type=notify\n", "WatchdogSec=", "Restart=on-failure\n", "RestartPreventExitStatus=2\n",
                           "KillSignal=SIGTERM\n", "TimeoutStopSec=", "StateDirectory=connectrun\n"})
    CHECK(unit.find(line) != std::string::npos);
  int status = -1;
  shell("command -v systemd-analyze", &status);
  INFO("systemd-analyze is not installed: scripts/install-deps installs it (Debian package systemd)");
  REQUIRE(status == 0);
  TempDir dir;
  // systemd-analyze verify wants ExecStart to exist.
  std::string copy = unit;
  for (size_t at; (at = copy.find("/usr/local/bin/connectrun")) != std::string::npos;) copy.replace(at, 25, CONNECTRUN_BINARY);
  write_file(dir / "connectrun.service", copy);
  auto out = shell("systemd-analyze verify " + sh_quote(dir / "connectrun.service") + " 2>&1", &status);
  INFO(out);
  CHECK(status == 0);
  CHECK(out.find("connectrun.service") == std::string::npos);  // no complaint about the unit
}
