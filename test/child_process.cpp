#include "child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>
#include <thread>

namespace testsupport {

Fd::~Fd() { reset(); }

void Fd::reset() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

ShellChild::ShellChild(const std::string& script, int stderr_fd) {
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("fork failed");
  if (pid_ == 0) {
    int devnull = open("/dev/null", O_RDWR);
    dup2(devnull, 0);
    dup2(devnull, 1);
    if (stderr_fd >= 0) dup2(stderr_fd, 2);
    execl("/bin/sh", "sh", "-c", script.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
}

ShellChild::~ShellChild() {
  if (poll() < 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

void ShellChild::signal(int sig) {
  if (poll() < 0) kill(pid_, sig);
}

int ShellChild::poll() {
  if (status_ >= 0) return status_;
  int st = 0;
  if (waitpid(pid_, &st, WNOHANG) != pid_) return -1;
  status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  return status_;
}

int ShellChild::wait(std::chrono::milliseconds timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (poll() < 0 && std::chrono::steady_clock::now() < end)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return poll();
}

NotifySocket::NotifySocket(const std::string& path) : path_(path), fd_(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (fd_.get() < 0 || path.size() >= sizeof(addr.sun_path)) throw std::runtime_error("cannot make socket " + path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (bind(fd_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0)
    throw std::runtime_error("cannot bind " + path + ": " + std::strerror(errno));
}

NotifySocket::~NotifySocket() { unlink(path_.c_str()); }

const std::vector<std::string>& NotifySocket::drain() {
  char buf[4096];
  while (true) {
    ssize_t n = recv(fd_.get(), buf, sizeof buf, MSG_DONTWAIT);
    if (n < 0) break;
    messages_.emplace_back(buf, static_cast<size_t>(n));
  }
  return messages_;
}

namespace {
bool has_line(const std::string& message, const std::string& line) {
  size_t at = 0;
  while (at <= message.size()) {
    size_t end = message.find('\n', at);
    if (end == std::string::npos) end = message.size();
    if (message.compare(at, end - at, line) == 0) return true;
    at = end + 1;
  }
  return false;
}
}  // namespace

int NotifySocket::find(const std::string& line) {
  drain();
  for (size_t i = 0; i < messages_.size(); ++i)
    if (has_line(messages_[i], line)) return static_cast<int>(i);
  return -1;
}

int NotifySocket::count(const std::string& line) {
  drain();
  int n = 0;
  for (auto& m : messages_) n += has_line(m, line) ? 1 : 0;
  return n;
}

Pty::Pty() {
  int m = -1, s = -1;
  winsize ws{};
  ws.ws_col = 200;
  ws.ws_row = 40;
  if (openpty(&m, &s, nullptr, nullptr, &ws) != 0) throw std::runtime_error("openpty failed");
  master_ = Fd(m);
  slave_ = Fd(s);
  fcntl(m, F_SETFL, fcntl(m, F_GETFL) | O_NONBLOCK);
  fcntl(m, F_SETFD, FD_CLOEXEC);
}

bool Pty::read_into(std::string& out) {
  char buf[4096];
  while (true) {
    ssize_t n = read(master_.get(), buf, sizeof buf);
    if (n > 0) {
      out.append(buf, static_cast<size_t>(n));
      continue;
    }
    if (n < 0 && errno == EAGAIN) return true;
    return false;  // EIO: every slave end closed
  }
}

std::string sh_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  return out + "'";
}

}  // namespace testsupport
