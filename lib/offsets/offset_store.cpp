#include "offsets/offset_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "json/json_reader.h"
#include "json/json_writer.h"
#include "offsets/kafka_offsets_file.h"

namespace connectrun {

OffsetEntry sink_offset_entry(const std::string& connector, const std::string& topic, int32_t partition,
                              int64_t offset) {
  return OffsetEntry{connector, MapEntries{{"kafka_topic", topic}, {"kafka_partition", static_cast<int64_t>(partition)}},
                     MapEntries{{"kafka_offset", offset}}};
}

std::string connector_offsets_json(const std::vector<OffsetEntry>& entries) {
  std::string out = "{\"offsets\":[";
  bool first = true;
  for (auto& o : entries) {
    out += first ? "{\"partition\":" : ",{\"partition\":";
    first = false;
    append_schemaless_json(out, o.partition);
    out += ",\"offset\":";
    append_schemaless_json(out, o.offset);
    out += "}";
  }
  return out + "]}";
}

namespace {
std::string os_error() { return std::strerror(errno); }

// The folder of an offsets file, or OffsetStoreError naming it.
Folder folder_of(const std::string& path) {
  try {
    return Folder(path);
  } catch (const std::runtime_error& e) {
    throw OffsetStoreError(e.what());
  }
}
}  // namespace

FileLock::FileLock(const std::string& path) : FileLock(folder_of(path), path) {}

FileLock::FileLock(const Folder& folder, const std::string& path) {
  const std::string name = file_name_of(path) + ".lock";
  try {
    fd_ = open_private_file(folder, name, "lock file");
  } catch (const std::runtime_error& e) {
    throw OffsetStoreError(e.what());
  }
  if (::flock(fd_.get(), LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    char buf[32] = {};
    ssize_t n = ::pread(fd_.get(), buf, sizeof buf - 1, 0);
    std::string holder = n > 0 ? fmt::format(" (pid {})", std::string(buf, static_cast<size_t>(n))) : "";
    fd_.reset();
    if (err == EWOULDBLOCK)
      throw OffsetStoreLocked(fmt::format(
          "offsets file {} is in use by another connectrun process{}; two processes cannot share one offsets "
          "file (stop the other, or give this job its own offset.storage.file.filename)",
          path, holder));
    throw OffsetStoreError(fmt::format("cannot lock {}: {}", folder.path_of(name), std::strerror(err)));
  }
  std::string pid = std::to_string(::getpid());
  if (::ftruncate(fd_.get(), 0) == 0) (void)!::pwrite(fd_.get(), pid.data(), pid.size(), 0);
}

OffsetStore::OffsetStore(std::string path)
    : path_(std::move(path)), file_path_(path_), folder_(folder_of(path_)), name_(file_name_of(path_)) {}

std::string OffsetStore::key_of(const std::string& connector, const Value& partition) {
  std::string out = "[";
  append_json_string(out, connector);
  out += ',';
  append_schemaless_json(out, partition);
  out += ']';
  return out;
}

std::unique_ptr<OffsetStore> OffsetStore::open(const std::string& path) {
  std::unique_ptr<OffsetStore> store(new OffsetStore(path));
  store->lock_ = std::make_unique<FileLock>(*store->folder_, path);
  store->load();
  return store;
}

std::unique_ptr<OffsetStore> OffsetStore::open(const std::string& path, std::chrono::milliseconds wait) {
  return open(path, wait, false);
}

std::unique_ptr<OffsetStore> OffsetStore::open_replacing_kafka_file(const std::string& path,
                                                                    std::chrono::milliseconds wait) {
  return open(path, wait, true);
}

std::unique_ptr<OffsetStore> OffsetStore::open(const std::string& path, std::chrono::milliseconds wait,
                                               bool replace_kafka) {
  auto deadline = std::chrono::steady_clock::now() + wait;
  auto delay = std::chrono::milliseconds(50);
  for (;;) {
    try {
      std::unique_ptr<OffsetStore> store(new OffsetStore(path));
      store->replace_kafka_ = replace_kafka;
      store->lock_ = std::make_unique<FileLock>(*store->folder_, path);
      store->load();
      return store;
    } catch (const OffsetStoreLocked& e) {
      auto now = std::chrono::steady_clock::now();
      if (now >= deadline) {
        if (wait.count() <= 0) throw;
        throw OffsetStoreLocked(fmt::format("{} (gave up after waiting {:g} s for it)", e.what(),
                                            std::chrono::duration<double>(wait).count()));
      }
      if (delay == std::chrono::milliseconds(50))  // said once, so a waiting cron job's log shows why it is quiet
        spdlog::info("{}; waiting up to {:g} s for it", e.what(),
                     std::chrono::duration<double>(wait).count());
      // flock has no timed wait; poll with backoff, never sleeping past the deadline.
      std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(delay, deadline - now));
      delay = std::min(delay * 2, std::chrono::milliseconds(1000));
    }
  }
}

std::unique_ptr<OffsetStore> OffsetStore::read_only(const std::string& path) {
  std::unique_ptr<OffsetStore> store(new OffsetStore(path));
  store->load();
  return store;
}

void OffsetStore::load() {
  // "offsets file X is …; refusing to start …. What to do."
  auto damaged = [&](const std::string& what, const std::string& fix) {
    return OffsetStoreError(fmt::format(
        "offsets file {} {}; refusing to start rather than re-read every source from the beginning. {}", path_, what, fix));
  };
  // Never through a symbolic link: the file is replaced (renameat) on every
  // write, so a link there is not one connectrun made. O_NONBLOCK: a FIFO must not hang the start.
  UniqueFd fd(::openat(folder_->fd(), name_.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!fd) {
    if (errno == ENOENT) return;  // no offsets yet
    if (errno == ELOOP)
      throw damaged("is a symbolic link (connectrun replaces that file on every write and never follows a link there)",
                    "Set offset.storage.file.filename to the real file, or remove the link");
    throw OffsetStoreError(fmt::format("cannot read offsets file {}: {}", path_, os_error()));
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) throw OffsetStoreError(fmt::format("cannot read offsets file {}: {}", path_, os_error()));
  if (S_ISDIR(st.st_mode))
    throw damaged("is a directory", "offset.storage.file.filename must name a file: choose another path, or remove the directory");
  if (!S_ISREG(st.st_mode))
    throw damaged("is not a regular file", "Remove it, or choose another offset.storage.file.filename");
  std::string text;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw OffsetStoreError(fmt::format("cannot read offsets file {}: {}", path_, os_error()));
    }
    if (n == 0) break;
    text.append(buf, static_cast<size_t>(n));
  }
  // connect-standalone's own file, as Kafka's worker.properties names it: not
  // damaged, only another format, which `offsets import` converts.
  if (is_java_serialization(text) && replace_kafka_) {
    dirty_ = true;  // the first flush replaces Kafka's file, even with no entries
    return;
  }
  if (is_java_serialization(text))
    throw OffsetStoreError(fmt::format(
        "offsets file {} is Kafka Connect's offsets file (a Java-serialized map written by connect-standalone), not "
        "connectrun's. Import its offsets with `connectrun offsets import --from-kafka-connect {} JOBFILE...` (the "
        "same job files; a copy of the original is kept as {}.kafka-connect), or set offset.storage.file.filename "
        "to another file to start over",
        path_, path_, path_));
  // connectrun replaces the file whole (rename), so it never leaves it empty:
  // something else truncated or created it, and what was stored is gone.
  if (text.find_first_not_of(" \t\r\n") == std::string::npos)
    throw damaged(fmt::format("is empty ({} bytes{}): connectrun never writes an empty offsets file, so it was "
                              "truncated or made by something else",
                              text.size(), text.empty() ? "" : ", whitespace only"),
                  "Restore it from a backup, or delete it to start every source over from the beginning");
  auto corrupt = [&](const std::string& why) {
    return damaged(fmt::format("is corrupt ({})", why), "Fix the file, or move it aside to start over");
  };
  Value doc;
  try {
    doc = parse_schemaless_json(text);
  } catch (const std::exception& e) {
    throw corrupt(e.what());
  }
  const Value* list = doc.find("offsets");
  if (!list || !list->is<Array>()) throw corrupt("expected an object with an \"offsets\" array");
  for (const auto& item : list->as<Array>()) {
    const Value* key = item.find("key");
    const Value* offset = item.find("offset");
    if (!key || !offset || !key->is<Array>() || key->as<Array>().size() != 2 ||
        !key->as<Array>()[0].is<std::string>() || !key->as<Array>()[1].is<MapEntries>() ||
        !(offset->is<MapEntries>() || offset->is_null()))
      throw corrupt("each entry needs \"key\": [connector, {partition}] and \"offset\": {…}");
    const auto& k = key->as<Array>();
    put(k[0].as<std::string>(), k[1], *offset);
  }
  // Files written before topic offsets were kept have none: numbering starts at 0.
  if (const Value* topics = doc.find("topic_offsets")) {
    if (!topics->is<Array>()) throw corrupt("\"topic_offsets\" must be an array");
    std::vector<NextOffset> next;
    for (const auto& item : topics->as<Array>()) {
      const Value* topic = item.find("topic");
      const Value* partition = item.find("partition");
      const Value* offset = item.find("next_offset");
      if (!topic || !partition || !offset || !topic->is<std::string>() || !partition->is<int64_t>() ||
          !offset->is<int64_t>() || partition->as<int64_t>() < 0 || partition->as<int64_t>() > INT32_MAX ||
          offset->as<int64_t>() < 0)
        throw corrupt("each \"topic_offsets\" entry needs \"topic\": string, \"partition\" and \"next_offset\": "
                      "non-negative integers");
      next.push_back(NextOffset{topic->as<std::string>(), static_cast<int32_t>(partition->as<int64_t>()),
                                offset->as<int64_t>()});
    }
    put_next_offsets(next);
  }
  dirty_ = false;
}

