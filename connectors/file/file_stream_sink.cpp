#include "connectors/file/file_stream_sink.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "json/json_writer.h"

namespace connectrun::file {

namespace {

using config::KeyType;

// A file the sink creates: rw-r--r-- (less the umask), as a log file.
constexpr mode_t kFileMode = 0644;

// The text of one record value, and its line's end, written at out[used] (the bytes of `out` from
// `used` on are room). Strings as they are, null as "null", numbers and booleans as Java prints
// them; structs, maps and arrays as compact JSON where Kafka would print Java's toString() (see
// docs/connectors/file.md).
void append_value_line(std::string& out, size_t& used, const Value& v) {
  auto room = [&](size_t n) {
    if (out.size() - used < n) out.resize(std::max(used + n, 2 * out.size()));
    return out.data() + used;
  };
  auto put = [&](std::string_view text) {
    char* w = room(text.size() + 1);
    std::memcpy(w, text.data(), text.size());
    w[text.size()] = '\n';
    used += text.size() + 1;
  };
  if (auto* s = v.get_if<std::string>()) return put(*s);
  if (v.is_null()) return put("null");
  append_schemaless_json(out, used, v);
  *room(1) = '\n';
  ++used;
}

class FileStreamSinkTask : public SinkTask {
 public:
  void configure(const config::ConfigValues& cfg) override { file_ = cfg.get_string("file"); }

  void start(SinkTaskContext& ctx) override {
    ctx_ = &ctx;
    reopen_seen_ = ctx.reopen_generation();
    if (file_.empty()) {
      fd_ = 1;
      return;
    }
    open_file();
    repair_torn_tail();
  }

  void put(std::vector<Record>& batch) override {
    for (auto& r : batch) {
      append_value_line(buf_, used_, r.value);
      // Whole lines go out every 64 KiB (as `cat` writes 128 KiB blocks): with many sinks in one job
      // a buffer of a whole batch each would add up. They count as written only at flush().
      if (used_ >= kWriteAt) {
        reopen_if_rotated();
        write_out();
      }
    }
  }

  void flush() override {
    reopen_if_rotated();
    write_out();
  }

  void stop() override {
    if (fd_ > 1) ::close(fd_);
    fd_ = -1;
  }
  ~FileStreamSinkTask() override { stop(); }

 private:
  void open_file() {
    // A regular file (or a new one) is opened for reading too: the repair of
    // a torn last line reads its end. Anything else (a FIFO, a terminal,
    // /dev/stdout) is only written, as before. The path is followed through
    // symbolic links on purpose: users point it at /dev/stdout or at a link;
    // fs.protected_symlinks guards links planted in sticky folders like /tmp.
    struct stat st{};
    const bool plain = ::stat(file_.c_str(), &st) != 0 || S_ISREG(st.st_mode);
    fd_ = ::open(file_.c_str(), (plain ? O_RDWR : O_WRONLY) | O_CREAT | O_APPEND | O_CLOEXEC, kFileMode);
    if (fd_ < 0)
      throw ConnectError(fmt::format("cannot open {} for {}: {}", file_, plain ? "reading and writing" : "writing",
                                     std::strerror(errno)));
    repair_torn_tail();
  }

  // logrotate's create mode renames the file (and may create a new one), a
  // cleaner may delete it: when the path no longer names the open file, the
  // rest goes to a file under that path again, as daemons do on rotation.
  // Checked once per flush (one stat), so no SIGHUP is needed; a SIGHUP (a
  // logrotate postrotate script's `kill -HUP`) reopens it all the same, at the
  // next write, as daemons do.
  void reopen_if_rotated() {
    if (file_.empty() || good_size_ < 0 || used_ == 0) return;
    const std::uint64_t generation = ctx_->reopen_generation();
    const bool hup = generation != reopen_seen_;
    reopen_seen_ = generation;
    struct stat named{};
    struct stat open_now{};
    if (::fstat(fd_, &open_now) != 0) return;
    const bool gone = ::stat(file_.c_str(), &named) != 0;
    if (!hup && !gone && named.st_ino == open_now.st_ino && named.st_dev == open_now.st_dev) return;
    if (hup) ctx_->log->info("SIGHUP: reopening {}", file_);
    else ctx_->log->info("{} was {} under the sink (rotation): reopening it", file_, gone ? "deleted or renamed" : "replaced");
    ::close(fd_);
    fd_ = -1;
    open_file();
  }

  std::string display_name() const { return file_.empty() ? std::string("stdout") : file_; }

