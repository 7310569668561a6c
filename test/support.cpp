#include "support.h"

#include <catch2/catch.hpp>

#include <fcntl.h>
#include <poll.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <stdexcept>

#include <fmt/format.h>

namespace testsupport {

TempDir::TempDir() {
  char tmpl[] = "/tmp/connectrun-test-XXXXXX";
  if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void write_file(const std::string& path, const std::string& content) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << content;
}

void append_file(const std::string& path, const std::string& content) {
  std::ofstream f(path, std::ios::binary | std::ios::app);
  f << content;
}

std::string read_file(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::vector<std::string> read_lines(const std::string& path) {
  std::vector<std::string> out;
  std::ifstream f(path, std::ios::binary);
  std::string line;
  while (std::getline(f, line)) out.push_back(line);
  return out;
}

std::string lines_job(const std::string& dir, const LinesJob& job) {
  auto or_default = [&](const std::string& path, const char* name) { return path.empty() ? dir + "/" + name : path; };
  return fmt::format(R"(worker:
  offset.storage.file.filename: {0}
  key.converter: StringConverter
  value.converter: {1}
{2}connectors:
  - name: src
    connector.class: FileStreamSource
    file: {3}
    topic: lines
{4}  - name: snk
    connector.class: FileStreamSink
    file: {5}
    topics: lines
{6})",
                     or_default(job.offsets, "offsets.json"), job.value_converter, job.worker_extra,
                     or_default(job.in, "in.txt"), job.source_extra, or_default(job.out, "out.txt"), job.sink_extra);
}

std::string numbered_lines(int from, int to) {
  std::string s;
  for (int i = from; i < to; ++i) s += fmt::format("line {:06d} {}\n", i, std::string(static_cast<size_t>(i % 40), 'x'));
  return s;
}

void check_no_loss_in_order(const std::vector<std::string>& input, const std::vector<std::string>& output) {
  std::map<std::string, size_t> index;
  for (size_t i = 0; i < input.size(); ++i) index[input[i]] = i;
  size_t next_new = 0;
  size_t expect = 0;  // the index the next output line should have
  for (size_t o = 0; o < output.size(); ++o) {
    auto it = index.find(output[o]);
    INFO("output line " << o << ": " << output[o]);
    REQUIRE(it != index.end());
    size_t i = it->second;
    if (i != expect) REQUIRE(i < expect);  // a jump back is a replay; a jump forward would be a loss
    expect = i + 1;
    next_new = std::max(next_new, expect);
  }
  REQUIRE(next_new == input.size());
}

long stored_position(const std::string& offsets_path) {
  std::smatch m;
  std::string text = read_file(offsets_path);
  static const std::regex position("\"position\":([0-9]+)");
  if (!std::regex_search(text, m, position)) return -1;
  return std::stol(m[1].str());
}

namespace {
std::vector<char*> argv_of(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(CONNECTRUN_BINARY));
  for (auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  return argv;
}

int decode_status(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}
}  // namespace

RunResult run_connectrun(const std::vector<std::string>& args, std::chrono::milliseconds timeout, const std::string& cwd,
                         const RunLimits& limits) {
  int out_pipe[2], err_pipe[2];
  if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
  auto argv = argv_of(args);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(out_pipe[1], 1);
    dup2(err_pipe[1], 2);
    int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) _exit(127);
    if (limits.max_open_files >= 0) {
      rlimit rl{static_cast<rlim_t>(limits.max_open_files), static_cast<rlim_t>(limits.max_open_files)};
      if (setrlimit(RLIMIT_NOFILE, &rl) != 0) _exit(126);
    }
    execv(CONNECTRUN_BINARY, argv.data());
    _exit(127);
  }
  close(out_pipe[1]);
  close(err_pipe[1]);
  RunResult r;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
  int open_fds = 2;
  char buf[65536];
  while (open_fds > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) {
      kill(pid, SIGKILL);
      break;
    }
    if (poll(fds, 2, static_cast<int>(left)) <= 0) continue;
    for (auto& p : fds) {
      if (p.fd < 0 || !(p.revents & (POLLIN | POLLHUP))) continue;
      ssize_t n = read(p.fd, buf, sizeof buf);
      if (n <= 0) {
        close(p.fd);
        p.fd = -1;
        --open_fds;
      } else {
        (p.fd == out_pipe[0] ? r.out : r.err).append(buf, static_cast<size_t>(n));
      }
    }
  }
  for (auto& p : fds)
    if (p.fd >= 0) close(p.fd);
  int status = 0;
  struct rusage usage{};
  wait4(pid, &status, 0, &usage);
  r.exit_code = decode_status(status);
  r.max_rss_kb = usage.ru_maxrss;
  return r;
}

