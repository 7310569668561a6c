#include "connectors/spooldir/spool_task.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "connectors/spooldir/spool_files.h"
#include "json/json_writer.h"

namespace connectrun::spooldir {

namespace fs = std::filesystem;

struct SpoolTask::FileState {
  InputFile file;
  std::shared_ptr<const Value> partition;  // {"fileName": name}: its address identifies the file in commit_record
  int64_t polled = 0;      // records handed to the engine
  int64_t committed = 0;   // of those, committed back
  bool read_all = false;   // read to its end, or stopped by an error
  std::string error;       // why it cannot be read ("" when it can)
  std::string error_where;
  bool finished = false;
};

void SpoolTask::configure(const config::ConfigValues& cfg) {
  common_ = parse_common(cfg);
  configure_format(cfg);
}

void SpoolTask::start(SourceTaskContext& ctx) { ctx_ = &ctx; }

std::string SpoolTask::marker_path(const InputFile& f) const { return f.path + common_.processing_extension; }

// A marker written by a connectrun whose process is gone (or by an earlier
// task of this process that no longer holds the file) is taken over: the
// file is resumed at its stored offset. Any other marker means another
// reader has the file (kafka-connect-spooldir writes empty markers).
bool SpoolTask::take_marker(const InputFile& f) {
  const std::string marker = marker_path(f);
  const std::string mine = fmt::format("connectrun pid={} connector={} task={}\n", ::getpid(), ctx_->connector_name, ctx_->task_id);
  struct stat st{};
  if (::stat(marker.c_str(), &st) == 0) {
    std::ifstream in(marker);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    long pid = 0;
    const auto at = text.find("connectrun pid=");
    if (at != std::string::npos) pid = std::strtol(text.c_str() + at + 15, nullptr, 10);
    const bool gone = pid > 0 && ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
    if (!(gone || text == mine)) {
      if (warned_.insert(f.path).second)
        ctx_->log->warn("skipping {}: its marker {} exists, so another reader has it (remove the marker if that reader "
                        "is gone)", f.path, marker);
      return false;
    }
    ctx_->log->info("{} was being read by a connectrun that stopped (marker {}); resuming it at its stored offset", f.path, marker);
  }
  write_small_file(marker, mine);
  return true;
}

std::optional<std::string> SpoolTask::check_offset(const Value& partition, const Value& offset) const {
  const Value* name = partition.find("fileName");
  if (!partition.is<MapEntries>() || partition.as<MapEntries>().size() != 1 || !name || !name->is<std::string>() ||
      name->as<std::string>().empty())
    return fmt::format("a partition is {{\"fileName\":\"NAME\"}} (a file's name in input.path), got {}",
                       to_schemaless_json(partition));
  const Value* off = offset.find("offset");
  if (!offset.is<MapEntries>() || offset.as<MapEntries>().size() != 1 || !off)
    return fmt::format("an offset is {{\"offset\":N}} (N: records read from the file, 0 or more), got {}",
                       to_schemaless_json(offset));
  if (!off->is<int64_t>() || off->as<int64_t>() < 0)
    return fmt::format("\"offset\" must be a whole number of records (0 or more), got {}", to_schemaless_json(*off));
  return std::nullopt;
}

int64_t SpoolTask::stored_offset(const Value& partition, const InputFile& f) const {
  const Value stored = ctx_->offset_for ? ctx_->offset_for(partition) : Value();
  if (stored.is_null()) return -1;
  if (auto problem = check_offset(partition, stored))
    throw ConnectError(fmt::format("the stored offset of {} is {}, but {}: the offsets file is damaged. Fix that entry "
                                   "(`connectrun offsets set`), or remove it with `connectrun offsets reset "
                                   "--connector {}` to read the file from its start",
                                   f.name, to_schemaless_json(stored), *problem, ctx_->connector_name));
  return stored.find("offset")->as<int64_t>();
}

void SpoolTask::scan() {
  const int64_t now = now_ms();
  for (auto& f : list_input_files(common_)) {
    bool busy = false;
    for (auto& st : in_flight_) busy = busy || st->file.path == f.path;
    if (busy || done_.count(fmt::format("{}\n{}\n{}", f.path, f.length, f.last_modified_ms))) continue;
    if (now - f.last_modified_ms < common_.min_age_ms) {
      ctx_->log->debug("skipping {} for now: modified less than file.minimum.age.ms ({} ms) ago", f.path, common_.min_age_ms);
      continue;
    }
    queue_.push_back(std::move(f));
  }
}

bool SpoolTask::open_next() {
  if (queue_.empty()) scan();
  while (!queue_.empty()) {
    InputFile f = std::move(queue_.front());
    queue_.pop_front();
    struct stat st{};
    if (::stat(f.path.c_str(), &st) != 0) continue;  // gone since it was listed
    if (!take_marker(f)) continue;
    auto state = std::make_shared<FileState>();
    state->file = f;
    state->partition = std::make_shared<const Value>(MapEntries{{Value("fileName"), Value(f.name)}});
    in_flight_.push_back(state);
    by_partition_[state->partition.get()] = state;
    current_ = state;
    // Headers as kafka-connect-spooldir's Metadata writes them, file.offset set per record.
    const fs::path p(f.path);
    std::string stem = f.name;
    if (auto dot = stem.rfind('.'); dot != std::string::npos) stem.erase(dot);
    headers_.clear();
    headers_.push_back({"file.name", schemas::string(), Value(f.name)});
    headers_.push_back({"file.name.without.extension", schemas::string(), Value(stem)});
    headers_.push_back({"file.path", schemas::string(), Value(f.path)});
    headers_.push_back({"file.parent.dir.name", schemas::string(), Value(p.parent_path().filename().string())});
    headers_.push_back({"file.length", schemas::int64(), Value(f.length)});
    headers_.push_back({"file.last.modified", schemas::timestamp().build(), Value(Timestamp{f.last_modified_ms})});
    if (!f.relative_dir.empty()) headers_.push_back({"file.relative.path", schemas::string(), Value(f.relative_dir)});
    try {
      // kafka-connect-spooldir decompresses by extension; connectrun does not, and says so.
      const std::string ext = fs::path(f.name).extension().string();
      for (const char* z : {".gz", ".bz2", ".snappy", ".lz4", ".z", ".Z"})
        if (ext == z)
          throw ParseError("", fmt::format("compressed files ({}) are not supported by connectrun: decompress them "
                                           "before they are put in input.path", ext));
      const int64_t offset = stored_offset(*state->partition, f);
      ctx_->log->info("reading {}{}", f.path, offset >= 0 ? fmt::format(" after its stored offset {}", offset) : "");
      open_file(f, offset);
    } catch (const ParseError& e) {
      state->error = e.what();
      state->error_where = e.where();
      state->read_all = true;
      current_.reset();
    } catch (const ConnectError&) {
      throw;
    } catch (const std::exception& e) {
      state->error = e.what();
      state->read_all = true;
      current_.reset();
    }
    return true;
  }
  return false;
}

Record& SpoolTask::add_record(std::vector<Record>& out, int64_t offset) {
  Record& r = out.emplace_back();
  r.topic = common_.topic;
  r.source_partition = current_->partition;
  MapEntries off;
  off.reserve(1);
  off.emplace_back("offset", offset);
  r.source_offset = Value(std::move(off));
  r.headers.reserve(headers_.size() + 1);
  r.headers = headers_;
  // file.offset goes where Metadata.headers puts it: after file.length.
  r.headers.insert(r.headers.begin() + 5, Header{"file.offset", schemas::int64(), Value(offset)});
  if (common_.timestamp_mode == TimestampMode::FileTime) r.timestamp = current_->file.last_modified_ms;
  return r;
}

void SpoolTask::set_field_timestamp(Record& r, const std::string& field) const {
  if (!r.value.is_struct()) return;
  const Value& v = r.value.as_struct().get(field);
  if (auto* t = v.get_if<Timestamp>()) r.timestamp = t->millis;
}

PollStatus SpoolTask::poll(std::vector<Record>& out, std::chrono::milliseconds max_wait) {
  finish_ready();
  halting_ = false;
  if (common_.halt_on_error)
    for (auto& st : in_flight_) halting_ = halting_ || !st->error.empty();
  if (halting_) {
    // The failed file's earlier records are on their way: fail once they are delivered.
    std::this_thread::sleep_for(std::min(max_wait, std::chrono::milliseconds(50)));
    return PollStatus::Ok;
  }
  if (!current_) {
    bool opened = false;
    try {
      opened = open_next();
    } catch (const std::runtime_error& e) {
      if (dynamic_cast<const ConnectError*>(&e)) throw;
      throw ConnectError(e.what(), /*retriable=*/true);
    }
    if (!opened) {
      if (ctx_->stop_at_end_of_data) return PollStatus::Exhausted;
      if (!said_empty_) {
        ctx_->log->info("no files matching input.file.pattern in {}; waiting for some", common_.input_path);
        said_empty_ = true;
      }
      // empty.poll.wait.ms, in slices so that a stop is seen promptly.
      const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(common_.empty_poll_wait_ms);
      while (!ctx_->stop_requested() && std::chrono::steady_clock::now() < until)
        std::this_thread::sleep_for(std::min(std::chrono::milliseconds(50), std::chrono::milliseconds(common_.empty_poll_wait_ms)));
      return PollStatus::Ok;
    }
    said_empty_ = false;
    if (!current_) {  // it could not be opened
      finish_ready();
      return PollStatus::Ok;
    }
  }
  auto state = current_;
  const size_t before = out.size();
  bool more = true;
  try {
    more = read_batch(out, common_.batch_size);
  } catch (const ParseError& e) {
    state->error = e.what();
    state->error_where = e.where();
    more = false;
  } catch (const ConnectError&) {
    throw;
  } catch (const std::exception& e) {
    state->error = e.what();
    more = false;
  }
  state->polled += static_cast<int64_t>(out.size() - before);
  if (!more) {
    close_file();
    state->read_all = true;
    current_.reset();
    if (state->error.empty())
      ctx_->log->info("read {} to its end ({} records); it is finished once they are delivered", state->file.path, state->polled);
  }
  finish_ready();
  return PollStatus::Ok;
}

void SpoolTask::commit_record(const Record& record, const RecordMetadata*) {
  auto it = by_partition_.find(record.source_partition.get());
  if (it == by_partition_.end()) return;
  ++it->second->committed;
  finish_ready();
}

// Files are finished in the order they were read, each once all its records
// were committed.
void SpoolTask::finish_ready() {
  while (!in_flight_.empty()) {
    auto st = in_flight_.front();
    if (!st->read_all || st->committed < st->polled) return;
    in_flight_.erase(in_flight_.begin());
    by_partition_.erase(st->partition.get());
    finish(*st);
  }
}

void SpoolTask::finish(FileState& st) {
  if (st.error.empty())
    cleanup_success(st);
  else
    cleanup_error(st);
}

std::string SpoolTask::move_to(const InputFile& f, const std::string& dir) {
  std::string target = (fs::path(dir) / f.relative_dir / f.name).lexically_normal().string();
  move_file(f.path, target);
  return target;
}

void SpoolTask::remove_empty_dirs(const InputFile& f) {
  if (f.relative_dir.empty() || common_.keep_relative_path) return;
  fs::path d = fs::path(f.path).parent_path();
  const fs::path top = fs::path(common_.input_path);
  std::error_code ec;
  while (d != top && d.string().size() > top.string().size() && fs::is_empty(d, ec) && !ec) {
    fs::remove(d, ec);
    d = d.parent_path();
  }
}

void SpoolTask::cleanup_success(FileState& st) {
  const InputFile& f = st.file;
  try {
    switch (common_.cleanup) {
      case CleanupPolicy::None:
        done_.insert(fmt::format("{}\n{}\n{}", f.path, f.length, f.last_modified_ms));
        ctx_->log->info("finished {} ({} records delivered); left in place (cleanup.policy NONE)", f.path, st.polled);
        break;
      case CleanupPolicy::Delete:
        if (::unlink(f.path.c_str()) != 0 && errno != ENOENT)
          throw std::runtime_error(fmt::format("cannot delete {}: {}", f.path, std::strerror(errno)));
        ctx_->log->info("finished {} ({} records delivered); deleted", f.path, st.polled);
        break;
      case CleanupPolicy::Move:
      case CleanupPolicy::MoveByDate: {
        std::string dir = common_.finished_path;
        if (common_.cleanup == CleanupPolicy::MoveByDate) {
          const time_t secs = static_cast<time_t>(f.last_modified_ms / 1000);
          struct tm tm{};
          ::localtime_r(&secs, &tm);
          char day[16];
          std::strftime(day, sizeof day, "%Y-%m-%d", &tm);
          dir = (fs::path(dir) / day).string();
        }
        const std::string to = move_to(f, dir);
        ctx_->log->info("finished {} ({} records delivered); moved to {}", f.path, st.polled, to);
        break;
      }
    }
  } catch (const std::exception& e) {
    // The records are delivered and the offset stored: a file left behind is
    // not read again (its stored offset covers it), so this is not fatal.
    ctx_->log->error("{} was delivered but cannot be cleaned up: {}", f.path, e.what());
  }
  ::unlink(marker_path(f).c_str());
  remove_empty_dirs(f);
}

void SpoolTask::cleanup_error(FileState& st) {
  const InputFile& f = st.file;
  const std::string where = st.error_where.empty() ? "" : st.error_where + ": ";
  std::string moved = f.path;
  try {
    moved = move_to(f, common_.error_path);
  } catch (const std::exception& e) {
    ctx_->log->error("cannot move {} to error.path: {}", f.path, e.what());
  }
  const time_t secs = static_cast<time_t>(now_ms() / 1000);
  struct tm tm{};
  ::gmtime_r(&secs, &tm);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
  const std::string report = fmt::format(
      "file: {}\nat: {}\nerror: {}\nrecords delivered before it: {}\nconnector: {}\ntime: {}\n", f.path,
      st.error_where.empty() ? "opening the file" : st.error_where, st.error, st.polled, ctx_->connector_name, when);
  try {
    write_small_file(moved + ".error", report);
  } catch (const std::exception& e) {
    ctx_->log->error("cannot write {}.error: {}", moved, e.what());
  }
  ::unlink(marker_path(f).c_str());
  remove_empty_dirs(f);
  const std::string message = fmt::format("cannot read {}: {}{}; moved to {} (see {}.error)", f.path, where, st.error, moved, moved);
  if (common_.halt_on_error) {
    throw ConnectError(message + "; halt.on.error=true stops the task (set it to false to go on with the next file)");
  }
  ctx_->log->error("{}; going on with the next file (halt.on.error=false)", message);
}

void SpoolTask::stop() {
  if (current_) {
    try {
      close_file();
    } catch (...) {
    }
  }
  // Markers stay for files not finished: the next run takes them over (they
  // name this process, which will be gone) and resumes at the stored offsets.
}

}  // namespace connectrun::spooldir
