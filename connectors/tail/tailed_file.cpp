#include "connectors/tail/tailed_file.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "json/json_writer.h"
#include "json/utf8.h"

namespace connectrun::tail {

namespace {

// Reads of 128 KiB cost no more per byte than larger ones; a poll reads at
// most kMaxReadPerPoll of one file so other files and a stop get their turn.
constexpr size_t kReadSize = 128u << 10;
constexpr size_t kMaxReadPerPoll = 4u << 20;

class LineTooLong : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// pread of up to `n` bytes at 0 (fewer when the file is shorter).
std::string read_head(int fd, size_t n) {
  std::string out(n, '\0');
  size_t got = 0;
  while (got < n) {
    ssize_t r = ::pread(fd, out.data() + got, n - got, static_cast<off_t>(got));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) break;
    got += static_cast<size_t>(r);
  }
  out.resize(got);
  return out;
}

}  // namespace

std::string fingerprint(std::string_view bytes) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return fmt::format("{:016x}", h);
}

Value partition_of(const FileId& id) {
  MapEntries p;
  p.emplace_back("device", static_cast<int64_t>(id.dev));
  p.emplace_back("inode", static_cast<int64_t>(id.ino));
  return Value(std::move(p));
}

std::optional<std::string> offset_shape_problem(const Value& partition, const Value& offset) {
  auto whole = [](const Value* v) { return v && v->is<int64_t>() && v->as<int64_t>() >= 0; };
  if (!partition.is<MapEntries>() || partition.as<MapEntries>().size() != 2 || !whole(partition.find("device")) ||
      !whole(partition.find("inode")))
    return fmt::format("a partition is {{\"device\":N,\"inode\":N}} (the file's identity), got {}",
                       to_schemaless_json(partition));
  const Value* fp = offset.find("fingerprint");
  const Value* k = offset.find("fingerprint.bytes");
  bool fp_ok = fp && fp->is<std::string>() && fp->as<std::string>().size() == 16 &&
               fp->as<std::string>().find_first_not_of("0123456789abcdef") == std::string::npos;
  if (!offset.is<MapEntries>() || offset.as<MapEntries>().size() != 3 || !whole(offset.find("position")) || !fp_ok ||
      !whole(k) || k->as<int64_t>() > static_cast<int64_t>(kFingerprintBytes))
    return fmt::format("an offset is {{\"position\":BYTES,\"fingerprint\":\"16 hex digits\",\"fingerprint.bytes\":"
                       "0..{}}} (BYTES: bytes read, 0 or more), got {}", kFingerprintBytes, to_schemaless_json(offset));
  return std::nullopt;
}

std::optional<int64_t> resume_position(int fd, const Value& stored, int64_t size) {
  const Value* pos = stored.find("position");
  const Value* fp = stored.find("fingerprint");
  const Value* fp_bytes = stored.find("fingerprint.bytes");
  if (!pos || !pos->is<int64_t>() || !fp || !fp->is<std::string>() || !fp_bytes || !fp_bytes->is<int64_t>())
    return std::nullopt;
  const int64_t p = pos->as<int64_t>();
  const int64_t k = fp_bytes->as<int64_t>();
  if (p < 0 || k < 0 || k > static_cast<int64_t>(kFingerprintBytes) || p > size) return std::nullopt;
  const std::string head = read_head(fd, static_cast<size_t>(k));
  if (static_cast<int64_t>(head.size()) != k || fingerprint(head) != fp->as<std::string>()) return std::nullopt;
  return p;
}

TailedFile::TailedFile(FileId id, std::string path, UniqueFd fd, int64_t start)
    : id_(id), fd_(std::move(fd)), position_(start), read_pos_(start) {
  renamed(std::move(path));
  partition_ = std::make_shared<const Value>(partition_of(id_));
  first_ = read_head(fd_.get(), static_cast<size_t>(std::min<int64_t>(start, kFingerprintBytes)));
  if (start > 0 && ::lseek(fd_.get(), start, SEEK_SET) < 0)
    throw ConnectError(fmt::format("cannot seek {} to {}: {}", path_, start, std::strerror(errno)));
}