Value OffsetStore::get(const std::string& connector, const Value& partition) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(key_of(connector, partition));
  return it == entries_.end() ? Value() : it->second.offset;
}

void OffsetStore::put(const std::string& connector, const Value& partition, const Value& offset) {
  std::string key = key_of(connector, partition);
  std::lock_guard lock(mu_);
  put_locked(key, connector, partition, offset);
}

void OffsetStore::put_locked(const std::string& key, const std::string& connector, const Value& partition,
                             const Value& offset) {
  if (offset.is_null()) {
    if (entries_.erase(key) == 0) return;
  } else {
    auto& e = entries_[key];
    if (e.connector == connector && e.offset == offset) return;
    e = OffsetEntry{connector, partition, offset};
  }
  dirty_ = true;
  if (backing_) changed_.insert(key);
}

std::vector<OffsetEntry> OffsetStore::entries() const {
  std::lock_guard lock(mu_);
  std::vector<OffsetEntry> out;
  for (auto& [k, e] : entries_) out.push_back(e);
  return out;
}

std::vector<NextOffset> OffsetStore::next_offsets() const {
  std::lock_guard lock(mu_);
  std::vector<NextOffset> out;
  for (auto& [tp, next] : next_offsets_) out.push_back(NextOffset{tp.first, tp.second, next});
  return out;
}