  // A crash in the middle of a write can leave part of a line at the end of
  // the file. Its record was never acknowledged and will be written again, so
  // the fragment is cut off rather than left as half a line. Any I/O error
  // here fails the connector: writing on after an unrepaired fragment would
  // glue the next line to it.
  void repair_torn_tail() {
    struct stat st{};
    if (::fstat(fd_, &st) != 0) throw io_error("cannot check the last line of", errno);
    if (!S_ISREG(st.st_mode)) return;
    const off_t size = st.st_size;
    good_size_ = size;
    if (size == 0) return;
    // Scan back from the end for the last newline, a block at a time.
    std::vector<char> block(64 * 1024);
    off_t end = size;
    while (end > 0) {
      const off_t begin = std::max<off_t>(0, end - static_cast<off_t>(block.size()));
      const auto want = static_cast<size_t>(end - begin);
      ssize_t n = ::pread(fd_, block.data(), want, begin);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw io_error("cannot read the last line of", errno);
      if (static_cast<size_t>(n) != want)
        throw ConnectError(fmt::format("cannot read the last line of {}: it shrank while being read", file_));
      for (size_t i = want; i-- > 0;)
        if (block[i] == '\n') {
          const off_t keep = begin + static_cast<off_t>(i) + 1;
          if (keep < size) truncate_to(keep, size);
          return;
        }
      end = begin;
    }
    truncate_to(0, size);
  }

  void truncate_to(off_t keep, off_t size) {
    if (::ftruncate(fd_, keep) != 0)
      throw ConnectError(fmt::format("cannot remove the incomplete last line ({} bytes) of {}: {}; remove it by hand "
                                     "(its record is written again)", size - keep, file_, std::strerror(errno)));
    ctx_->log->warn("{} ended with an incomplete line ({} bytes) left by an interrupted write; removed it (its record "
                    "is written again)", file_, size - keep);
    good_size_ = keep;
  }

  ConnectError io_error(const char* what, int err) const {
    return ConnectError(fmt::format("{} {}: {}", what, file_, std::strerror(err)));
  }

  void write_out() {
    size_t done = 0;
    while (done < used_) {
      ssize_t n = ::write(fd_, buf_.data() + done, used_ - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        int err = errno;
        // Take back a partial write so the file never ends in half a line.
        if (good_size_ >= 0 && done > 0) (void)!::ftruncate(fd_, good_size_);
        throw ConnectError(fmt::format("cannot write to {}: {}", display_name(), std::strerror(err)));
      }
      done += static_cast<size_t>(n);
    }
    if (good_size_ >= 0) good_size_ += static_cast<off_t>(used_);
    used_ = 0;
  }

  std::string file_;
  SinkTaskContext* ctx_ = nullptr;
  int fd_ = -1;
  off_t good_size_ = -1;  // file size after the last complete write (-1: not a regular file)
  std::uint64_t reopen_seen_ = 0;  // TaskContext::reopen_generation at the last open
  static constexpr size_t kWriteAt = 64 * 1024;
  // buf_[0, used_) is the text to write; the bytes after it are room, so records are written in
  // place without resizing (and zeroing) the string for each.
  std::string buf_;
  size_t used_ = 0;
};

}  // namespace

PluginInfo file_stream_sink_plugin() {
  PluginInfo p;
  p.name = "FileStreamSink";
  p.aliases = {"org.apache.kafka.connect.file.FileStreamSinkConnector", "FileStreamSinkConnector"};
  p.kind = PluginKind::Sink;
  p.summary = "Appends each record's value as one line to a file (or stdout).";
  p.description =
      "Strings are written as they are, null as \"null\", numbers and booleans as Java prints them, structs, maps "
      "and arrays as compact JSON (Kafka prints Java's toString() there); bytes as a base64 string, Decimal as its "
      "plain number, Date, Time and Timestamp as epoch milliseconds. The file is opened with create+append, "
      "following symbolic links (so /dev/stdout or a link works); a new file gets mode 0644 less the umask. A line "
      "cut short by a crash is removed on the next start, before its record is written again; an I/O error while "
      "doing so fails the connector.";
  p.spec.define({.name = "file", .type = KeyType::String, .default_value = config::ConfigValue{std::string()},
                 .doc = "Destination file. Empty: write to stdout.", .file_use = config::FileUse::Writes});
  p.make_sink = [] { return std::make_unique<FileStreamSinkTask>(); };
  p.reads_headers = false;  // values only, as Kafka's FileStreamSinkTask
  // One task, whatever tasks.max says (Kafka's FileStreamSinkConnector runs
  // tasks.max copies appending to one file). Appends of whole lines would be
  // safe, but a task cuts a failed write, and a torn last line at open, back
  // to the last complete line, and with several writers that line may be
  // another task's.
  p.task_configs = [](const config::ConfigValues& cfg, int) { return std::vector<config::ConfigValues>{cfg}; };
  return p;
}

}  // namespace connectrun::file
