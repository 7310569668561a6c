// Helpers for tests that use real files and run the real binary.
#pragma once

#include <signal.h>
#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace testsupport {

// A fresh directory under /tmp, removed with its contents at scope exit.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

void write_file(const std::string& path, const std::string& content);
void append_file(const std::string& path, const std::string& content);
std::string read_file(const std::string& path);  // "" when missing
std::vector<std::string> read_lines(const std::string& path);

struct RunResult {
  int exit_code = -1;  // 128+signal when killed
  std::string out;
  std::string err;
  long max_rss_kb = -1;  // the child's peak resident set (wait4's rusage)
};

// Limits set in the child (setrlimit) before it execs connectrun; -1 leaves a limit as it is.
struct RunLimits {
  long max_open_files = -1;  // RLIMIT_NOFILE
};

// Runs the connectrun binary with `args`, waiting up to `timeout`.
RunResult run_connectrun(const std::vector<std::string>& args, std::chrono::milliseconds timeout = std::chrono::seconds(60),
                         const std::string& cwd = "", const RunLimits& limits = {});

// A small tmpfs mounted at `path` for a test (unmounted at scope exit), or
// nothing when mounting is not allowed (not root): check `mounted`.
struct SmallTmpfs {
  std::string path;
  bool mounted = false;
  SmallTmpfs(const std::string& p, const std::string& size);
  ~SmallTmpfs();
  SmallTmpfs(const SmallTmpfs&) = delete;
  SmallTmpfs& operator=(const SmallTmpfs&) = delete;
  void remount_read_only();
  bool resize(const std::string& size);  // remounts with a new size, keeping the files
  void fill();        // writes filler files until the disk is full
  void remove_fill();  // removes them again
};

// A connectrun process in the background; stderr goes to `log_path`.
class Process {
 public:
  Process(const std::vector<std::string>& args, const std::string& log_path, const std::string& stdout_path = "");
  ~Process();
  void signal(int sig);
  // Waits for exit; returns the exit code (128+signal when killed) or -1 on timeout.
  int wait(std::chrono::milliseconds timeout);
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
};

// Runs a shell command; returns its stdout (exit status in *status when given).
std::string shell(const std::string& command, int* status = nullptr);

// The lines of `s` (no trailing empty line).
std::vector<std::string> split_lines(const std::string& s);

// Writes the lines of `file` to `topic` with kcat -P (key:value lines when
// `keyed`; into `partition` when not -1); fails the test when kcat does.
void kcat_write(const std::string& bootstrap, const std::string& topic, const std::string& file, bool keyed,
                int partition = -1);

// The job most end-to-end tests run: `src` (FileStreamSource, `in` → topic
// `lines`) and `snk` (topic `lines` → FileStreamSink `out`), StringConverter
// for keys and values unless changed, offsets in `offsets`. Empty paths mean
// in.txt, out.txt and offsets.json in `dir`. The *_extra strings are YAML
// lines appended to the worker section, the source and the sink.
struct LinesJob {
  std::string in, out, offsets;
  std::string value_converter = "StringConverter";
  std::string worker_extra, source_extra, sink_extra;
};
std::string lines_job(const std::string& dir, const LinesJob& job = {});

// "line 000042 xx…\n" for every i in [from, to): numbered lines of varying length.
std::string numbered_lines(int from, int to);

// Catch2 checks that `output` is `input` with, at most, replays: every line is
// either the next new line or repeats an earlier one, a replay continues in
// order, and every input line is there.
void check_no_loss_in_order(const std::vector<std::string>& input, const std::vector<std::string>& output);

// The "position" a FileStreamSource stored in an offsets file, or -1.
long stored_position(const std::string& offsets_path);

// Polls `pred` until it holds or `timeout` passes.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
  auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    struct timespec ts{0, 20 * 1000 * 1000};
    nanosleep(&ts, nullptr);
  }
  return pred();
}

}  // namespace testsupport
