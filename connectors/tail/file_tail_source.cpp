#include "connectors/tail/file_tail_source.h"

#include <dirent.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <set>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "connectors/tail/tailed_file.h"
#include "plugin/topic_name.h"

namespace connectrun::tail {

namespace {

using config::KeyType;
using namespace std::chrono_literals;

std::string parent_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? std::string("/") : path.substr(0, slash);
}

bool has_glob_chars(std::string_view s) { return s.find_first_of("*?[{") != std::string_view::npos; }

std::string base_of(const std::string& path) {
  const auto slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

class FileTailTask : public SourceTask {
 public:
  void configure(const config::ConfigValues& cfg) override {
    paths_ = cfg.get_list("paths");
    if (paths_.empty()) throw config::ConfigError("paths", "name at least one file or glob to read");
    exclude_ = cfg.get_list("exclude");
    read_from_end_ = cfg.get_string("read.from") == "end";
    s_.topic = cfg.get_string("topic");
    if (auto p = topic_name_problem(s_.topic)) throw config::ConfigError("topic", *p);
    s_.max_line_bytes = static_cast<size_t>(cfg.get_long("max.line.bytes"));
    s_.batch_size = static_cast<size_t>(cfg.get_int("batch.size"));
    s_.headers = cfg.get_bool("headers.enabled");
    const std::string pattern = cfg.get_string("multiline.start.pattern");
    // Java's Matcher.find(): the pattern anywhere in the line, as a full match.
    if (!pattern.empty())
      s_.multiline_start.emplace("(?s:.*?)(?:" + pattern + ")(?s:.*)", "multiline.start.pattern");
    s_.multiline_timeout = std::chrono::milliseconds(cfg.get_long("multiline.timeout.ms"));
    glob_interval_ = std::chrono::milliseconds(cfg.get_long("glob.interval.ms"));
    poll_interval_ = std::chrono::milliseconds(cfg.get_long("poll.interval.ms"));
    rotate_wait_ = std::chrono::milliseconds(cfg.get_long("rotate.wait.ms"));
    use_inotify_ = cfg.get_bool("inotify.enabled");
  }

  void start(SourceTaskContext& ctx) override {
    ctx_ = &ctx;
    if (use_inotify_) {
      inotify_ = std::make_unique<UniqueFd>(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
      if (inotify_->get() < 0) {
        ctx.log->warn("inotify is not available ({}); polling every {} ms instead", std::strerror(errno),
                      poll_interval_.count());
        inotify_.reset();
      }
    }
  }

  std::optional<std::string> check_offset(const Value& partition, const Value& offset) const override {
    return offset_shape_problem(partition, offset);
  }

  PollStatus poll(std::vector<Record>& out, std::chrono::milliseconds max_wait) override {
    const auto now = Clock::now();
    const size_t before = out.size();
    const bool first = !scanned_;
    if (first || rescan_ || now >= next_scan_) {
      rescan_ = false;
      eof_streak_ = 0;  // the files may have changed: a full round again
      scan(out, first);
      next_scan_ = now + glob_interval_;
    }
    Budget budget;
    const auto deadline = Clock::now() + 100ms;
    std::vector<TailedFile*> order;
    order.reserve(files_.size());
    for (auto& [id, f] : files_) order.push_back(f.get());
    // Round robin: the file after the one a full batch stopped at goes first.
    const size_t n = order.size();
    bool all_eof = true;
    for (size_t k = 0; k < n; ++k) {
      TailedFile* f = order[(turn_ + k) % n];
      if (budget.full(s_) || Clock::now() >= deadline || ctx_->stop_requested()) {
        turn_ = (turn_ + k) % n;
        all_eof = false;
        break;
      }
      const size_t mark = out.size();
      // A file found at its end last time may have been truncated since:
      // checked before reading on, or the new bytes would be read from the old position.
      if (f->at_eof) f->check_truncated(out, s_, *ctx_);
      if (!f->read(out, budget, s_, *ctx_, deadline)) {
        all_eof = false;
        eof_streak_ = 0;
        continue;
      }
      f->release_buffer();  // at its end with nothing left: many files by one glob keep little memory
      if (!f->at_eof) all_eof = false;
      f->flush_event(out, s_, ctx_->stop_at_end_of_data);
      if (f->at_eof && out.size() == mark) ++eof_streak_;
      else eof_streak_ = 0;
    }
    release(out);
    if (out.size() > before) return PollStatus::Ok;
    // A poll may stop at its deadline before it has seen every file (many
    // files, a slow machine): the files found at their end with nothing to
    // read, one after another across polls, count as well.
    if (ctx_->stop_at_end_of_data && (all_eof || eof_streak_ >= n)) return PollStatus::Exhausted;
    wait(max_wait);
    return PollStatus::Ok;
  }

  void stop() override {
    files_.clear();
    inotify_.reset();
  }

 private:
  bool excluded(const std::string& path) const {
    for (auto& ex : exclude_) {
      const bool by_name = ex.find('/') == std::string::npos;
      if (::fnmatch(ex.c_str(), (by_name ? base_of(path) : path).c_str(), 0) == 0) return true;
    }
    return false;
  }

  // The files the patterns match now, sorted, each once.
  std::vector<std::string> matches() const {
    std::set<std::string> found;
    for (auto& pattern : paths_) {
      glob_t g{};
      if (::glob(pattern.c_str(), GLOB_BRACE, nullptr, &g) == 0)
        for (size_t i = 0; i < g.gl_pathc; ++i) found.insert(g.gl_pathv[i]);
      ::globfree(&g);
    }
    std::vector<std::string> out;
    for (auto& p : found)
      if (!excluded(p)) out.push_back(p);
    return out;
  }

  void warn_once(const std::string& path, const std::string& message) {
    if (warned_.insert(path + '\n' + message).second) ctx_->log->warn("{}", message);
  }

  // Expands the patterns: new files are opened, renamed ones followed, and
  // files no longer under a matched name are read to their end and let go.
  void scan(std::vector<Record>& out, bool first) {
    scanned_ = true;
    const auto now = Clock::now();
    std::set<FileId> seen;
    const auto paths = matches();
    if (paths.empty() && files_.empty() && !warned_nothing_) {
      ctx_->log->info("no file matches {} yet; waiting for one", fmt::join(paths_, ", "));
      warned_nothing_ = true;
    }
    for (auto& path : paths) {
      struct stat st{};
      if (::stat(path.c_str(), &st) != 0) continue;  // gone since the glob
      if (S_ISDIR(st.st_mode)) {
        warn_once(path, fmt::format("{} is a directory, not a file: skipped (a glob such as {}/*.log reads the files "
                                    "in it)", path, path));
        continue;
      }
      if (!S_ISREG(st.st_mode)) {
        warn_once(path, fmt::format("{} is not a regular file (a FIFO, socket or device): skipped; FileTail follows "
                                    "regular files only", path));
        continue;
      }
      const FileId id{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
      seen.insert(id);
      if (auto it = files_.find(id); it != files_.end()) {
        if (it->second->path() != path) {
          ctx_->log->info("{} is now named {}; following it", it->second->path(), path);
          it->second->renamed(path);
        }
        it->second->named = true;
        continue;
      }
      open_file(path, id, st, first && read_from_end_, true);
    }
    for (auto& [id, f] : files_)
      if (f->named && !seen.count(id)) {
        f->named = false;
        f->unnamed_since = now;
        ctx_->log->info("{} was renamed or deleted; reading it to its end before letting it go", f->path());
      }
    watch_dirs(paths);
    if (first) find_rotated_while_stopped(out);
  }

  // Opens a matched file and decides where to start: its stored offset when
  // the identity and fingerprint match, else the start (or the end, for
  // read.from=end at the first scan).
  TailedFile* open_file(const std::string& path, const FileId& id, const struct stat& st, bool at_end, bool named) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
    if (fd.get() < 0) {
      warn_once(path, fmt::format("cannot open {}: {}; skipped until it can be read", path, std::strerror(errno)));
      return nullptr;
    }
    struct stat now{};
    if (::fstat(fd.get(), &now) != 0 || now.st_dev != st.st_dev || now.st_ino != st.st_ino) return nullptr;
    int64_t start = 0;
    const Value stored = released_.count(id) ? Value() : ctx_->offset_for(partition_of(id));
    if (!stored.is_null()) {
      // A damaged offset fails the connector: reading from byte 0 would send everything again.
      if (auto problem = offset_shape_problem(partition_of(id), stored))
        throw ConnectError(fmt::format("the stored offset of {} (device {}, inode {}) is unusable: {}. Fix that entry "
                                       "(`connectrun offsets set`), or remove it with `connectrun offsets reset "
                                       "--connector {}` to read the files from their start",
                                       path, id.dev, id.ino, *problem, ctx_->connector_name));
      if (auto p = resume_position(fd.get(), stored, now.st_size)) {
        start = *p;
        ctx_->log->info("resuming {} at byte {}", path, start);
      } else {
        ctx_->log->warn("{} is not the file last read under its identity (device {}, inode {}): its first bytes "
                        "differ or it is shorter; reading it from its start", path, id.dev, id.ino);
      }
    } else if (at_end) {
      start = now.st_size;
    }
    auto f = std::make_unique<TailedFile>(id, path, std::move(fd), start);
    f->named = named;
    f->unnamed_since = Clock::now();
    auto* raw = f.get();
    files_.emplace(id, std::move(f));
    return raw;
  }

  // Rotation while connectrun was stopped: a file in a watched folder whose
  // identity has a stored offset is the file read before under another name
  // (app.log now app.log.1): its rest is read, then it is let go.
  void find_rotated_while_stopped(std::vector<Record>& out) {
    for (auto& dir : dirs_) {
      std::unique_ptr<DIR, int (*)(DIR*)> d(::opendir(dir.c_str()), ::closedir);
      if (!d) continue;
      while (auto* e = ::readdir(d.get())) {
        const std::string path = dir + "/" + e->d_name;
        struct stat st{};
        if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
        const FileId id{static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)};
        if (files_.count(id) || ctx_->offset_for(partition_of(id)).is_null()) continue;
        UniqueFd probe(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK));
        if (probe.get() < 0 || !resume_position(probe.get(), ctx_->offset_for(partition_of(id)), st.st_size))
          continue;
        if (auto* f = open_file(path, id, st, false, false)) {
          ctx_->log->info("{} was read before under another name (rotated while connectrun was stopped): reading "
                          "its last {} bytes", path, static_cast<int64_t>(st.st_size) - f->position());
        }
      }
    }
    (void)out;
  }

  // Files no longer under a matched name are let go once read to their end and
  // rotate.wait.ms has passed (a writer may still append to a renamed file
  // until it reopens its log); their stored offsets are forgotten.
  void release(std::vector<Record>& out) {
    const auto now = Clock::now();
    for (auto it = files_.begin(); it != files_.end();) {
      TailedFile& f = *it->second;
      if (f.named || !f.at_eof || (!ctx_->stop_at_end_of_data && now - f.unnamed_since < rotate_wait_)) {
        ++it;
        continue;
      }
      f.finish(out, s_);
      out.push_back(f.forget(s_));
      ctx_->log->info("done with {} (read to its end at byte {})", f.path(), f.position());
      released_.insert(it->first);
      it = files_.erase(it);
    }
  }

  void watch_dirs(const std::vector<std::string>& paths) {
    std::set<std::string> dirs;
    for (auto& p : paths_)
      if (!has_glob_chars(parent_of(p))) dirs.insert(parent_of(p));
    for (auto& p : paths) dirs.insert(parent_of(p));
    for (auto& d : dirs) {
      if (!dirs_.insert(d).second || !inotify_) continue;
      const uint32_t mask = IN_MODIFY | IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE | IN_ATTRIB;
      if (::inotify_add_watch(inotify_->get(), d.c_str(), mask) < 0)
        warn_once(d, fmt::format("cannot watch {} with inotify: {}; it is polled every {} ms", d, std::strerror(errno),
                                 poll_interval_.count()));
    }
  }

  // Sleeps until inotify reports a change (or poll.interval.ms without it),
  // at most `max_wait`, and at most until the next glob expansion.
  void wait(std::chrono::milliseconds max_wait) {
    auto timeout = std::min(max_wait, inotify_ ? std::chrono::milliseconds(1000) : poll_interval_);
    const auto to_scan = std::chrono::duration_cast<std::chrono::milliseconds>(next_scan_ - Clock::now());
    timeout = std::max(std::chrono::milliseconds(1), std::min(timeout, to_scan));
    if (!inotify_) {
      std::this_thread::sleep_for(timeout);
      return;
    }
    pollfd p{inotify_->get(), POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) return;
    alignas(inotify_event) char events[16384];
    for (;;) {
      ssize_t len = ::read(inotify_->get(), events, sizeof events);
      if (len <= 0) break;
      for (char* e = events; e < events + len;) {
        auto* ev = reinterpret_cast<inotify_event*>(e);
        if (ev->mask & (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_Q_OVERFLOW | IN_ATTRIB))
          rescan_ = true;
        e += sizeof(inotify_event) + ev->len;
      }
    }
  }

  // Settings
  std::vector<std::string> paths_, exclude_;
  bool read_from_end_ = false;
  TailSettings s_;
  std::chrono::milliseconds glob_interval_{60000}, poll_interval_{250}, rotate_wait_{5000};
  bool use_inotify_ = true;

  SourceTaskContext* ctx_ = nullptr;
  std::unique_ptr<UniqueFd> inotify_;
  std::map<FileId, std::unique_ptr<TailedFile>> files_;
  std::set<FileId> released_;  // let go in this run: a reused inode is a new file, whatever is stored
  std::set<std::string> dirs_, warned_;
  bool scanned_ = false, rescan_ = false, warned_nothing_ = false;
  Clock::time_point next_scan_{};
  size_t turn_ = 0;
  size_t eof_streak_ = 0;  // files found at their end with nothing read, one after another (--once)
};

}  // namespace