void TailedFile::renamed(std::string path) {
  path_ = std::move(path);
  const auto slash = path_.rfind('/');
  name_ = slash == std::string::npos ? path_ : path_.substr(slash + 1);
}

bool TailedFile::read(std::vector<Record>& out, Budget& budget, const TailSettings& s, const SourceTaskContext& ctx,
                      Clock::time_point deadline) {
  size_t read_now = 0;
  for (;;) {
    if (!take_lines(out, budget, s, ctx)) return false;
    if (read_now >= kMaxReadPerPoll || ctx.stop_requested() || Clock::now() >= deadline) return false;
    make_room(s);
    ssize_t n = ::read(fd_.get(), buf_.data() + end_, buf_.size() - end_);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw ConnectError(fmt::format("cannot read {}: {}", path_, std::strerror(errno)));
    }
    if (n == 0) {
      at_eof = true;
      return true;
    }
    at_eof = false;
    if (first_.size() < kFingerprintBytes && static_cast<int64_t>(first_.size()) == read_pos_)
      first_.append(buf_.data() + end_, std::min(static_cast<size_t>(n), kFingerprintBytes - first_.size()));
    end_ += static_cast<size_t>(n);
    read_pos_ += n;
    read_now += static_cast<size_t>(n);
  }
}

void TailedFile::make_room(const TailSettings& s) {
  if (buf_.empty()) buf_.resize(kReadSize);
  if (start_ > 0) {
    std::memmove(buf_.data(), buf_.data() + start_, end_ - start_);
    end_ -= start_;
    start_ = 0;
  }
  const size_t cap = std::max(kReadSize, s.max_line_bytes + 2);
  if (end_ == buf_.size()) buf_.resize(std::min(buf_.size() * 2, cap));
}

void TailedFile::release_buffer() {
  if (start_ == end_ && !buf_.empty()) {
    std::vector<char>().swap(buf_);
    start_ = end_ = 0;
  }
}

// Complete lines from the buffer into `out`. False when the poll should
// return: its budget is full, or a too-long line follows records already
// taken (they go first, so a failing error policy stores the offset right
// before the line).
bool TailedFile::take_lines(std::vector<Record>& out, Budget& budget, const TailSettings& s,
                            const SourceTaskContext& ctx) {
  while (start_ < end_) {
    const char* base = buf_.data() + start_;
    const size_t avail = end_ - start_;
    const int64_t begin = read_pos_ - static_cast<int64_t>(avail);  // file offset of base
    const char* nl = static_cast<const char*>(std::memchr(base, '\n', avail));
    const size_t length = nl ? static_cast<size_t>(nl - base) : avail;
    if (skipping_) {
      start_ += nl ? length + 1 : length;
      if (!nl) return true;
      skipping_ = false;
      position_ = begin + static_cast<int64_t>(length) + 1;
      Record& r = out.emplace_back();
      r.topic = s.topic;
      r.source_partition = partition_;
      r.source_offset = offset_value(position_);
      r.offset_only = true;
      ++budget.records;
      continue;
    }
    size_t text = length;
    if (nl && text > 0 && base[text - 1] == '\r') --text;  // "\r\n" ends a line too
    if (text > s.max_line_bytes) {
      if (budget.records > 0) return false;
      flush_event(out, s, true);
      const std::string_view head(base, std::min<size_t>(text, 80));
      ctx.report_error(fmt::format("{} byte {}", path_, begin),
                       LineTooLong(fmt::format("a line longer than max.line.bytes ({} bytes) at byte {} of {}, "
                                               "beginning \"{}…\"; raise max.line.bytes to read such lines "
                                               "(errors.tolerance=all skips them)",
                                               s.max_line_bytes, begin, path_, utf8::to_valid(head))));
      skipping_ = true;
      continue;
    }
    if (!nl) return true;  // an incomplete line: read more
    if (budget.full(s)) return false;
    line(out, budget, s, std::string_view(base, text), begin, begin + static_cast<int64_t>(length) + 1);
    start_ += length + 1;
  }
  return true;
}

