#include "connectors/file/file_stream_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "connectors/file/line_scan.h"
#include "connectors/file/utf8_text.h"
#include "json/json_writer.h"
#include "plugin/topic_name.h"

namespace connectrun::file {

namespace {

using config::KeyType;

struct SourceConfig {
  std::string file;  // empty = stdin
  std::string topic;
  size_t batch_size = 2000;
  size_t batch_max_bytes = 1u << 20;
  size_t max_line_bytes = 1u << 20;
};

// A poll reads at most this much (and for at most kPollTime) before it
// returns to the worker, even when no line is complete, so a stop is seen
// promptly while a too-long line is being skipped.
constexpr size_t kMaxReadPerPoll = 4u << 20;
constexpr auto kPollTime = std::chrono::milliseconds(100);
// 128 KiB reads cost no more per byte than larger ones (as cat's), and a job
// with many sources keeps less memory (the buffer grows for longer lines).
constexpr size_t kReadSize = 128u << 10;

class LineTooLong : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class FileStreamSourceTask : public SourceTask {
 public:
  void configure(const config::ConfigValues& cfg) override {
    cfg_.file = cfg.get_string("file");
    cfg_.topic = cfg.get_string("topic");
    cfg_.batch_size = static_cast<size_t>(cfg.get_int("batch.size"));
    cfg_.batch_max_bytes = static_cast<size_t>(cfg.get_long("batch.max.bytes"));
    cfg_.max_line_bytes = static_cast<size_t>(cfg.get_long("max.line.bytes"));
    if (auto p = topic_name_problem(cfg_.topic)) throw config::ConfigError("topic", *p);
  }

  void start(SourceTaskContext& ctx) override {
    ctx_ = &ctx;
    if (!cfg_.file.empty()) {
      partition_ = std::make_shared<const Value>(MapEntries{{Value("filename"), Value(cfg_.file)}});
      Value stored = ctx.offset_for(*partition_);
      if (!stored.is_null()) {
        // A damaged offset fails the connector (as Kafka's "Offset position is
        // the incorrect type"): starting over from byte 0 would send everything again.
        if (auto problem = check_offset(*partition_, stored))
          throw ConnectError(fmt::format(
              "the stored offset of {} is {}, but {}: the offsets file is damaged. Fix that entry (`connectrun "
              "offsets set`), or remove it with `connectrun offsets reset --connector {}` to read the file from its "
              "start",
              cfg_.file, to_schemaless_json(stored), *problem, ctx.connector_name));
        position_ = stored.find("position")->as<int64_t>();
        ctx.log->info("resuming {} at byte {}", cfg_.file, position_);
      }
    }
    buf_.resize(kReadSize);
  }

  // Kafka's FileStreamSourceConnector.alterOffsets: {"filename": this file} → {"position": bytes >= 0}.
  std::optional<std::string> check_offset(const Value& partition, const Value& offset) const override {
    if (cfg_.file.empty()) return std::string("this connector reads stdin, which keeps no offsets");
    const Value* name = partition.find("filename");
    if (!partition.is<MapEntries>() || partition.as<MapEntries>().size() != 1 || !name || !name->is<std::string>())
      return fmt::format("a partition is {{\"filename\":\"{}\"}}, got {}", cfg_.file, to_schemaless_json(partition));
    if (name->as<std::string>() != cfg_.file)
      return fmt::format("this connector reads '{}', so an offset for '{}' would never be used", cfg_.file,
                         name->as<std::string>());
    const Value* pos = offset.find("position");
    if (!offset.is<MapEntries>() || offset.as<MapEntries>().size() != 1 || !pos)
      return fmt::format("an offset is {{\"position\":N}} (N: bytes read, 0 or more), got {}", to_schemaless_json(offset));
    if (!pos->is<int64_t>() || pos->as<int64_t>() < 0)
      return fmt::format("\"position\" must be a whole number of bytes (0 or more), got {}", to_schemaless_json(*pos));
    return std::nullopt;
  }

