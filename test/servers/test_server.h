// TestServer: a real server (a database, a broker, object storage) for one
// test. It makes a temporary folder, picks a free 127.0.0.1 port, starts the
// command line in a process group of its own, and waits until the port
// accepts connections (or a readiness command succeeds). Construction throws,
// with the server's log in the message, when the server exits or is not ready
// in time. The destructor always stops it — SIGTERM to its process group,
// SIGKILL after the grace period — and removes the folder, also when the
// test failed.
//
//   TestServer pg({.name = "postgres",
//                  .command = {"postgres", "-D", "{dir}/data", "-p", "{port}", "-k", "{dir}"}});
//   connect_to("127.0.0.1", pg.port());
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace testsupport {

struct TestServerOptions {
  std::string name = "server";  // in messages
  // Run with execvp; "{port}" and "{dir}" in any word become the port and the folder.
  std::vector<std::string> command;
  // Optional: ready when this exits 0 (same placeholders); else when the port accepts a connection.
  std::vector<std::string> ready_command;
  std::vector<std::pair<std::string, std::string>> env;  // added to the server's environment
  std::chrono::milliseconds start_timeout{30000};
  std::chrono::milliseconds stop_grace{5000};  // between SIGTERM and SIGKILL
};

class TestServer {
 public:
  explicit TestServer(TestServerOptions options);
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  const char* host() const { return "127.0.0.1"; }
  int port() const { return port_; }
  const std::string& dir() const { return dir_.path; }
  pid_t pid() const { return child_.pid; }
  std::string log() const;  // the server's stdout and stderr so far
  // Stops the server now (the destructor's stop); idempotent.
  void stop();

 private:
  struct Folder {
    std::string path;
    Folder();
    ~Folder();
  };
  struct Child {
    pid_t pid = -1;
    std::chrono::milliseconds grace{0};
    ~Child() { stop(); }
    void stop();
  };
  TestServerOptions options_;
  Folder dir_;   // made first, removed last
  int port_ = 0;
  Child child_;  // stopped before the folder goes
};

// A port on 127.0.0.1 that was free a moment ago.
int free_local_port();
// True when a TCP connection to 127.0.0.1:`port` is accepted.
bool port_accepts(int port);

}  // namespace testsupport
