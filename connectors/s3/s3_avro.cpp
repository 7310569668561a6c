#include "connectors/s3/s3_avro.h"

#include <openssl/evp.h>
#include <zlib.h>

#include <fmt/format.h>

#include "connectors/s3/s3_format.h"
#include "plugin/connect_error.h"

#ifdef CONNECTRUN_S3_AVRO
#include "connectors/avro/avro_anything.h"
#include "connectors/avro/avro_binary.h"
#include "connectors/avro/avro_codec.h"
#include "connectors/avro/avro_data.h"
#include "connectors/common/java_hash_map.h"
#endif

namespace connectrun::s3 {

bool avro_codec_supported(const std::string& codec) { return codec == "null" || codec == "deflate"; }

#ifndef CONNECTRUN_S3_AVRO

bool avro_format_built() { return false; }
struct AvroContainerWriter::State {};
AvroContainerWriter::AvroContainerWriter(const std::string&, bool, bool) {
  throw ConnectError("AvroFormat needs the avro connector family, which this build leaves out");
}
AvroContainerWriter::~AvroContainerWriter() = default;
void AvroContainerWriter::add(const Record&, std::string&) {}
void AvroContainerWriter::finish(std::string&) {}
AvroContainer read_avro_container(std::string_view, const std::string& where) {
  throw ConnectError(where + ": AvroFormat needs the avro connector family, which this build leaves out");
}

#else

namespace {

constexpr std::string_view kMagic{"Obj\x01", 4};
// Avro's DataFileConstants.DEFAULT_SYNC_INTERVAL: a block is written once this many bytes are buffered.
constexpr size_t kSyncInterval = 64000;
constexpr size_t kSyncSize = 16;

// Raw deflate (no zlib header), as Avro's DeflateCodec (java.util.zip.Deflater with nowrap).
std::string deflate_raw(std::string_view in, int level) {
  z_stream z{};
  if (deflateInit2(&z, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    throw ConnectError("cannot start deflate compression (zlib)");
  std::string out(deflateBound(&z, static_cast<uLong>(in.size())), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  if (rc != Z_STREAM_END) throw ConnectError("deflate compression failed (zlib)");
  return out;
}


// Java's DataFileWriter draws its sync marker at random; connectrun derives it from the file's schema and
// first record, so that a replay after a crash writes the same object byte for byte.
std::string sync_marker(std::string_view schema_json, std::string_view first_datum) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  std::string in(schema_json);
  in += first_datum;
  if (EVP_Digest(in.data(), in.size(), md, &n, EVP_md5(), nullptr) != 1 || n != kSyncSize)
    throw ConnectError("cannot make the Avro sync marker (OpenSSL MD5)");
  return std::string(reinterpret_cast<char*>(md), kSyncSize);
}

}  // namespace

bool avro_format_built() { return true; }

struct AvroContainerWriter::State {
  std::string codec;
  bool started = false;
  SchemaPtr schema;  // the file's Connect schema; null: schemaless values, as Confluent's Anything record
  avro::AvroPtr avro;
  avro::AvroDataOptions opts;
  std::string sync;
  std::string block;  // encoded records of the open block
  int64_t count = 0;  // records in it
};

AvroContainerWriter::AvroContainerWriter(const std::string& codec, bool enhanced, bool meta)
    : s_(std::make_unique<State>()) {
  if (!avro_codec_supported(codec))
    throw ConnectError(fmt::format("avro.codec '{}' is not supported by connectrun: use null or deflate", codec));
  s_->codec = codec;
  s_->opts.enhanced_schema_support = enhanced;
  s_->opts.connect_meta_data = meta;
}

AvroContainerWriter::~AvroContainerWriter() = default;

void AvroContainerWriter::add(const Record& r, std::string& out) {
  State& s = *s_;
  const size_t before = s.block.size();
  try {
    if (!s.started) {
      s.schema = r.value_schema;
      if (s.schema) s.avro = avro::from_connect_schema(*s.schema, s.opts);
    }
    if (s.schema) avro::encode_value(s.block, *s.schema, *s.avro, r.value, s.opts);
    else avro::encode_anything(s.block, r.value);
  } catch (...) {
    s.block.resize(before);
    if (!s.started) {
      s.schema.reset();
      s.avro.reset();
    }
    throw;
  }
  if (!s.started) {
    // The header, as DataFileWriter.create writes it: magic, the metadata map in java.util.HashMap's order, sync.
    const std::string json = s.schema ? avro::avro_schema_json(*s.avro) : std::string(avro::anything_schema_json());
    s.sync = sync_marker(json, std::string_view(s.block).substr(before));
    out.append(kMagic);
    auto meta = in_java_hash_map_order(
        std::vector<std::pair<std::string, std::string>>{{"avro.schema", json}, {"avro.codec", s.codec}});
    avro::write_long(out, static_cast<int64_t>(meta.size()));
    for (auto& [k, v] : meta) {
      avro::write_bytes(out, k);
      avro::write_bytes(out, v);
    }
    avro::write_long(out, 0);
    out += s.sync;
    s.started = true;
  }
  ++s.count;
  if (s.block.size() >= kSyncInterval) finish(out);
}

void AvroContainerWriter::finish(std::string& out) {
  State& s = *s_;
  if (s.count == 0) return;
  avro::write_long(out, s.count);
  if (s.codec == "deflate") {
    std::string packed = deflate_raw(s.block, Z_DEFAULT_COMPRESSION);
    avro::write_bytes(out, packed);
  } else {
    avro::write_bytes(out, s.block);
  }
  out += s.sync;
  s.block.clear();
  s.count = 0;
}

AvroContainer read_avro_container(std::string_view bytes, const std::string& where) {
  AvroContainer c;
  try {
    avro::BinaryReader in(bytes);
    if (in.take(kMagic.size()) != kMagic) throw DataException("it does not start with Avro's \"Obj\\x01\"");
    std::string schema_json, codec = "null";
    in.blocks([&] {
      std::string key(in.take(in.length()));
      std::string value(in.take(in.length()));
      if (key == "avro.schema") schema_json = std::move(value);
      else if (key == "avro.codec") codec = std::move(value);
    });
    if (schema_json.empty()) throw DataException("its header has no avro.schema");
    if (!avro_codec_supported(codec))
      throw DataException(fmt::format("it is compressed with avro.codec '{}', which connectrun does not read", codec));
    const std::string sync(in.take(kSyncSize));
    avro::AvroDataOptions opts;
    avro::AvroPtr avro_schema;
    const bool anything = avro::is_anything_schema(schema_json);
    if (!anything) {
      avro_schema = avro::parse_avro_schema(schema_json);
      c.schema = avro::to_connect_schema(*avro_schema, opts);
    }
    while (!in.at_end()) {
      const int64_t count = in.read_long();
      const size_t size = in.length();
      std::string_view data = in.take(size);
      std::string inflated;
      if (codec == "deflate")
        data = inflated = inflate_all(data, -15, where + ": a deflate block of the Avro file is damaged");
      // Each record takes at least a byte but for a struct without fields: a count far past that is corrupt.
      if (count < 0 || static_cast<uint64_t>(count) > (data.size() + 1) * 64)
        throw DataException(fmt::format("a block counts {} records in {} bytes", count, data.size()));
      if (anything) avro::decode_anythings(data, static_cast<size_t>(count), c.values);
      else avro::decode_values(data, static_cast<size_t>(count), c.schema, *avro_schema, opts, c.values);
      if (in.take(kSyncSize) != sync) throw DataException("a block does not end with the header's sync marker");
    }
  } catch (const DataException& e) {
    throw ConnectError(fmt::format("{}: not an Avro object container file connectrun can read: {}", where, e.what()));
  }
  return c;
}

#endif

}  // namespace connectrun::s3
