// The spool directory source task every SpoolDir* plugin shares: finds files
// in input.path, marks the one being read, resumes it at its stored offset,
// and moves it to finished.path (or deletes it) only once every record read
// from it was delivered (commit_record) — or to error.path, with a .error
// file saying where and why, when it cannot be read. A format (CSV, JSON, …)
// only turns one open file into records.
#pragma once

#include <deque>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <unordered_map>
#include <vector>

#include "connectors/spooldir/spool_config.h"
#include "plugin/connector.h"

namespace connectrun::spooldir {

struct InputFile {
  std::string path;          // absolute
  std::string name;          // its name in its folder
  std::string relative_dir;  // its folder under input.path; empty at the top
  int64_t length = 0;
  int64_t last_modified_ms = 0;
};

// Input a format cannot read: `where` is "line 12" or "record 3 (line 7)".
class ParseError : public std::runtime_error {
 public:
  ParseError(std::string where, const std::string& what) : std::runtime_error(what), where_(std::move(where)) {}
  const std::string& where() const { return where_; }

 private:
  std::string where_;
};

class SpoolTask : public SourceTask {
 public:
  void configure(const config::ConfigValues& cfg) override;
  void start(SourceTaskContext& ctx) override;
  PollStatus poll(std::vector<Record>& out, std::chrono::milliseconds max_wait) override;
  bool wants_commit_record() const override { return true; }
  // {"fileName": a file name} → {"offset": records read, 0 or more} (the Java connector's shapes).
  std::optional<std::string> check_offset(const Value& partition, const Value& offset) const override;
  void commit_record(const Record& record, const RecordMetadata* metadata) override;
  void stop() override;

 protected:
  // The format's keys (after the shared ones were read into common_).
  virtual void configure_format(const config::ConfigValues& cfg) = 0;
  // Opens `file`; records up to and including `stored_offset` (-1: none) were
  // delivered before and are skipped. Throws ParseError or std::runtime_error.
  virtual void open_file(const InputFile& file, int64_t stored_offset) = 0;
  // Appends up to `max` records (with add_record); false once the file is
  // read to its end. Throws ParseError for input it cannot read: the records
  // it appended before stay and are delivered.
  virtual bool read_batch(std::vector<Record>& out, size_t max) = 0;
  virtual void close_file() = 0;

  // A record of the open file with the given offset (its value and key set by the caller).
  Record& add_record(std::vector<Record>& out, int64_t offset);
  // Sets a struct value's timestamp for timestamp.mode FIELD.
  void set_field_timestamp(Record& r, const std::string& field) const;

  SpoolConfig common_;
  SourceTaskContext* ctx_ = nullptr;

 private:
  struct FileState;
  void scan();
  bool open_next();
  bool take_marker(const InputFile& f);
  void finish_ready();
  void finish(FileState& st);
  void cleanup_success(FileState& st);
  void cleanup_error(FileState& st);
  std::string move_to(const InputFile& f, const std::string& dir);
  void remove_empty_dirs(const InputFile& f);
  std::string marker_path(const InputFile& f) const;
  int64_t stored_offset(const Value& partition, const InputFile& f) const;

  std::deque<InputFile> queue_;
  std::shared_ptr<FileState> current_;
  std::vector<std::shared_ptr<FileState>> in_flight_;  // read (or being read), not yet finished, in read order
  std::unordered_map<const Value*, std::shared_ptr<FileState>> by_partition_;
  std::set<std::string> done_;       // cleanup.policy NONE: files finished this run (path, size, time)
  std::set<std::string> warned_;     // files skipped for a foreign marker, said once
  std::vector<Header> headers_;      // the open file's headers (file.offset last, set per record)
  bool halting_ = false;             // halt.on.error: a file failed; fail once its earlier records are delivered
  std::string halt_message_;
  bool said_empty_ = false;
};

}  // namespace connectrun::spooldir