void TailedFile::line(std::vector<Record>& out, Budget& budget, const TailSettings& s, std::string_view text,
                      int64_t begin, int64_t end) {
  budget.bytes += text.size();
  if (!s.multiline_start) {
    ++budget.records;
    emit(out, s, utf8::to_valid(text), begin, end);
    return;
  }
  // A line matching the start pattern begins an event; others continue it.
  // An event that would outgrow max.line.bytes is handed on first.
  const bool starts = s.multiline_start->full_match(text);
  if (has_event() && (starts || event_.size() + 1 + text.size() > s.max_line_bytes)) {
    ++budget.records;
    flush_event(out, s, true);
  }
  if (!has_event()) {
    event_begin_ = begin;
  } else {
    event_ += '\n';
  }
  event_.append(text);
  ++event_lines_;
  event_end_ = end;
  event_touched_ = Clock::now();
}

void TailedFile::flush_event(std::vector<Record>& out, const TailSettings& s, bool force) {
  if (!has_event()) return;
  if (!force && Clock::now() - event_touched_ < s.multiline_timeout) return;
  emit(out, s, utf8::to_valid(event_), event_begin_, event_end_);
  event_.clear();
  event_lines_ = 0;
}

Record& TailedFile::emit(std::vector<Record>& out, const TailSettings& s, std::string value, int64_t begin,
                         int64_t end) {
  Record& r = out.emplace_back();  // built in place: a Record is large to move
  r.topic = s.topic;
  r.value_schema = s.string_schema;
  r.value = Value(std::move(value));
  r.timestamp = now_ms();
  if (s.headers) {
    r.headers.reserve(3);
    r.headers.push_back(Header{"file.path", s.string_schema, Value(path_)});
    r.headers.push_back(Header{"file.name", s.string_schema, Value(name_)});
    r.headers.push_back(Header{"file.offset", s.int64_schema, Value(begin)});
  }
  position_ = end;
  r.source_partition = partition_;
  r.source_offset = offset_value(end);
  return r;
}

Value TailedFile::offset_value(int64_t end) {
  const size_t k = static_cast<size_t>(std::min<int64_t>(end, static_cast<int64_t>(first_.size())));
  if (k != fp_bytes_) {
    fp_ = fingerprint(std::string_view(first_).substr(0, k));
    fp_bytes_ = k;
  }
  MapEntries o;  // emplaced: an initializer list would copy its entries
  o.reserve(3);
  o.emplace_back("position", end);
  o.emplace_back("fingerprint", fp_);
  o.emplace_back("fingerprint.bytes", static_cast<int64_t>(k));
  return Value(std::move(o));
}

void TailedFile::check_truncated(std::vector<Record>& out, const TailSettings& s, const SourceTaskContext& ctx) {
  struct stat st{};
  if (::fstat(fd_.get(), &st) != 0) return;
  bool truncated = st.st_size < read_pos_;
  // Truncated and written again past where we were: the first bytes differ.
  if (!truncated && !first_.empty()) truncated = read_head(fd_.get(), first_.size()) != first_;
  if (!truncated) return;
  ctx.log->warn("{} was truncated (now {} bytes, {} were read): reading it again from its start", path_,
                static_cast<int64_t>(st.st_size), read_pos_);
  flush_event(out, s, true);
  restart();
}

void TailedFile::restart() {
  if (::lseek(fd_.get(), 0, SEEK_SET) < 0)
    throw ConnectError(fmt::format("cannot seek {} to 0: {}", path_, std::strerror(errno)));
  position_ = read_pos_ = 0;
  start_ = end_ = 0;
  skipping_ = false;
  first_.clear();
  fp_bytes_ = SIZE_MAX;
  at_eof = false;
}

void TailedFile::finish(std::vector<Record>& out, const TailSettings& s) {
  if (start_ < end_ && !skipping_) {
    Budget unlimited;
    std::string_view rest(buf_.data() + start_, end_ - start_);
    if (rest.size() <= s.max_line_bytes)
      line(out, unlimited, s, rest, read_pos_ - static_cast<int64_t>(rest.size()), read_pos_);
    start_ = end_ = 0;
  }
  flush_event(out, s, true);
}

Record TailedFile::forget(const TailSettings& s) const {
  Record r;
  r.topic = s.topic;
  r.source_partition = partition_;
  r.offset_only = true;  // a null offset removes the stored one
  return r;
}

}  // namespace connectrun::tail