  // The position over the file's size (stdin, or a file not yet open: unknown).
  std::optional<double> progress() const override {
    struct stat st{};
    if (fd_ < 0 || cfg_.file.empty() || ::fstat(fd_, &st) != 0 || st.st_size <= 0) return std::nullopt;
    return std::min(1.0, static_cast<double>(position_) / static_cast<double>(st.st_size));
  }

  PollStatus poll(std::vector<Record>& out, std::chrono::milliseconds max_wait) override {
    if (fd_ < 0 && !open_input()) {
      if (ctx_->stop_at_end_of_data) return PollStatus::Exhausted;
      std::this_thread::sleep_for(std::min(max_wait, std::chrono::milliseconds(1000)));
      return PollStatus::Ok;
    }
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
    const auto deadline = std::chrono::steady_clock::now() + kPollTime;
    // Offsets are stored per poll: only the poll's last record carries one
    // (connector.h), on every way out of this poll.
    struct StampLast {
      FileStreamSourceTask& task;
      std::vector<Record>& out;
      size_t first;
      ~StampLast() {
        if (out.size() > first) task.set_offset(out.back());
      }
    } stamp{*this, out, out.size()};
    Budget budget;
    size_t read_now = 0;
    for (;;) {
      // Lines already in the buffer first.
      if (!take_lines(out, budget, now)) return PollStatus::Ok;
      if (read_now >= kMaxReadPerPoll || ctx_->stop_requested() || std::chrono::steady_clock::now() >= deadline)
        return PollStatus::Ok;
      make_room();
      ssize_t n = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw ConnectError(fmt::format("cannot read {}: {}", display_name(), std::strerror(errno)));
      }
      if (n == 0) {
        if (budget.records > 0) return PollStatus::Ok;
        if (ctx_->stop_at_end_of_data) return PollStatus::Exhausted;
        check_truncated();
        std::this_thread::sleep_for(std::min(max_wait, std::chrono::milliseconds(100)));
        return PollStatus::Ok;
      }
      end_ += static_cast<size_t>(n);
      read_pos_ += n;
      read_now += static_cast<size_t>(n);
    }
  }

  void stop() override {
    if (fd_ > 0) ::close(fd_);
    fd_ = -1;
  }
  ~FileStreamSourceTask() override { stop(); }

 private:
  struct Budget {
    size_t records = 0;  // records (and skipped lines) taken by this poll
    size_t bytes = 0;    // bytes of their values
  };

  std::string display_name() const { return cfg_.file.empty() ? std::string("stdin") : cfg_.file; }

  bool open_input() {
    if (cfg_.file.empty()) {
      fd_ = 0;
      return true;
    }
    fd_ = ::open(cfg_.file.c_str(), O_RDONLY | O_CLOEXEC);
    // Only a missing file is waited for: any other error (no descriptor free,
    // permission denied) fails the connector rather than passing for "no input".
    if (fd_ < 0 && errno != ENOENT)
      throw ConnectError(fmt::format("cannot open {}: {}", cfg_.file, std::strerror(errno)));
    if (fd_ < 0) {
      if (!warned_missing_) {
        // Said once: a tail-like source waits for its file to appear.
        ctx_->log->warn("cannot open {}: {}; waiting for it", cfg_.file, std::strerror(errno));
        warned_missing_ = true;
      }
      return false;
    }
    if (warned_missing_) ctx_->log->info("{} appeared; reading it", cfg_.file);
    struct stat st{};
    if (::fstat(fd_, &st) == 0 && st.st_size < position_) {
      ctx_->log->warn("{} is shorter ({} bytes) than the stored position {}: it was truncated or replaced; reading "
                      "it from the start", cfg_.file, st.st_size, position_);
      position_ = 0;
    }
    if (position_ > 0 && ::lseek(fd_, position_, SEEK_SET) < 0)
      throw ConnectError(fmt::format("cannot seek {} to {}: {}", cfg_.file, position_, std::strerror(errno)));
    read_pos_ = position_;
    return true;
  }

