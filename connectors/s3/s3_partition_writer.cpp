#include "connectors/s3/s3_partition_writer.h"

#include <spdlog/spdlog.h>
#include <fmt/format.h>

#include <algorithm>

#include "plugin/retry.h"

namespace connectrun::s3 {

std::string object_key(const SinkSettings& s, const std::string& topic, const std::string& encoded, int32_t partition,
                       int64_t start_offset) {
  return fmt::format("{}{}{}{}{}{}{}{}{}{}{:0{}}{}", s.topics_dir, s.dir_delim, topic, s.dir_delim, encoded, s.dir_delim,
                     topic, s.file_delim, partition, s.file_delim, start_offset, s.pad_width, extension(s.format));
}

void Uploader::submit(std::function<void()> job) {
  wait();
  inflight_ = std::async(std::launch::async, std::move(job));
}

void Uploader::wait() {
  if (inflight_.valid()) inflight_.get();
}

void Uploader::check() {
  if (inflight_.valid() && inflight_.wait_for(std::chrono::seconds(0)) == std::future_status::ready) inflight_.get();
}

void Uploader::wait_quietly() {
  try {
    wait();
  } catch (const std::exception&) {  // already reported, or the task is going away: its records are read again
  }
}

PartitionWriter::PartitionWriter(TopicPartition tp, const SinkSettings& settings, const Partitioner& partitioner,
                                 S3Client& client, Uploader& uploader, const SinkTaskContext& ctx)
    : tp_(std::move(tp)), s_(settings), partitioner_(partitioner), client_(client), uploader_(uploader), ctx_(ctx) {}

PartitionWriter::~PartitionWriter() {
  uploader_.wait_quietly();  // a batch in flight refers to this writer
  abandon();
}

// Each S3 operation is tried within errors.retry.timeout (after the client's
// own s3.part.retries); what still fails then fails the task, not retried again
// by the engine, whose retry would hand put() the same records twice.
template <class F>
void PartitionWriter::s3_call(const std::string& what, F&& fn) {
  try {
    ctx_.retry(what, fn);
  } catch (const RetryStopped&) {
    throw;
  } catch (const ConnectError& e) {
    throw ConnectError(e.what(), false);
  }
}

bool PartitionWriter::due_on_time(const std::string& encoded, int64_t record_ts, int64_t now_ms) const {
  if (record_count_ <= 0) return false;
  bool periodic = s_.rotate_interval_ms > 0 && base_ts_ &&
                  (record_ts - *base_ts_ >= s_.rotate_interval_ms || encoded != current_encoded_);
  bool scheduled = s_.rotate_schedule_interval_ms > 0 && next_scheduled_ >= 0 && now_ms >= next_scheduled_;
  return periodic || scheduled;
}

void PartitionWriter::write(const Record& r, const std::string& encoded, int64_t now_ms) {
  // A new value schema completes the objects written with the old one
  // (schema.compatibility=NONE).
  if (seen_schema_ && !schemas_equal(current_schema_, r.value_schema) && record_count_ > 0) commit_all();
  current_schema_ = r.value_schema;
  seen_schema_ = true;
  int64_t ts = s_.rotate_interval_ms > 0 ? partitioner_.timestamp(r, now_ms) : now_ms;
  if (due_on_time(encoded, ts, now_ms)) commit_all();

  auto it = open_.find(encoded);
  if (it == open_.end()) {
    OpenObject o;
    o.key = object_key(s_, tp_.topic, encoded, tp_.partition, r.bus_offset);
    o.start_offset = r.bus_offset;
    o.buffer = std::make_unique<ObjectBuffer>(s_.format, &uploader_.buffers(), s_.flush_size, s_.part_size);
    it = open_.emplace(encoded, std::move(o)).first;
  }
  it->second.buffer->add(r);  // throws DataException before anything is counted
  if (record_count_ == 0) {
    base_ts_ = ts;
    if (s_.rotate_schedule_interval_ms > 0)
      next_scheduled_ = (now_ms / s_.rotate_schedule_interval_ms + 1) * s_.rotate_schedule_interval_ms;
  }
  current_encoded_ = encoded;
  ++record_count_;
  if (it->second.buffer->ready_size() >= s_.part_size) upload_parts(it->second, false, client_);
  if (record_count_ >= s_.flush_size) commit_all();
}

void PartitionWriter::rotate_if_due(int64_t now_ms) {
  bool scheduled = s_.rotate_schedule_interval_ms > 0 && record_count_ > 0 && next_scheduled_ >= 0 &&
                   now_ms >= next_scheduled_;
  // rotate.interval.ms with the wall clock also rotates while idle, as Confluent's does.
  bool periodic = s_.rotate_interval_ms > 0 && record_count_ > 0 && base_ts_ &&
                  partitioner_.extractor_ == Extractor::Wallclock && now_ms - *base_ts_ >= s_.rotate_interval_ms;
  if (scheduled || periodic) commit_all();
}

void PartitionWriter::upload_parts(OpenObject& o, bool last, S3Client& client) {
  std::string part = last ? o.buffer->finish() : o.buffer->take_ready();
  if (last && o.upload_id.empty()) {
    s3_call("write s3://" + o.key, [&] { client.put_object(o.key, part); });
    uploader_.buffers().give(std::move(part));
    return;
  }
  if (o.upload_id.empty())
    s3_call("start " + o.key, [&] { o.upload_id = client.create_multipart_upload(o.key); });
  if (!part.empty() || o.etags.empty()) {
    int number = static_cast<int>(o.etags.size()) + 1;
    std::string etag;
    s3_call(fmt::format("upload part {} of {}", number, o.key),
            [&] { etag = client.upload_part(o.key, o.upload_id, number, part); });
    o.etags.push_back(etag);
  }
  uploader_.buffers().give(std::move(part));
  if (last) s3_call("complete " + o.key, [&] { client.complete_multipart_upload(o.key, o.upload_id, o.etags); });
}

void PartitionWriter::commit_all() {
  // The open objects go to the uploader as one batch, completed in key order
  // while the task goes on; the position stays before their first record
  // until the whole batch is done. A failure fails the task at its next call.
  if (!open_.empty()) {
    auto batch = std::make_shared<std::vector<OpenObject>>();
    int64_t first = open_.begin()->second.start_offset;
    for (auto& [_, o] : open_) {
      first = std::min(first, o.start_offset);
      batch->push_back(std::move(o));
    }
    open_.clear();
    auto done = std::make_shared<std::atomic<bool>>(false);
    pending_.push_back({first, done});
    uploader_.submit([this, batch, done] {
      for (auto& o : *batch) {
        upload_parts(o, true, uploader_.client());
        ctx_.log->debug("wrote s3 object {}", o.key);
      }
      done->store(true);
    });
  }
  record_count_ = 0;
  base_ts_.reset();
  next_scheduled_ = -1;
}

int64_t PartitionWriter::safe_position(int64_t taken) {
  while (!pending_.empty() && pending_.front().done->load()) pending_.pop_front();
  int64_t pos = taken;
  for (const auto& p : pending_) pos = std::min(pos, p.start_offset);
  for (const auto& [_, o] : open_) pos = std::min(pos, o.start_offset);
  return pos;
}

void PartitionWriter::abandon() {
  for (auto& [_, o] : open_) {
    if (o.upload_id.empty()) continue;
    try {
      client_.abort_multipart_upload(o.key, o.upload_id);
    } catch (const std::exception& e) {
      if (ctx_.log) ctx_.log->warn("could not abort the multipart upload of {}: {}", o.key, e.what());
    }
  }
  open_.clear();
  record_count_ = 0;
  base_ts_.reset();
}

}  // namespace connectrun::s3
