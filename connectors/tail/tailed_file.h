// One file FileTail follows: its identity (device + inode, checked against a
// fingerprint of its first bytes), its open descriptor, the lines read from it
// and the offset of the last line handed on.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plugin/connector.h"
#include "transforms/regex.h"

namespace connectrun::tail {

using Clock = std::chrono::steady_clock;

// A file is known by where it lives on disk, never by its name.
struct FileId {
  uint64_t dev = 0;
  uint64_t ino = 0;
  auto operator<=>(const FileId&) const = default;
};

// Closes its descriptor at scope exit.
class UniqueFd {
 public:
  explicit UniqueFd(int fd = -1) : fd_(fd) {}
  ~UniqueFd() {
    if (fd_ >= 0) ::close(fd_);
  }
  UniqueFd(UniqueFd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
  UniqueFd& operator=(UniqueFd&&) = delete;
  UniqueFd(const UniqueFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// The fingerprint covers the first kFingerprintBytes of a file (fewer while it
// is shorter): enough to tell a reused inode from the file read before.
constexpr size_t kFingerprintBytes = 1024;
std::string fingerprint(std::string_view first_bytes);  // FNV-1a 64, as 16 hex digits

// The source partition of a file identity, and where a stored offset resumes:
// its position when the file still starts with the fingerprinted bytes and is
// at least that long, nullopt otherwise (a reused inode, or a file truncated
// while connectrun was stopped: read from the start).
Value partition_of(const FileId& id);
std::optional<int64_t> resume_position(int fd, const Value& stored, int64_t size);
// What is wrong with an offset's shape ({"device","inode"} →
// {"position","fingerprint","fingerprint.bytes"}), nullopt when it has FileTail's shape.
std::optional<std::string> offset_shape_problem(const Value& partition, const Value& offset);

struct TailSettings {
  std::string topic;
  size_t max_line_bytes = 1u << 20;
  std::optional<transforms::JavaRegex> multiline_start;  // wrapped to behave as Matcher.find()
  std::chrono::milliseconds multiline_timeout{1000};
  bool headers = true;  // file.path, file.name, file.offset on every record
  size_t batch_size = 2000;
  size_t batch_max_bytes = 1u << 20;
  SchemaPtr string_schema = schemas::string();
  SchemaPtr int64_schema = schemas::int64();
};

// What one poll has taken so far, over all files.
struct Budget {
  size_t records = 0;
  size_t bytes = 0;
  bool full(const TailSettings& s) const { return records >= s.batch_size || bytes >= s.batch_max_bytes; }
};

class TailedFile {
 public:
  // `start`: the byte to read from; `fd` is positioned at 0.
  TailedFile(FileId id, std::string path, UniqueFd fd, int64_t start);

  const FileId& id() const { return id_; }
  const std::string& path() const { return path_; }
  void renamed(std::string path);
  int64_t position() const { return position_; }

  // Reads and turns complete lines into records until end of file (returns
  // true), the poll's budget is full or `deadline` passes (false).
  bool read(std::vector<Record>& out, Budget& budget, const TailSettings& s, const SourceTaskContext& ctx,
            Clock::time_point deadline);
  // At end of file: a file now shorter than what was read, or whose first
  // bytes changed, was truncated in place (copytruncate): read it again from 0.
  void check_truncated(std::vector<Record>& out, const TailSettings& s, const SourceTaskContext& ctx);
  // Multiline: hands on the event being gathered when no line was added to it
  // for multiline.timeout.ms (or at once with `force`).
  void flush_event(std::vector<Record>& out, const TailSettings& s, bool force);
  bool has_event() const { return !event_.empty() || event_lines_ > 0; }
  // Before the file is let go: its last line even without a terminator (no
  // more will come), then the event being gathered.
  void finish(std::vector<Record>& out, const TailSettings& s);
  // The record that forgets this identity's stored offset (a tombstone).
  Record forget(const TailSettings& s) const;
  // Frees the read buffer of an idle file (many files by one glob).
  void release_buffer();

  // Rotation: the file is no longer under a matched name (renamed away or
  // deleted) since `unnamed_since`; it is read to its end before it goes.
  bool named = true;
  Clock::time_point unnamed_since;
  bool at_eof = false;

 private:
  bool take_lines(std::vector<Record>& out, Budget& budget, const TailSettings& s, const SourceTaskContext& ctx);
  void line(std::vector<Record>& out, Budget& budget, const TailSettings& s, std::string_view text, int64_t begin,
            int64_t end);
  Record& emit(std::vector<Record>& out, const TailSettings& s, std::string value, int64_t begin, int64_t end);
  Value offset_value(int64_t end);
  void make_room(const TailSettings& s);
  void restart();

  FileId id_;
  std::string path_, name_;
  UniqueFd fd_;
  std::shared_ptr<const Value> partition_;
  int64_t position_;  // after the last line handed on (or skipped): the stored offset
  int64_t read_pos_;  // bytes read so far
  std::string first_;  // the file's first bytes (up to kFingerprintBytes), for the fingerprint
  std::string fp_;     // fingerprint of first_[0, fp_bytes_)
  size_t fp_bytes_ = SIZE_MAX;
  std::vector<char> buf_;
  size_t start_ = 0, end_ = 0;  // unconsumed bytes in buf_
  bool skipping_ = false;       // dropping a line longer than max.line.bytes
  // Multiline: the event being gathered, where it begins and ends in the file.
  std::string event_;
  size_t event_lines_ = 0;
  int64_t event_begin_ = 0, event_end_ = 0;
  Clock::time_point event_touched_;
};

}  // namespace connectrun::tail
