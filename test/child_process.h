// Test helpers for what the service manager and terminals see: a connectrun
// started through /bin/sh (so a script can set its environment and stderr,
// and `$$` is connectrun's own pid once sh execs it), a unix datagram socket
// standing in for systemd's NOTIFY_SOCKET, and a pseudo-terminal.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace testsupport {

// Owns a file descriptor.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd();
  Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = o.fd_;
      o.fd_ = -1;
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  int get() const { return fd_; }
  void reset();

 private:
  int fd_;
};

// `/bin/sh -c script` in the background, stdin and stdout on /dev/null,
// stderr on `stderr_fd` (inherited when -1). Killed and reaped at scope exit.
class ShellChild {
 public:
  explicit ShellChild(const std::string& script, int stderr_fd = -1);
  ~ShellChild();
  ShellChild(const ShellChild&) = delete;
  ShellChild& operator=(const ShellChild&) = delete;
  pid_t pid() const { return pid_; }
  void signal(int sig);
  // Returns the exit code (128+signal when killed) once exited, else -1.
  int poll();
  int wait(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  int status_ = -1;
};

// A bound AF_UNIX datagram socket at `path`; collects every message sent to it.
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& path);
  ~NotifySocket();
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;
  // Reads whatever arrived; returns every message so far, in order.
  const std::vector<std::string>& drain();
  // Index of the first message containing the line `line` (as in "READY=1"), or -1.
  int find(const std::string& line);
  int count(const std::string& line);

 private:
  std::string path_;
  Fd fd_;
  std::vector<std::string> messages_;
};

// A pseudo-terminal: `slave()` for the child's stderr, output read from the master.
class Pty {
 public:
  Pty();
  int slave() const { return slave_.get(); }
  void close_slave() { slave_.reset(); }
  // Appends whatever the master has to `out` (non-blocking); false at EOF/EIO.
  bool read_into(std::string& out);

 private:
  Fd master_, slave_;
};

// A single-quoted shell word.
std::string sh_quote(const std::string& s);

}  // namespace testsupport
