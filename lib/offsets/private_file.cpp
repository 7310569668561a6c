#include "offsets/private_file.h"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <ctime>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

namespace connectrun {

namespace {

// ".tmp-<pid>-<16 random hex digits>": a name nobody can plant a link at in advance.
std::string temporary_name(const std::string& name) {
  uint64_t r = 0;
  if (::getrandom(&r, sizeof r, GRND_NONBLOCK) != static_cast<ssize_t>(sizeof r)) {
    // No entropy yet (early boot): still unique per attempt; O_EXCL keeps it safe.
    static std::atomic<uint64_t> counter{0};
    r = (static_cast<uint64_t>(::time(nullptr)) << 20) ^ reinterpret_cast<uintptr_t>(&r) ^ counter.fetch_add(1);
  }
  return fmt::format("{}.tmp-{}-{:016x}", name, ::getpid(), r);
}

// Writes everything, then sets the mode (O_TMPFILE and open() apply the umask)
// and syncs. Returns errno on failure, 0 on success.
int fill(int fd, std::string_view content) {
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = ::write(fd, content.data() + done, content.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    done += static_cast<size_t>(n);
  }
  if (::fchmod(fd, kPrivateFileMode) != 0) return errno;
  if (::fsync(fd) != 0) return errno;
  return 0;
}

constexpr int kNameAttempts = 16;  // EEXIST on a fresh random name is already unlikely once

// Gives the unnamed O_TMPFILE `fd` a fresh temporary name in the folder;
// "" when the system cannot (no /proc, say).
std::string link_unnamed(const Folder& folder, int fd, const std::string& name) {
  const std::string proc = fmt::format("/proc/self/fd/{}", fd);
  for (int i = 0; i < kNameAttempts; ++i) {
    std::string tmp = temporary_name(name);
    // linkat never follows or replaces what is at the new name.
    if (::linkat(AT_FDCWD, proc.c_str(), folder.fd(), tmp.c_str(), AT_SYMLINK_FOLLOW) == 0) return tmp;
    if (errno != EEXIST) return "";
  }
  return "";
}

}  // namespace

void UniqueFd::reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

std::string file_name_of(const std::string& file) {
  auto slash = file.find_last_of('/');
  return slash == std::string::npos ? file : file.substr(slash + 1);
}

Folder::Folder(const std::string& file) {
  auto slash = file.find_last_of('/');
  path_ = slash == std::string::npos ? "" : slash == 0 ? "/" : file.substr(0, slash);
  fd_ = UniqueFd(::open(path_.empty() ? "." : path_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd_)
    throw std::runtime_error(
        fmt::format("cannot open the folder {} of {}: {}", path_.empty() ? "." : path_, file, std::strerror(errno)));
}

std::string Folder::path_of(const std::string& name) const {
  if (path_.empty()) return name;
  return path_ == "/" ? "/" + name : path_ + "/" + name;
}

UniqueFd open_private_file(const Folder& folder, const std::string& name, std::string_view role) {
  const std::string path = folder.path_of(name);
  // O_NONBLOCK: a FIFO planted there must not hang the open (refused below).
  UniqueFd fd(::openat(folder.fd(), name.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, kPrivateFileMode));
  if (!fd) {
    if (errno == ELOOP)
      throw std::runtime_error(fmt::format(
          "{} {} is a symbolic link; connectrun never writes through a link there (it could overwrite another "
          "file): remove {}",
          role, path, path));
    throw std::runtime_error(fmt::format("cannot open {} {}: {}", role, path, std::strerror(errno)));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0)
    throw std::runtime_error(fmt::format("cannot inspect {} {}: {}", role, path, std::strerror(errno)));
  if (!S_ISREG(st.st_mode))
    throw std::runtime_error(fmt::format("{} {} is not a regular file: remove it", role, path));
  // A hard link to another file would let a write reach that file.
  if (st.st_nlink > 1)
    throw std::runtime_error(
        fmt::format("{} {} has {} hard links; connectrun writes only to a file of its own: remove {}", role, path,
                    st.st_nlink, path));
  // A file left by an older version (0644): private from now on. Not ours (another user's): left as it is.
  if ((st.st_mode & 07777) != kPrivateFileMode && st.st_uid == ::geteuid()) (void)::fchmod(fd.get(), kPrivateFileMode);
  ::fcntl(fd.get(), F_SETFL, ::fcntl(fd.get(), F_GETFL) & ~O_NONBLOCK);
  return fd;
}

std::optional<std::string> write_file_atomically(const Folder& folder, const std::string& name, std::string_view content) {
  const std::string path = folder.path_of(name);
  std::string tmp;  // the temporary file's name once it has one in the folder
  auto fail = [&](std::string_view what, int err) {
    if (!tmp.empty()) ::unlinkat(folder.fd(), tmp.c_str(), 0);
    return fmt::format("{} for {}: {}", what, path, std::strerror(err));
  };
  // An unnamed file first: it has no name to plant a link at while it is written.
  UniqueFd f(::openat(folder.fd(), ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, kPrivateFileMode));
  if (f) {
    if (int err = fill(f.get(), content)) return fail("cannot write the temporary file", err);
    tmp = link_unnamed(folder, f.get(), name);
  }
  if (tmp.empty()) {
    // No O_TMPFILE here (an older file system): a new file under a fresh name, never through a link.
    f.reset();
    int err = EEXIST;
    for (int i = 0; i < kNameAttempts && !f && err == EEXIST; ++i) {
      std::string candidate = temporary_name(name);
      f = UniqueFd(::openat(folder.fd(), candidate.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
                            kPrivateFileMode));
      if (f) tmp = candidate;
      else err = errno;
    }
    if (!f) return fail("cannot create a temporary file", err);
    if (int e = fill(f.get(), content)) return fail("cannot write the temporary file", e);
  }
  f.reset();
  // renameat replaces whatever is at `name` (a link included) instead of following it.
  if (::renameat(folder.fd(), tmp.c_str(), folder.fd(), name.c_str()) != 0) return fail("cannot rename into place", errno);
  ::fsync(folder.fd());  // makes the rename durable; a failure here cannot tear the file
  return std::nullopt;
}

}  // namespace connectrun
