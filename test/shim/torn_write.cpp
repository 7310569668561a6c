// A fault-injection shim for scripts/crash-loop (LD_PRELOAD): the write that
// takes what this process wrote to the file named by CONNECTRUN_TORN_WRITE_PATH
// past CONNECTRUN_TORN_WRITE_AFTER bytes writes only part of its buffer, ending
// inside a line, and then the process kills itself with SIGKILL: a crash in the
// middle of a sink write, as the OOM killer or a power cut leaves it. Nothing
// else is changed.
#include <dlfcn.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

namespace {

using WriteFn = ssize_t (*)(int, const void*, size_t);

WriteFn real_write() {
  static WriteFn fn = reinterpret_cast<WriteFn>(dlsym(RTLD_NEXT, "write"));
  return fn;
}

// Whether fd is the file under test (same device and inode as the named path).
bool is_target(int fd) {
  static const char* path = std::getenv("CONNECTRUN_TORN_WRITE_PATH");
  if (path == nullptr) return false;
  struct stat named{}, open{};
  return ::stat(path, &named) == 0 && ::fstat(fd, &open) == 0 && named.st_dev == open.st_dev &&
         named.st_ino == open.st_ino;
}

}  // namespace

extern "C" ssize_t write(int fd, const void* buf, size_t count) {
  static long long budget = [] {
    const char* after = std::getenv("CONNECTRUN_TORN_WRITE_AFTER");
    return after ? std::atoll(after) : -1LL;
  }();
  if (budget < 0 || count < 2 || !is_target(fd)) return real_write()(fd, buf, count);
  if (static_cast<long long>(count) <= budget) {
    budget -= static_cast<long long>(count);
    return real_write()(fd, buf, count);
  }
  // Cut this write short inside a line: at the budget, moved back off a newline.
  const char* bytes = static_cast<const char*>(buf);
  size_t keep = static_cast<size_t>(budget);
  if (keep == 0) keep = 1;
  while (keep > 1 && bytes[keep - 1] == '\n') --keep;
  if (bytes[keep - 1] == '\n') return real_write()(fd, buf, count);  // only newlines: nothing to tear
  (void)real_write()(fd, buf, keep);
  ::kill(::getpid(), SIGKILL);
  ::pause();
  return -1;
}
