#include "connectors/s3/s3_format.h"

#include <stdexcept>

#include <fmt/format.h>

#include "config/spec.h"
#include "connectors/s3/s3_json.h"
#include "plugin/connect_error.h"

namespace connectrun::s3 {

FormatKind parse_format_class(const std::string& cls) {
  std::string n = cls.substr(cls.rfind('.') == std::string::npos ? 0 : cls.rfind('.') + 1);
  if (n == "JsonFormat") return FormatKind::Json;
  if (n == "ByteArrayFormat") return FormatKind::ByteArray;
  if (n == "AvroFormat") {
    if (!avro_format_built())
      throw config::ConfigError("format.class", "AvroFormat needs the avro connector family, which this build of "
                                                "connectrun leaves out: use JsonFormat or ByteArrayFormat");
    return FormatKind::Avro;
  }
  if (n == "ParquetFormat")
    throw config::ConfigError("format.class", "ParquetFormat is not supported by connectrun (Debian has no Parquet C++ "
                                              "library): use JsonFormat or ByteArrayFormat");
  throw config::ConfigError("format.class", fmt::format("unknown format.class '{}': use "
                                                        "io.confluent.connect.s3.format.json.JsonFormat, "
                                                        "io.confluent.connect.s3.format.avro.AvroFormat or "
                                                        "io.confluent.connect.s3.format.bytearray.ByteArrayFormat", cls));
}

std::string unescape_java(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 == s.size()) {
      out += s[i];
      continue;
    }
    char c = s[++i];
    switch (c) {
      case 'n': out += '\n'; break;
      case 'r': out += '\r'; break;
      case 't': out += '\t'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case '0': out += '\0'; break;
      default: out += c;
    }
  }
  return out;
}

void encode_record(const FormatOptions& f, const Record& r, std::string& out) {
  if (f.kind == FormatKind::Avro) throw std::logic_error("encode_record: AvroFormat records go through ObjectBuffer");
  if (f.kind == FormatKind::Json) {
    append_json_line(out, r.value);
    return;
  }
  if (auto* b = r.value.get_if<Bytes>()) out += b->data;
  else if (auto* s = r.value.get_if<std::string>()) out += *s;
  else
    throw DataException(fmt::format("ByteArrayFormat writes bytes, and the value is {}: use "
                                    "value.converter=org.apache.kafka.connect.converters.ByteArrayConverter",
                                    r.value.is_null() ? std::string("null") : std::string(r.value.java_class())));
  out += f.bytearray_separator;
}

std::string extension(const FormatOptions& f) {
  if (f.kind == FormatKind::Avro) return ".avro";  // compressed inside, by avro.codec
  std::string ext = f.kind == FormatKind::Json ? ".json" : f.bytearray_extension;
  return f.gzip ? ext + ".gz" : ext;
}

std::string inflate_all(std::string_view in, int window_bits, const std::string& what) {
  z_stream z{};
  if (inflateInit2(&z, window_bits) != Z_OK) throw ConnectError(what + ": cannot start decompression (zlib)");
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  std::string out;
  char chunk[64 * 1024];
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(chunk);
    z.avail_out = sizeof chunk;
    rc = inflate(&z, Z_NO_FLUSH);
    if (rc == Z_OK || rc == Z_STREAM_END) out.append(chunk, sizeof chunk - z.avail_out);
    if (rc == Z_OK && z.avail_in == 0 && z.avail_out != 0) rc = Z_BUF_ERROR;  // the input ended mid-stream
  }
  std::string why = rc == Z_BUF_ERROR ? "it ends before its compressed stream does" : (z.msg ? z.msg : "corrupt data");
  inflateEnd(&z);
  if (rc != Z_STREAM_END) throw ConnectError(what + ": " + why);
  return out;
}

std::string BufferPool::take() {
  std::lock_guard lock(mu_);
  if (free_.empty()) return {};
  std::string s = std::move(free_.back());
  free_.pop_back();
  return s;
}

void BufferPool::give(std::string s) {
  s.clear();  // keeps the capacity
  std::lock_guard lock(mu_);
  if (free_.size() < kKeep) free_.push_back(std::move(s));
}

ObjectBuffer::ObjectBuffer(const FormatOptions& f, BufferPool* pool, int64_t expected_records, size_t max_reserve)
    : f_(f), pool_(pool), expected_records_(expected_records), max_reserve_(max_reserve) {
  if (pool_) out_ = pool_->take();
  if (f_.kind == FormatKind::Avro) {
    avro_ = std::make_unique<AvroContainerWriter>(f_.avro_codec, f_.avro_enhanced, f_.avro_meta);
    return;
  }
  if (!f_.gzip) return;
  z_ = std::make_unique<z_stream>();
  // windowBits 15 + 16: a gzip header and trailer, as java.util.zip.GZIPOutputStream writes.
  if (deflateInit2(z_.get(), f_.gzip_level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    z_.reset();
    throw ConnectError("cannot start gzip compression (zlib)");
  }
}

ObjectBuffer::~ObjectBuffer() {
  if (deflating_.valid()) deflating_.wait();
  if (z_) deflateEnd(z_.get());
}

void ObjectBuffer::join_deflate() {
  if (deflating_.valid()) deflating_.get();
  deflated_ = out_.size();
}

void ObjectBuffer::deflate_into(std::string_view in, int flush) {
  z_->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z_->avail_in = static_cast<uInt>(in.size());
  char chunk[64 * 1024];
  do {
    z_->next_out = reinterpret_cast<Bytef*>(chunk);
    z_->avail_out = sizeof chunk;
    deflate(z_.get(), flush);
    out_.append(chunk, sizeof chunk - z_->avail_out);
  } while (z_->avail_out == 0 || z_->avail_in > 0);
}

void ObjectBuffer::add(const Record& r) {
  if (avro_) {
    avro_->add(r, out_);  // whole blocks only: a multipart part never splits one
    return;
  }
  // Straight into the object's bytes (or the batch to deflate), cut back when
  // the record cannot be written.
  std::string& to = z_ ? line_ : out_;
  const size_t before = to.size();
  try {
    encode_record(f_, r, to);
  } catch (...) {
    to.resize(before);
    throw;
  }
  if (z_ && line_.size() >= kDeflateBatch) {
    join_deflate();
    deflating_in_.swap(line_);
    line_.clear();
    deflating_ = std::async(std::launch::async, [this] { deflate_into(deflating_in_, Z_NO_FLUSH); });
  }
  if (++records_ == kSizeSample && !z_ && expected_records_ > kSizeSample) reserve_expected();
}

void ObjectBuffer::reserve_expected() {
  // 1/16 more than the records so far foretell: lines differ a little in length.
  double per_record = static_cast<double>(out_.size()) / static_cast<double>(kSizeSample);
  double want = per_record * static_cast<double>(expected_records_) * 17 / 16;
  size_t bytes = want >= static_cast<double>(max_reserve_) ? max_reserve_ : static_cast<size_t>(want);
  if (bytes > out_.capacity()) out_.reserve(bytes);
}

std::string ObjectBuffer::take_ready() {
  if (z_) join_deflate();
  std::string s = std::move(out_);
  out_ = pool_ ? pool_->take() : std::string();
  deflated_ = 0;
  return s;
}

std::string ObjectBuffer::finish() {
  if (avro_) avro_->finish(out_);
  if (z_) {
    join_deflate();
    deflate_into(line_, Z_FINISH);
    line_.clear();
  }
  return std::move(out_);
}

}  // namespace connectrun::s3