  // A file that shrank below what we read was truncated in place (copytruncate
  // rotation): start again from its beginning. A file replaced under its name
  // (rename rotation, or deleted and created again) is a new file: once the old
  // one is read to its end, read the new one from its beginning.
  void check_truncated() {
    if (cfg_.file.empty()) return;
    struct stat st{};
    struct stat named{};
    if (::fstat(fd_, &st) != 0) return;
    if (::stat(cfg_.file.c_str(), &named) == 0 && (named.st_ino != st.st_ino || named.st_dev != st.st_dev)) {
      ctx_->log->warn("{} was replaced by a new file; reading the new file from the start", cfg_.file);
      ::close(fd_);
      fd_ = -1;
      reset_to_start();
      return;  // the next poll opens it
    }
    if (st.st_size < read_pos_) {
      ctx_->log->warn("{} was truncated to {} bytes; reading it from the start", cfg_.file, st.st_size);
      ::lseek(fd_, 0, SEEK_SET);
      reset_to_start();
    }
  }

  void reset_to_start() {
    position_ = read_pos_ = 0;
    start_ = end_ = 0;
    skipping_ = false;
  }

  // Compacts the buffer and grows it when a line fills it, up to what the
  // longest allowed line and its terminator need: a longer line is found
  // before the buffer is full at that size, and skipped without being kept.
  void make_room() {
    if (start_ > 0) {
      std::memmove(buf_.data(), buf_.data() + start_, end_ - start_);
      end_ -= start_;
      start_ = 0;
    }
    const size_t cap = std::max(kReadSize, cfg_.max_line_bytes + 2);
    if (end_ == buf_.size()) buf_.resize(std::min(buf_.size() * 2, cap));
  }

  // Moves the complete lines in the buffer into `out`, and skips lines longer
  // than max.line.bytes. False when the poll should return now: its batch is
  // full, or a too-long line follows the records taken (they go first, so the
  // stored offset ends right before the line when the error fails the task).
  bool take_lines(std::vector<Record>& out, Budget& budget, int64_t now) {
    const LineScan scan = line_scan();  // find_line_end's, looked up once
    while (start_ < end_) {
      const char* base = buf_.data() + start_;
      const size_t avail = end_ - start_;
      const LineEnd line = scan(base, avail);
      if (skipping_) {
        if (line.terminator == 0) {
          start_ += line.length;  // dropped as read; a '\r' at the end waits for its next byte
          return true;
        }
        const size_t consumed = line.length + line.terminator;
        // The file position of the buffer's first byte is read_pos_ - avail.
        position_ = read_pos_ - static_cast<int64_t>(avail) + static_cast<int64_t>(consumed);
        start_ += consumed;
        skipping_ = false;
        Record& skipped = add_record(out, now);
        skipped.offset_only = true;
        set_offset(skipped);  // its own: records after it in the poll may carry none
        ++budget.records;
        continue;
      }
      if (line.length > cfg_.max_line_bytes) {
        if (budget.records > 0) return false;
        begin_skipping();
        continue;
      }
      if (line.terminator == 0) return true;  // an incomplete line: read more
      if (budget.records >= cfg_.batch_size ||
          (budget.records > 0 && budget.bytes + line.length > cfg_.batch_max_bytes))
        return false;
      const size_t consumed = line.length + line.terminator;
      position_ += static_cast<int64_t>(consumed);
      const std::string_view text(base, line.length);
      add_record(out, now).value.storage().emplace<std::string>(line.ascii ? ctx_->strings.make(text) : decode_utf8_line(text));
      start_ += consumed;
      ++budget.records;
      budget.bytes += line.length;
    }
    return true;
  }

  // A line longer than max.line.bytes starts at position_: the error policy
  // decides (errors.tolerance=none throws here); when it is tolerated the
  // line's bytes are dropped as they are read, up to its end.
  void begin_skipping() {
    // The message names the place too: a skip is logged without the position
    // unless errors.log.include.messages is set.
    ctx_->report_error(fmt::format("{} byte {}", display_name(), position_),
                       LineTooLong(fmt::format("a line longer than max.line.bytes ({} bytes) at byte {} of {}; raise "
                                               "max.line.bytes to read such lines (errors.tolerance=all skips them)",
                                               cfg_.max_line_bytes, position_, display_name())));
    skipping_ = true;
  }

