#include "servers/test_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "support.h"

namespace testsupport {

using namespace std::chrono_literals;

namespace {
const char* kLogName = "server.log";

sockaddr_in loopback(int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

std::vector<std::string> expand(std::vector<std::string> words, int port, const std::string& dir) {
  for (auto& w : words) {
    for (size_t at; (at = w.find("{port}")) != std::string::npos;) w.replace(at, 6, std::to_string(port));
    for (size_t at; (at = w.find("{dir}")) != std::string::npos;) w.replace(at, 5, dir);
  }
  return words;
}

// fork + execvp with stdin on /dev/null and stdout/stderr appended to
// `log_path`, in a new process group; a failed exec is logged and exits 127.
pid_t spawn(const std::vector<std::string>& argv, const std::string& log_path, const std::string& cwd,
            const std::vector<std::pair<std::string, std::string>>& env) {
  // Everything the child needs is made before fork: between fork and exec
  // only async-signal-safe calls are safe in a threaded process.
  std::vector<char*> args;
  for (auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_words;
  for (char** e = environ; *e; ++e) {
    std::string word = *e;
    bool replaced = false;
    for (auto& [k, v] : env) replaced |= word.compare(0, k.size() + 1, k + "=") == 0;
    if (!replaced) env_words.push_back(std::move(word));
  }
  for (auto& [k, v] : env) env_words.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& w : env_words) envp.push_back(w.data());
  envp.push_back(nullptr);
  const std::string exec_failed = "cannot run " + argv[0] + ": ";
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error(fmt::format("fork: {}", std::strerror(errno)));
  if (pid == 0) {
    ::setpgid(0, 0);
    int in = ::open("/dev/null", O_RDONLY);
    int out = ::open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (in >= 0) ::dup2(in, 0);
    if (out >= 0) {
      ::dup2(out, 1);
      ::dup2(out, 2);
    }
    if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) ::_exit(127);
    ::execvpe(args[0], args.data(), envp.data());
    const char* why = ::strerror(errno);
    (void)!::write(2, exec_failed.data(), exec_failed.size());
    (void)!::write(2, why, ::strlen(why));
    (void)!::write(2, "\n", 1);
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also here, so the group exists before the parent signals it
  return pid;
}

std::string exit_text(int status) {
  if (WIFEXITED(status)) return fmt::format("exited with code {}", WEXITSTATUS(status));
  if (WIFSIGNALED(status)) return fmt::format("was killed by signal {}", WTERMSIG(status));
  return "stopped";
}
}  // namespace

int free_local_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(fmt::format("socket: {}", std::strerror(errno)));
  sockaddr_in a = loopback(0);
  socklen_t len = sizeof a;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    int err = errno;
    ::close(fd);
    throw std::runtime_error(fmt::format("cannot pick a free port: {}", std::strerror(err)));
  }
  ::close(fd);
  return ntohs(a.sin_port);
}

bool port_accepts(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in a = loopback(port);
  bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  ::close(fd);
  return ok;
}

TestServer::Folder::Folder() {
  char tmpl[] = "/tmp/connectrun-server-XXXXXX";
  if (!::mkdtemp(tmpl)) throw std::runtime_error(fmt::format("mkdtemp: {}", std::strerror(errno)));
  path = tmpl;
}

TestServer::Folder::~Folder() {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

void TestServer::Child::stop() {
  if (pid <= 0) return;
  ::kill(-pid, SIGTERM);
  int status = 0;
  const auto give_up = std::chrono::steady_clock::now() + grace;
  pid_t got = 0;
  while ((got = ::waitpid(pid, &status, WNOHANG)) == 0 && std::chrono::steady_clock::now() < give_up)
    std::this_thread::sleep_for(10ms);
  // Past the grace period, or the leader is gone and helpers it forked may linger.
  ::kill(-pid, SIGKILL);
  if (got == 0) ::waitpid(pid, &status, 0);
  pid = -1;
}

TestServer::TestServer(TestServerOptions options) : options_(std::move(options)) {
  if (options_.command.empty()) throw std::invalid_argument("TestServer: no command");
  port_ = free_local_port();
  const std::string log_path = dir_.path + "/" + kLogName;
  child_.grace = options_.stop_grace;
  child_.pid = spawn(expand(options_.command, port_, dir_.path), log_path, dir_.path, options_.env);
  const auto ready_cmd = expand(options_.ready_command, port_, dir_.path);
  const auto deadline = std::chrono::steady_clock::now() + options_.start_timeout;
  auto failure = [&](const std::string& what) {
    std::string log = this->log();
    if (log.size() > 8192) log = std::string("…").append(log, log.size() - 8192);
    return std::runtime_error(fmt::format("test server '{}' ({}) {}; its log ({}):\n{}", options_.name,
                                          fmt::join(options_.command, " "), what, log_path, log));
  };
  for (;;) {
    int status = 0;
    if (::waitpid(child_.pid, &status, WNOHANG) == child_.pid) {
      child_.pid = -1;
      throw failure(exit_text(status) + " before it was ready");
    }
    bool ready;
    if (ready_cmd.empty()) {
      ready = port_accepts(port_);
    } else {
      // The probe may hang (a client waiting for a server that is not there):
      // it gets what is left of the start timeout.
      Child probe{spawn(ready_cmd, log_path, dir_.path, options_.env), 0ms};
      int probe_status = 0;
      pid_t got = 0;
      while ((got = ::waitpid(probe.pid, &probe_status, WNOHANG)) == 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(10ms);
      if (got == probe.pid) probe.pid = -1;  // reaped; else stopped by ~Child
      ready = got > 0 && WIFEXITED(probe_status) && WEXITSTATUS(probe_status) == 0;
    }
    if (ready) return;
    if (std::chrono::steady_clock::now() >= deadline)
      throw failure(ready_cmd.empty()
                        ? fmt::format("did not accept connections on 127.0.0.1:{} within {} ms", port_,
                                      options_.start_timeout.count())
                        : fmt::format("was not ready (`{}` did not succeed) within {} ms", fmt::join(ready_cmd, " "),
                                      options_.start_timeout.count()));
    std::this_thread::sleep_for(20ms);
  }
}

TestServer::~TestServer() = default;  // members: the child stops, then the folder goes

void TestServer::stop() { child_.stop(); }

std::string TestServer::log() const { return read_file(dir_.path + "/" + kLogName); }

}  // namespace testsupport