void OffsetStore::put_next_offsets(const std::vector<NextOffset>& next) {
  std::lock_guard lock(mu_);
  for (auto& n : next) {
    auto [it, added] = next_offsets_.try_emplace({n.topic, n.partition}, n.offset);
    if (added) {
      dirty_ = true;
    } else if (n.offset > it->second) {
      it->second = n.offset;
      dirty_ = true;
    }
  }
}

std::optional<std::string> OffsetStore::flush() {
  // One flush at a time (the engine's and a stopping source task's): a flush
  // that returns has written everything put before it, and an older text
  // never replaces a newer one.
  std::lock_guard flushing(flush_mu_);
  if (backing_) return flush_backing();
  std::string text;
  {
    auto held = hold_flush();
    std::lock_guard lock(mu_);
    if (!dirty_) return std::nullopt;
    // One entry per line: readable, and diffable between flushes.
    text = "{\"offsets\":[";
    bool first = true;
    for (auto& [k, e] : entries_) {
      text += first ? "\n  " : ",\n  ";
      first = false;
      text += "{\"key\":" + k + ",\"offset\":";
      append_schemaless_json(text, e.offset);
      text += '}';
    }
    text += "\n]";
    if (!next_offsets_.empty()) {
      text += ",\n\"topic_offsets\":[";
      first = true;
      for (auto& [tp, next] : next_offsets_) {
        text += first ? "\n  " : ",\n  ";
        first = false;
        text += "{\"topic\":";
        append_json_string(text, tp.first);
        text += fmt::format(",\"partition\":{},\"next_offset\":{}}}", tp.second, next);
      }
      text += "\n]";
    }
    text += "}\n";
    dirty_ = false;
  }
  if (auto err = write_file_atomically(*folder_, name_, text)) {
    std::lock_guard lock(mu_);
    dirty_ = true;  // try again at the next flush
    return err;
  }
  return std::nullopt;
}

}  // namespace connectrun
