#include "connectors/file/file_stream_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "json/json_writer.h"
#include "runtime/job_config.h"

namespace connectrun::file {

namespace {

using config::KeyType;

struct SourceConfig {
  std::string file;  // empty = stdin
  std::string topic;
  int32_t batch_size = 2000;
};

class FileStreamSourceTask : public SourceTask {
 public:
  void configure(const config::ConfigValues& cfg) override {
    cfg_.file = cfg.get_string("file");
    cfg_.topic = cfg.get_string("topic");
    cfg_.batch_size = cfg.get_int("batch.size");
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
        const Value* pos = stored.find("position");
        if (!pos || !pos->is<int64_t>() || pos->as<int64_t>() < 0)
          throw ConnectError(fmt::format(
              "the stored offset of {} is {}, but \"position\" must be a whole number of bytes (0 or more): the "
              "offsets file is damaged. Fix that entry, or remove it with `connectrun offsets reset --connector {}` "
              "to read the file from its start",
              cfg_.file, to_schemaless_json(stored), ctx.connector_name));
        position_ = pos->as<int64_t>();
        ctx.log->info("resuming {} at byte {}", cfg_.file, position_);
      }
    }
    // 128 KiB reads cost no more per byte than larger ones (as cat's), and a
    // job with many sources keeps less memory (the buffer grows for longer lines).
    buf_.resize(128u << 10);
  }

  PollStatus poll(std::vector<Record>& out, std::chrono::milliseconds max_wait) override {
    if (fd_ < 0 && !open_input()) {
      if (ctx_->once) return PollStatus::Exhausted;
      std::this_thread::sleep_for(std::min(max_wait, std::chrono::milliseconds(1000)));
      return PollStatus::Ok;
    }
    const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
    size_t emitted = 0;
    while (emitted < static_cast<size_t>(cfg_.batch_size)) {
      // Lines already in the buffer first.
      if (emit_lines(out, emitted, now)) continue;
      // Need more bytes: compact, then read.
      if (start_ > 0) {
        std::memmove(buf_.data(), buf_.data() + start_, end_ - start_);
        end_ -= start_;
        start_ = 0;
      }
      if (end_ == buf_.size()) buf_.resize(buf_.size() * 2);  // a line longer than the buffer
      ssize_t n = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
      if (n < 0) {
        if (errno == EINTR) continue;
        throw ConnectError(fmt::format("cannot read {}: {}", display_name(), std::strerror(errno)));
      }
      if (n == 0) {
        if (emitted > 0) return PollStatus::Ok;
        if (ctx_->once) return PollStatus::Exhausted;
        check_truncated();
        std::this_thread::sleep_for(std::min(max_wait, std::chrono::milliseconds(100)));
        return PollStatus::Ok;
      }
      end_ += static_cast<size_t>(n);
      read_pos_ += n;
    }
    return PollStatus::Ok;
  }

  void stop() override {
    if (fd_ > 0) ::close(fd_);
    fd_ = -1;
  }
  ~FileStreamSourceTask() override { stop(); }

 private:
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
      position_ = read_pos_ = 0;
      start_ = end_ = 0;
      return;  // the next poll opens it
    }
    if (st.st_size < read_pos_) {
      ctx_->log->warn("{} was truncated to {} bytes; reading it from the start", cfg_.file, st.st_size);
      ::lseek(fd_, 0, SEEK_SET);
      position_ = read_pos_ = 0;
      start_ = end_ = 0;
    }
  }

  // Emits complete lines from the buffer; false when none is complete.
  bool emit_lines(std::vector<Record>& out, size_t& emitted, int64_t now) {
    bool any = false;
    while (emitted < static_cast<size_t>(cfg_.batch_size) && start_ < end_) {
      const char* base = buf_.data() + start_;
      size_t avail = end_ - start_;
      // memchr is vectorised; '\r' is rare, so look for it only before the '\n'.
      const char* nl = static_cast<const char*>(std::memchr(base, '\n', avail));
      const char* cr = static_cast<const char*>(std::memchr(base, '\r', nl ? static_cast<size_t>(nl - base) : avail));
      const char* stop = cr ? cr : nl;
      if (!stop) break;
      size_t i = static_cast<size_t>(stop - base);
      size_t term = 1;
      if (base[i] == '\r') {
        if (i + 1 == avail) break;  // a lone '\r' at the end: wait for the next byte, as Kafka does
        if (base[i + 1] == '\n') term = 2;
      }
      size_t consumed = i + term;
      position_ += static_cast<int64_t>(consumed);
      Record& r = out.emplace_back();  // built in place: a Record is large to move
      r.topic = cfg_.topic;
      r.value_schema = string_schema_;
      r.value = Value(std::string(base, i));
      r.timestamp = now;
      if (!cfg_.file.empty()) {
        r.source_partition = partition_;
        MapEntries offset;  // emplaced: an initializer list would copy its entries
        offset.reserve(1);
        offset.emplace_back("position", position_);
        r.source_offset = Value(std::move(offset));
      }
      start_ += consumed;
      ++emitted;
      any = true;
    }
    return any;
  }

  SourceConfig cfg_;
  SourceTaskContext* ctx_ = nullptr;
  std::shared_ptr<const Value> partition_;
  const SchemaPtr string_schema_ = schemas::string();  // looked up once, not per line
  int fd_ = -1;
  int64_t position_ = 0;  // byte position after the last emitted line
  int64_t read_pos_ = 0;  // bytes read from the file so far
  bool warned_missing_ = false;
  std::vector<char> buf_;
  size_t start_ = 0, end_ = 0;  // unconsumed bytes in buf_
};

}  // namespace

PluginInfo file_stream_source_plugin() {
  PluginInfo p;
  p.name = "FileStreamSource";
  p.aliases = {"org.apache.kafka.connect.file.FileStreamSourceConnector", "FileStreamSourceConnector"};
  p.kind = PluginKind::Source;
  p.summary = "Reads lines from a file (or stdin) into a topic, resuming at the stored byte position.";
  p.description =
      "One record per line (lines end with \\n, \\r\\n or \\r; a last line without one waits for it). The value is "
      "the line as a string (schema STRING), with no key. The offset is {\"position\": <byte after the line>} "
      "under the partition {\"filename\": <file>}. A missing file is waited for; a file that shrinks is read "
      "again from the start. With --once the connector is exhausted at end of file.";
  p.spec.define({.name = "file", .type = KeyType::String, .default_value = config::ConfigValue{std::string()},
                 .doc = "Source file. Empty: read stdin (offsets are not tracked)."});
  p.spec.define({.name = "topic", .type = KeyType::String, .default_value = std::nullopt,
                 .doc = "The topic to publish lines to."});
  p.spec.define({.name = "batch.size", .type = KeyType::Int, .default_value = config::ConfigValue{int64_t{2000}},
                 .doc = "Maximum number of records returned by one poll.", .validator = config::validators::at_least(1)});
  p.make_source = [] { return std::make_unique<FileStreamSourceTask>(); };
  return p;
}

}  // namespace connectrun::file
