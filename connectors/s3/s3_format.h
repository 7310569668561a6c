// The object formats of Confluent's S3 sink: JsonFormat (one JSON value per
// line, as JsonConverter with schemas.enable=false writes it) and
// ByteArrayFormat (the raw bytes and a separator), optionally gzip-compressed
// as one gzip stream per object (s3.compression.type); AvroFormat (an Avro
// object container file per object, s3_avro.h).
#pragma once

#include <zlib.h>

#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/s3/s3_avro.h"
#include "data/value.h"

namespace connectrun::s3 {

enum class FormatKind { Json, ByteArray, Avro };

struct FormatOptions {
  FormatKind kind = FormatKind::Json;
  std::string bytearray_extension = ".bin";
  std::string bytearray_separator = "\n";
  bool gzip = false;
  int gzip_level = -1;
  std::string avro_codec = "null";  // AvroFormat: avro.codec
  bool avro_enhanced = false;       // AvroFormat: enhanced.avro.schema.support
  bool avro_meta = true;            // AvroFormat: connect.meta.data
};

// format.class → kind; throws config::ConfigError for Parquet, unknown classes, and Avro in a build without
// the avro family.
FormatKind parse_format_class(const std::string& cls);
// "\\n" → "\n" and the other Java escapes, as format.bytearray.separator takes them.
std::string unescape_java(std::string_view s);

// The whole of a zlib stream: `window_bits` as inflateInit2 takes them (15 + 32: gzip or zlib; -15: raw
// deflate). Throws ConnectError "<what>: <why>" for damaged or truncated data.
std::string inflate_all(std::string_view in, int window_bits, const std::string& what);

// Appends one record's bytes (with its line separator). Throws DataException.
void encode_record(const FormatOptions& f, const Record& r, std::string& out);
// ".json", ".json.gz", ".bin", …
std::string extension(const FormatOptions& f);

// Object buffers kept for reuse. An object's bytes grow to megabytes: a fresh
// string regrows (copying everything at each doubling) and faults in new
// pages every time, which took most of the task thread's time; a buffer handed
// back after its upload keeps its capacity and its pages. Thread-safe (the
// uploader thread gives buffers back).
class BufferPool {
 public:
  std::string take();
  void give(std::string s);

 private:
  static constexpr size_t kKeep = 3;  // one being filled, one uploading, one spare
  std::mutex mu_;
  std::vector<std::string> free_;
};

// The bytes of one object being written: records go in, compressed when
// gzip is on; take() hands out what is ready for upload.
class ObjectBuffer {
 public:
  // Takes its buffers from `pool` (may be null). `expected_records` (flush.size)
  // sizes the object's bytes once its first records show their size, at most
  // `max_reserve` (s3.part.size: a larger object goes up in parts).
  ObjectBuffer(const FormatOptions& f, BufferPool* pool, int64_t expected_records = 0, size_t max_reserve = 0);
  ~ObjectBuffer();
  ObjectBuffer(const ObjectBuffer&) = delete;
  ObjectBuffer& operator=(const ObjectBuffer&) = delete;
  void add(const Record& r);  // throws DataException, leaving the buffer as it was (AvroFormat: ConnectError too)
  size_t ready_size() const { return z_ ? deflated_ : out_.size(); }
  std::string take_ready();   // what is ready so far (for a multipart part)
  std::string finish();       // the rest, closing the gzip stream

 private:
  void deflate_into(std::string_view in, int flush);
  void join_deflate();  // waits for the batch being deflated
  // gzip: records are deflated in batches of this many bytes, one batch at a
  // time on a thread of its own while the task encodes the next records (the
  // task's thread is the sink's critical path; deflating there made gzip runs
  // slower than plain ones). Large batches: one deflate() call per ~100-byte
  // record cost more than the compression itself.
  static constexpr size_t kDeflateBatch = 256 * 1024;
  // Records after which the object's size is estimated and reserved: a
  // buffer grown by doubling copies itself again and again (a few percent of
  // the task's time at 10 MB objects).
  static constexpr int64_t kSizeSample = 64;
  void reserve_expected();
  const FormatOptions& f_;
  BufferPool* pool_;
  int64_t expected_records_;
  size_t max_reserve_;
  int64_t records_ = 0;
  std::string line_;  // gzip: encoded records not deflated yet
  std::string deflating_in_;  // gzip: the batch being deflated
  std::future<void> deflating_;
  size_t deflated_ = 0;  // gzip: out_.size() when the last batch was done
  std::string out_;
  std::unique_ptr<z_stream> z_;
  std::unique_ptr<AvroContainerWriter> avro_;  // AvroFormat
};

}  // namespace connectrun::s3