Process::Process(const std::vector<std::string>& args, const std::string& log_path, const std::string& stdout_path) {
  auto argv = argv_of(args);
  pid_ = fork();
  if (pid_ == 0) {
    int fd = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, 2);
    int devnull = open("/dev/null", O_RDWR);
    dup2(devnull, 0);
    dup2(devnull, 1);
    if (!stdout_path.empty()) dup2(open(stdout_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644), 1);
    execv(CONNECTRUN_BINARY, argv.data());
    _exit(127);
  }
}

Process::~Process() {
  if (!reaped_ && pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

void Process::signal(int sig) { kill(pid_, sig); }

int Process::wait(std::chrono::milliseconds timeout) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      reaped_ = true;
      return decode_status(status);
    }
    usleep(10000);
  }
  return -1;
}

std::string shell(const std::string& command, int* status) {
  std::string out;
  FILE* f = popen(command.c_str(), "r");
  if (!f) return out;
  char buf[65536];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
  int rc = pclose(f);
  if (status) *status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  return out;
}

SmallTmpfs::SmallTmpfs(const std::string& p, const std::string& size) : path(p) {
  std::filesystem::create_directories(p);
  mounted = ::mount("tmpfs", p.c_str(), "tmpfs", 0, ("size=" + size).c_str()) == 0;
}

SmallTmpfs::~SmallTmpfs() {
  if (mounted) ::umount2(path.c_str(), MNT_DETACH);
}

void SmallTmpfs::remount_read_only() { ::mount("tmpfs", path.c_str(), "tmpfs", MS_REMOUNT | MS_RDONLY, nullptr); }

bool SmallTmpfs::resize(const std::string& size) {
  return ::mount("tmpfs", path.c_str(), "tmpfs", MS_REMOUNT, ("size=" + size).c_str()) == 0;
}

void SmallTmpfs::fill() {
  std::string chunk(4096, 'f');
  for (int i = 0;; ++i) {
    FILE* f = std::fopen((path + "/filler" + std::to_string(i)).c_str(), "w");
    if (!f) return;
    size_t n = std::fwrite(chunk.data(), 1, chunk.size(), f);
    bool ok = std::fclose(f) == 0 && n == chunk.size();
    if (!ok) return;
  }
}

void SmallTmpfs::remove_fill() {
  for (auto& e : std::filesystem::directory_iterator(path))
    if (e.path().filename().string().rfind("filler", 0) == 0) std::filesystem::remove(e.path());
}

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start < s.size()) {
    size_t nl = s.find('\n', start);
    if (nl == std::string::npos) nl = s.size();
    out.push_back(s.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

void kcat_write(const std::string& bootstrap, const std::string& topic, const std::string& file, bool keyed,
                int partition) {
  int status = -1;
  std::string out = shell("kcat -b " + bootstrap + " -P -l -t " + topic + (keyed ? " -K:" : "") +
                              (partition >= 0 ? " -p " + std::to_string(partition) : std::string()) + " " + file + " 2>&1",
                          &status);
  INFO(out);
  REQUIRE(status == 0);
}

}  // namespace testsupport
