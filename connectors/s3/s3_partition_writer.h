// One topic partition's objects in progress, rotated as Confluent's
// TopicPartitionWriter rotates them: by flush.size (records of the topic
// partition), rotate.interval.ms (record time), rotate.schedule.interval.ms
// (wall clock) and schema change; every open object of the partition is
// completed at once, and only then does its position advance.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connectors/s3/s3_client.h"
#include "connectors/s3/s3_format.h"
#include "connectors/s3/s3_partitioner.h"
#include "plugin/connector.h"

namespace connectrun::s3 {

struct SinkSettings {
  std::string topics_dir = "topics";
  std::string dir_delim = "/";
  std::string file_delim = "+";
  int pad_width = 10;
  int64_t flush_size = 1;
  int64_t rotate_interval_ms = -1;
  int64_t rotate_schedule_interval_ms = -1;
  size_t part_size = 25u << 20;
  FormatOptions format;
};

// <topics.dir>/<topic>/<encoded partition>/<topic>+<p>+<start offset, zero-padded><ext>
std::string object_key(const SinkSettings& s, const std::string& topic, const std::string& encoded, int32_t partition,
                       int64_t start_offset);

// Completes objects on a thread of its own, one batch at a time with a client
// of its own, so the task goes on encoding the next records meanwhile.
class Uploader {
 public:
  explicit Uploader(std::unique_ptr<S3Client> client) : client_(std::move(client)) {}
  ~Uploader() { wait_quietly(); }
  Uploader(const Uploader&) = delete;
  Uploader& operator=(const Uploader&) = delete;
  S3Client& client() { return *client_; }
  BufferPool& buffers() { return buffers_; }
  // Waits for the batch in flight (rethrowing its failure), then starts `job`.
  void submit(std::function<void()> job);
  // Waits for the batch in flight; rethrows its failure.
  void wait();
  // Rethrows the failure of a batch that has finished, without waiting.
  void check();
  void wait_quietly();

 private:
  std::unique_ptr<S3Client> client_;
  BufferPool buffers_;  // object buffers, back from their uploads
  std::future<void> inflight_;
};

class PartitionWriter {
 public:
  PartitionWriter(TopicPartition tp, const SinkSettings& settings, const Partitioner& partitioner, S3Client& client,
                  Uploader& uploader, const SinkTaskContext& ctx);
  ~PartitionWriter();
  // Adds a record (its encoded partition given), completing the objects first
  // or after when a rotation rule says so. Throws ConnectError when S3 fails.
  void write(const Record& r, const std::string& encoded, int64_t now_ms);
  // Completes the open objects now (the end of a --once run).
  void complete() { commit_all(); }
  // Completes the objects when a time rule is due while no records come.
  void rotate_if_due(int64_t now_ms);
  // The position safe to commit: the first record still in an open object or
  // in one being completed, or `taken` (the position after what was taken)
  // when there is none.
  int64_t safe_position(int64_t taken);
  // Drops the open objects (their records are read again), aborting uploads.
  void abandon();

 private:
  struct OpenObject {
    std::string key;
    int64_t start_offset = 0;
    std::unique_ptr<ObjectBuffer> buffer;
    std::string upload_id;
    std::vector<std::string> etags;
  };
  bool due_on_time(const std::string& encoded, int64_t record_ts, int64_t now_ms) const;
  void commit_all();
  void upload_parts(OpenObject& o, bool last, S3Client& client);
  template <class F> void s3_call(const std::string& what, F&& fn);

  TopicPartition tp_;
  const SinkSettings& s_;
  const Partitioner& partitioner_;
  S3Client& client_;
  Uploader& uploader_;
  const SinkTaskContext& ctx_;
  struct Pending {
    int64_t start_offset;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::deque<Pending> pending_;  // batches handed to the uploader, oldest first
  std::map<std::string, OpenObject> open_;  // by encoded partition
  int64_t record_count_ = 0;
  std::optional<int64_t> base_ts_;
  std::string current_encoded_;
  SchemaPtr current_schema_;
  bool seen_schema_ = false;
  int64_t next_scheduled_ = -1;
};

}  // namespace connectrun::s3
