// OffsetStore: source offsets in a readable JSON file, keyed as Kafka Connect's
// standalone store keys them: ["<connector>", {<source partition>}] → {<offset>}.
// Unlike Kafka's FileOffsetBackingStore it replaces the file atomically (temp
// file, fsync, rename, fsync of the folder), refuses a corrupt file instead of
// starting from zero, and holds an exclusive lock so two processes cannot share it.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "data/value.h"

namespace connectrun {

class OffsetStoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Another process holds the lock (exit 75).
class OffsetStoreLocked : public OffsetStoreError {
 public:
  using OffsetStoreError::OffsetStoreError;
};

// An exclusive flock() on "<offsets file>.lock", released when destroyed.
class FileLock {
 public:
  // Throws OffsetStoreError naming the holder's pid when another process holds it.
  explicit FileLock(const std::string& path);
  ~FileLock();
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;

 private:
  int fd_ = -1;
  std::string path_;
};

struct OffsetEntry {
  std::string connector;
  Value partition;  // schemaless map
  Value offset;     // schemaless map
};

class OffsetStore {
 public:
  // Locks and loads `path` (a missing file is an empty store). Throws
  // OffsetStoreError when the file is locked, unreadable or corrupt.
  static std::unique_ptr<OffsetStore> open(const std::string& path);
  // As open(), but while another process holds the lock, retries with backoff
  // for up to `wait` (--wait-lock) before throwing OffsetStoreLocked.
  static std::unique_ptr<OffsetStore> open(const std::string& path, std::chrono::milliseconds wait);
  // Loads without locking, for inspection only (never flushed).
  static std::unique_ptr<OffsetStore> read_only(const std::string& path);

  Value get(const std::string& connector, const Value& partition) const;  // null when unknown
  // A null offset removes the entry (Kafka's tombstone).
  void put(const std::string& connector, const Value& partition, const Value& offset);
  std::vector<OffsetEntry> entries() const;
  // Writes the file if anything changed since the last successful flush.
  // Returns an error text (and leaves the previous file intact) on failure.
  std::optional<std::string> flush();
  const std::string& path() const { return path_; }

  // "[\"name\",{...}]": the exact key Kafka Connect uses.
  static std::string key_of(const std::string& connector, const Value& partition);

 private:
  explicit OffsetStore(std::string path) : path_(std::move(path)) {}
  void load();

  std::string path_;
  std::unique_ptr<FileLock> lock_;
  mutable std::mutex mu_;
  std::map<std::string, OffsetEntry> entries_;  // by key_of()
  bool dirty_ = false;
};

// Writes `content` to `path` atomically: temp file beside it, fsync, rename,
// fsync of the folder. Returns an error text on failure; the old file is untouched.
std::optional<std::string> write_file_atomically(const std::string& path, std::string_view content);

}  // namespace connectrun
