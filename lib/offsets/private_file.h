// Files connectrun keeps for itself (the offsets file and its lock), made safe
// for a folder that someone else can write to: every file is opened relative
// to its folder (opened once), never through a symbolic link, and created with
// mode 0600. A link or a stray file planted beside the offsets file can
// neither redirect a write (a root cron job overwriting /etc/passwd) nor
// receive one.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace connectrun {

// Owns a file descriptor; closes it when destroyed.
class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.release()) {}
  UniqueFd& operator=(UniqueFd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = o.release();
    }
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;
  int get() const { return fd_; }
  explicit operator bool() const { return fd_ >= 0; }
  int release() {
    int f = fd_;
    fd_ = -1;
    return f;
  }
  void reset();

 private:
  int fd_ = -1;
};

// The mode of every file connectrun creates for itself: its owner only.
inline constexpr unsigned kPrivateFileMode = 0600;

// The folder of `file` (its parent, or "."), opened once. Throws
// std::runtime_error naming the folder when it cannot be opened.
class Folder {
 public:
  explicit Folder(const std::string& file);
  int fd() const { return fd_.get(); }
  // The path of `name` inside this folder, for messages.
  std::string path_of(const std::string& name) const;

 private:
  std::string path_;  // as given ("" for the current folder)
  UniqueFd fd_;
};

// The last component of `file`'s path.
std::string file_name_of(const std::string& file);

// Opens (creating it, mode 0600) the regular file `name` in `folder` for
// reading and writing. Refuses, with a message saying what to remove, a
// symbolic link, a file with other hard links, or anything but a regular file
// (`role` names it in messages: "lock file").
UniqueFd open_private_file(const Folder& folder, const std::string& name, std::string_view role);

// Writes `content` to `name` in `folder` atomically: a temporary file (an
// unnamed O_TMPFILE linked in under a fresh random name where the file system
// supports it, else a new file with a fresh random name, O_EXCL|O_NOFOLLOW),
// mode 0600, fsync, renameat over `name`, fsync of the folder. Returns an
// error text on failure; `name` is then as it was and no temporary file is left.
std::optional<std::string> write_file_atomically(const Folder& folder, const std::string& name, std::string_view content);

}  // namespace connectrun
