#include "runtime/offset_store.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "json/json_reader.h"
#include "json/json_writer.h"

namespace connectrun {

namespace {
std::string os_error() { return std::strerror(errno); }

// Closes a file descriptor on scope exit.
struct Fd {
  int fd = -1;
  explicit Fd(int f) : fd(f) {}
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
};
}  // namespace

FileLock::FileLock(const std::string& path) : path_(path + ".lock") {
  fd_ = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw OffsetStoreError(fmt::format("cannot open lock file {}: {}", path_, os_error()));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    char buf[32] = {};
    ssize_t n = ::pread(fd_, buf, sizeof buf - 1, 0);
    std::string holder = n > 0 ? fmt::format(" (pid {})", std::string(buf, static_cast<size_t>(n))) : "";
    ::close(fd_);
    fd_ = -1;
    if (err == EWOULDBLOCK)
      throw OffsetStoreLocked(fmt::format(
          "offsets file {} is in use by another connectrun process{}; two processes cannot share one offsets "
          "file (stop the other, or give this job its own offset.storage.file.filename)",
          path, holder));
    throw OffsetStoreError(fmt::format("cannot lock {}: {}", path_, std::strerror(err)));
  }
  std::string pid = std::to_string(::getpid());
  if (::ftruncate(fd_, 0) == 0) (void)!::pwrite(fd_, pid.data(), pid.size(), 0);
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

std::optional<std::string> write_file_atomically(const std::string& path, std::string_view content) {
  std::string tmp = fmt::format("{}.tmp-{}", path, ::getpid());
  auto fail = [&](std::string_view what) {
    std::string msg = fmt::format("{} {}: {}", what, tmp, os_error());
    ::unlink(tmp.c_str());
    return msg;
  };
  {
    Fd f(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
    if (f.fd < 0) return fail("cannot create");
    size_t done = 0;
    while (done < content.size()) {
      ssize_t n = ::write(f.fd, content.data() + done, content.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        return fail("cannot write");
      }
      done += static_cast<size_t>(n);
    }
    if (::fsync(f.fd) != 0) return fail("cannot fsync");
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("cannot rename into place");
  std::string dir = std::filesystem::path(path).parent_path().string();
  Fd d(::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (d.fd >= 0) ::fsync(d.fd);  // makes the rename durable; a failure here cannot tear the file
  return std::nullopt;
}

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
  store->lock_ = std::make_unique<FileLock>(path);
  store->load();
  return store;
}

std::unique_ptr<OffsetStore> OffsetStore::open(const std::string& path, std::chrono::milliseconds wait) {
  auto deadline = std::chrono::steady_clock::now() + wait;
  auto delay = std::chrono::milliseconds(50);
  for (;;) {
    try {
      return open(path);
    } catch (const OffsetStoreLocked& e) {
      auto now = std::chrono::steady_clock::now();
      if (now >= deadline) {
        if (wait.count() <= 0) throw;
        throw OffsetStoreLocked(fmt::format("{} (gave up after waiting {:g} s for it, --wait-lock)", e.what(),
                                            std::chrono::duration<double>(wait).count()));
      }
      if (delay == std::chrono::milliseconds(50))  // said once, so a waiting cron job's log shows why it is quiet
        spdlog::info("{}; waiting up to {:g} s for it (--wait-lock)", e.what(),
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
  std::error_code ec;
  if (!std::filesystem::exists(path_, ec)) return;
  std::ifstream in(path_, std::ios::binary);
  if (!in) throw OffsetStoreError(fmt::format("cannot read offsets file {}: {}", path_, os_error()));
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) return;  // empty file: no offsets yet
  auto corrupt = [&](const std::string& why) {
    return OffsetStoreError(fmt::format(
        "offsets file {} is corrupt ({}); refusing to start rather than re-read every source from the "
        "beginning. Fix the file, or move it aside to start over",
        path_, why));
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
  if (offset.is_null()) {
    dirty_ |= entries_.erase(key) > 0;
    return;
  }
  auto& e = entries_[key];
  if (e.connector == connector && e.offset == offset) return;
  e = OffsetEntry{connector, partition, offset};
  dirty_ = true;
}

std::vector<OffsetEntry> OffsetStore::entries() const {
  std::lock_guard lock(mu_);
  std::vector<OffsetEntry> out;
  for (auto& [k, e] : entries_) out.push_back(e);
  return out;
}

std::optional<std::string> OffsetStore::flush() {
  std::string text;
  {
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
    text += "\n]}\n";
    dirty_ = false;
  }
  if (auto err = write_file_atomically(path_, text)) {
    std::lock_guard lock(mu_);
    dirty_ = true;  // try again at the next flush
    return err;
  }
  return std::nullopt;
}

}  // namespace connectrun