PluginInfo file_tail_source_plugin() {
  PluginInfo p;
  p.name = "FileTail";
  p.aliases = {"FileTailSource"};
  p.kind = PluginKind::Source;
  p.summary = "Follows files and globs through rotation, one record per line (or multiline event).";
  p.description =
      "Each matched file is known by its device and inode plus a fingerprint of its first 1 KiB, never by its name, "
      "so it is followed through rename rotation (logrotate's create mode: the old file is read to its end first), "
      "copytruncate, rotation while connectrun was stopped, deletion and re-creation. The value is the line (schema "
      "STRING, the terminator \\n or \\r\\n removed, malformed UTF-8 replaced by U+FFFD), with the headers file.path, "
      "file.name and file.offset (the line's first byte). The source partition is {\"device\": D, \"inode\": I}, "
      "the offset {\"position\": <byte after the line>, \"fingerprint\": F, \"fingerprint.bytes\": N}; a file let "
      "go has its offset removed. inotify wakes the task up; polling is the fallback. With --once every matched "
      "file is read to its current end.";
  p.spec.define({.name = "paths", .type = KeyType::List, .default_value = std::nullopt,
                 .doc = "Files or globs to follow (glob(7) syntax with {a,b}), comma-separated."});
  p.spec.define({.name = "exclude", .type = KeyType::List, .default_value = config::ConfigValue{std::vector<std::string>{}},
                 .doc = "Globs of matched files to leave out; a glob without '/' is matched against the file name "
                        "(*.gz), one with '/' against the whole path."});
  p.spec.define({.name = "read.from", .type = KeyType::String, .default_value = config::ConfigValue{std::string("beginning")},
                 .doc = "Where to start in a file with no stored offset found at the first scan: beginning, or end "
                        "(only lines written from now on). Files that appear later are always read from their "
                        "beginning: every line of them is new.",
                 .validator = config::validators::one_of({"beginning", "end"})});
  p.spec.define({.name = "topic", .type = KeyType::String, .default_value = std::nullopt,
                 .doc = "The topic to publish lines to."});
  p.spec.define({.name = "multiline.start.pattern", .type = KeyType::String,
                 .default_value = config::ConfigValue{std::string()},
                 .doc = "A Java regular expression found at the start of each event (e.g. ^\\d{4}-\\d\\d-\\d\\d): a "
                        "line where it is not found is added to the event before it, with a \\n. Empty: one "
                        "record per line."});
  p.spec.define({.name = "multiline.timeout.ms", .type = KeyType::Long, .default_value = config::ConfigValue{int64_t{1000}},
                 .doc = "An event with no new line for this long is handed on (the next start line may never come).",
                 .validator = config::validators::at_least(1)});
  p.spec.define({.name = "max.line.bytes", .type = KeyType::Long, .default_value = config::ConfigValue{int64_t{1 << 20}},
                 .doc = "Longest line (and multiline event) in bytes. A longer line is never held in memory: it is "
                        "handed to errors.tolerance (none: the connector fails naming the file, byte and the line's "
                        "beginning; all: it is skipped, logged and counted). A longer event is cut into events of "
                        "at most this size at line boundaries.",
                 .validator = config::validators::at_least(1)});
  p.spec.define({.name = "glob.interval.ms", .type = KeyType::Long, .default_value = config::ConfigValue{int64_t{10000}},
                 .doc = "How often the globs are expanded again to find new and rotated files (inotify also "
                        "triggers it at once for watched folders).",
                 .validator = config::validators::at_least(1)});
  p.spec.define({.name = "rotate.wait.ms", .type = KeyType::Long, .default_value = config::ConfigValue{int64_t{5000}},
                 .doc = "How long a file no longer under a matched name is still followed after its end, for a "
                        "writer that appends to it until it reopens its log.",
                 .validator = config::validators::at_least(0)});
  p.spec.define({.name = "inotify.enabled", .type = KeyType::Boolean, .default_value = config::ConfigValue{true},
                 .doc = "Wake up on inotify events. Set false on network file systems (NFS, CIFS, FUSE), where "
                        "inotify does not see other hosts' writes: files are then polled every poll.interval.ms."});
  p.spec.define({.name = "poll.interval.ms", .type = KeyType::Long, .default_value = config::ConfigValue{int64_t{250}},
                 .doc = "How often files at their end are checked for more when inotify is off or unavailable.",
                 .validator = config::validators::at_least(1)});
  p.spec.define({.name = "headers.enabled", .type = KeyType::Boolean, .default_value = config::ConfigValue{false},
                 .doc = "Add the headers file.path, file.name and file.offset to every record. Off by default "
                        "(as Fluent Bit's Path_Key): each header is converted to text and back on the way to the "
                        "sink, which costs more than reading the line."});
  p.spec.define({.name = "batch.size", .type = KeyType::Int, .default_value = config::ConfigValue{int64_t{2000}},
                 .doc = "Maximum number of records returned by one poll.", .validator = config::validators::at_least(1)});
  p.make_source = [] { return std::make_unique<FileTailTask>(); };
  return p;
}

}  // namespace connectrun::tail