  // A record of a line, its value still unset; its offset is set by
  // set_offset when it is the poll's last record (or skipped input).
  Record& add_record(std::vector<Record>& out, int64_t now) {
    Record& r = out.emplace_back();  // built in place: a Record is large to move
    r.topic = cfg_.topic;
    r.value_schema = string_schema_;
    r.timestamp = now;
    return r;
  }

  // {"position": the byte after the last line taken} (none for stdin).
  void set_offset(Record& r) const {
    if (cfg_.file.empty()) return;
    r.source_partition = partition_;
    MapEntries offset;  // emplaced: an initializer list would copy its entries
    offset.reserve(1);
    offset.emplace_back("position", position_);
    r.source_offset = Value(std::move(offset));
  }

  SourceConfig cfg_;
  SourceTaskContext* ctx_ = nullptr;
  std::shared_ptr<const Value> partition_;
  const SchemaPtr string_schema_ = schemas::string();  // looked up once, not per line
  int fd_ = -1;
  int64_t position_ = 0;  // byte position after the last emitted (or skipped) line
  int64_t read_pos_ = 0;  // bytes read from the file so far
  bool warned_missing_ = false;
  bool skipping_ = false;  // dropping the rest of a line longer than max.line.bytes
  std::vector<char> buf_;
  size_t start_ = 0, end_ = 0;  // unconsumed bytes in buf_
};

}  // namespace

PluginInfo file_stream_source_plugin() {
  PluginInfo p;
  p.name = "FileStreamSource";
  p.aliases = {"org.apache.kafka.connect.file.FileStreamSourceConnector", "FileStreamSourceConnector"};
  p.kind = PluginKind::Source;
  // As Kafka's FileStreamSourceConnector: a file is read again from a committed position; stdin is not.
  p.exactly_once = [](const config::ConfigValues& cfg) { return !cfg.get_string("file").empty(); };
  p.summary = "Reads lines from a file (or stdin) into a topic, resuming at the stored byte position.";
  p.description =
      "One record per line (lines end with \\n, \\r\\n or \\r; a last line without one waits for it). The value is "
      "the line as a string (schema STRING), decoded as UTF-8 with each malformed sequence replaced by U+FFFD as "
      "Java's decoder does, with no key. The offset is {\"position\": <byte after the line>} "
      "under the partition {\"filename\": <file>}. A missing file is waited for; a file that shrinks is read "
      "again from the start. With --once the connector is exhausted at end of file.";
  p.spec.define({.name = "file", .type = KeyType::String, .default_value = config::ConfigValue{std::string()},
                 .doc = "Source file. Empty: read stdin (offsets are not tracked).", .file_use = config::FileUse::Reads});
  p.spec.define({.name = "topic", .type = KeyType::String, .default_value = std::nullopt,
                 .doc = "The topic to publish lines to."});
  p.spec.define({.name = "batch.size", .type = KeyType::Int, .default_value = config::ConfigValue{int64_t{2000}},
                 .doc = "Maximum number of records returned by one poll.", .validator = config::validators::at_least(1)});
  p.spec.define({.name = "batch.max.bytes", .type = KeyType::Int, .default_value = config::ConfigValue{int64_t{1 << 20}},
                 .doc = "Maximum bytes of line text returned by one poll (at least one line is returned), so memory "
                        "stays bounded whatever the line lengths. Not in Kafka.",
                 .validator = config::validators::at_least(1)});
  p.spec.define({.name = "max.line.bytes", .type = KeyType::Int, .default_value = config::ConfigValue{int64_t{1 << 20}},
                 .doc = "Longest line read, in bytes without its terminator. A longer line is never held in memory: "
                        "its bytes are dropped as they are read, and errors.tolerance decides (none: the connector "
                        "fails naming the file and the line's byte position; all: the line is skipped, logged, "
                        "counted, and its offset passed). Kafka has no such bound.",
                 .validator = config::validators::at_least(1)});
  p.make_source = [] { return std::make_unique<FileStreamSourceTask>(); };
  return p;
}

}  // namespace connectrun::file
