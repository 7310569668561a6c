// OffsetStore: source offsets in a readable JSON file, keyed as Kafka Connect's
// standalone store keys them: ["<connector>", {<source partition>}] → {<offset>}.
// Unlike Kafka's FileOffsetBackingStore it replaces the file atomically (temp
// file, fsync, rename, fsync of the folder), refuses a corrupt file instead of
// starting from zero, and holds an exclusive lock so two processes cannot share it.
// Both files are private (mode 0600) and never written through a symbolic link
// (offsets/private_file.h).
//
// Beside the source offsets, the file keeps where the in-process bus's
// numbering of each topic partition stands (bus/topic_offsets.h), in a member
// of its own that listings never show and older versions ignore:
//   {"offsets":[{"key":["name",{…}],"offset":{…}},…],
//    "topic_offsets":[{"topic":"t","partition":0,"next_offset":42},…]}
// Written only when there is one, so a Kafka-bus job's file is as before.
//
// Opened with a backing (open_backed(): Kafka Connect's offsets topic), the
// same in-memory map is loaded from and flushed to it instead: a flush writes
// only the entries changed since the last one, a removed entry as a tombstone,
// and takes no lock (the backing may be shared with other processes).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "bus/bus.h"
#include "data/value.h"
#include "offsets/offset_backing_store.h"
#include "offsets/private_file.h"

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

// An exclusive flock() on "<offsets file>.lock" (mode 0600, holding the pid),
// released when destroyed.
class FileLock {
 public:
  // Throws OffsetStoreLocked naming the holder's pid when another process
  // holds it, OffsetStoreError when it cannot be taken (a symbolic link at the
  // lock's path, say: refused, never followed).
  explicit FileLock(const std::string& path);
  FileLock(const Folder& folder, const std::string& path);

 private:
  UniqueFd fd_;
};

struct OffsetEntry {
  std::string connector;
  Value partition;  // schemaless map
  Value offset;     // schemaless map
};

// A sink connector's offset as Kafka Connect shows it (KIP-875):
// {"kafka_topic","kafka_partition"} → {"kafka_offset"}.
OffsetEntry sink_offset_entry(const std::string& connector, const std::string& topic, int32_t partition,
                              int64_t offset);
// Kafka Connect's ConnectorOffsets body (GET /connectors/NAME/offsets):
// {"offsets":[{"partition":{…},"offset":{…}},…]}.
std::string connector_offsets_json(const std::vector<OffsetEntry>& entries);

class OffsetStore {
 public:
  // Locks and loads `path` (a missing file is an empty store). Throws
  // OffsetStoreError when the file is locked, unreadable, damaged (empty, a
  // directory, a symbolic link, not the expected JSON) or its folder cannot be opened.
  static std::unique_ptr<OffsetStore> open(const std::string& path);
  // As open(), but while another process holds the lock, retries with backoff
  // for up to `wait` (--wait-lock) before throwing OffsetStoreLocked.
  static std::unique_ptr<OffsetStore> open(const std::string& path, std::chrono::milliseconds wait);
  // As open(path, wait), for `offsets import` converting connect-standalone's
  // own file in place: when the file at `path` is Kafka Connect's offsets file
  // (Java serialization), the store starts empty and its first flush replaces it.
  static std::unique_ptr<OffsetStore> open_replacing_kafka_file(const std::string& path, std::chrono::milliseconds wait);
  // Loads without locking, for inspection only (never flushed).
  static std::unique_ptr<OffsetStore> read_only(const std::string& path);
  // Loads every record of `backing` (records that are not source offsets in
  // Kafka Connect's format are skipped, with one warning); flush() writes to
  // it. `file` is the job's offset.storage.file.filename, for file_path().
  // Throws OffsetStoreError when the backing cannot be read.
  static std::unique_ptr<OffsetStore> open_backed(std::unique_ptr<OffsetBackingStore> backing, const std::string& file);

  Value get(const std::string& connector, const Value& partition) const;  // null when unknown
  // A null offset removes the entry (Kafka's tombstone).
  void put(const std::string& connector, const Value& partition, const Value& offset);
  // Exactly-once sources: the entry was already stored in the backing, in the
  // transaction that wrote its records, so flush() does not write it again.
  void put_stored(const std::string& connector, const Value& partition, const Value& offset);
  // The backing record of an entry (Kafka Connect's bytes, under the key bytes
  // the backing already has for it), for a transaction to store it.
  OffsetRecord backing_record(const std::string& connector, const Value& partition, const Value& offset) const;
  std::vector<OffsetEntry> entries() const;  // source offsets only
  // The in-process bus's next offset per topic partition.
  std::vector<NextOffset> next_offsets() const;
  // Stores next offsets; one never moves back (producers of one topic store
  // theirs out of order, and an offset given must never be given again).
  void put_next_offsets(const std::vector<NextOffset>& next);
  // Holds flush() back while held: a source batch's offsets and its records'
  // next offsets, put one by one, reach the file together or not at all.
  [[nodiscard]] std::unique_lock<std::mutex> hold_flush() { return std::unique_lock(batch_mu_); }
  // With a backing: reads it to its end again and takes the entries other
  // processes stored since (a cluster's process taking over a task, which
  // must resume where its last owner stored). Entries changed here and not yet
  // flushed keep their value. A file: nothing to do. Throws OffsetStoreError
  // when the backing cannot be read.
  void refresh();
  // Writes the file if anything changed since the last successful flush.
  // Returns an error text (and leaves the previous file intact) on failure.
  // Thread-safe: concurrent flushes take turns.
  std::optional<std::string> flush();
  // Where offsets are stored, for messages: the file, or the backing's name.
  const std::string& path() const { return path_; }
  // offset.storage.file.filename (what files kept beside the offsets are named after).
  const std::string& file_path() const { return file_path_; }

  // "[\"name\",{...}]": the exact key Kafka Connect uses.
  static std::string key_of(const std::string& connector, const Value& partition);

 private:
  explicit OffsetStore(std::string path);
  OffsetStore(std::unique_ptr<OffsetBackingStore> backing, std::string file);
  static std::unique_ptr<OffsetStore> open(const std::string& path, std::chrono::milliseconds wait, bool replace_kafka);
  void load();
  void load_backing();
  // Puts the records read from the backing, but for the keys in `keep`; mu_ held.
  void apply_backing(const std::vector<OffsetRecord>& records, const std::set<std::string>& keep);
  void put_locked(const std::string& key, const std::string& connector, const Value& partition, const Value& offset);
  std::optional<std::string> flush_backing();

  std::string path_;
  std::string file_path_;
  std::optional<Folder> folder_;  // opened once: the file is read, replaced and locked relative to it (file mode)
  std::string name_;  // the file's name in folder_
  std::unique_ptr<FileLock> lock_;
  std::mutex flush_mu_;  // held for a whole flush (write included), taken first
  std::mutex batch_mu_;  // hold_flush(): a batch's puts against the taking of the file's text; before mu_
  mutable std::mutex mu_;
  std::map<std::string, OffsetEntry> entries_;  // by key_of()
  std::map<std::pair<std::string, int32_t>, int64_t> next_offsets_;  // (topic, partition) → next offset
  bool dirty_ = false;
  bool replace_kafka_ = false;  // open_replacing_kafka_file()
  std::unique_ptr<OffsetBackingStore> backing_;  // open_backed()
  std::set<std::string> changed_;  // keys put since the last flush (with a backing)
  // A key read from the backing in other bytes than key_of() gives (another
  // writer's JSON): written back under those bytes, so compaction replaces it.
  std::map<std::string, std::string> wire_keys_;
};

}  // namespace connectrun
