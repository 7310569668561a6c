// Confluent's AvroFormat (io.confluent.connect.s3.format.avro.AvroFormat): each
// object is one Avro object container file (the specification's "Object
// Container Files"), as Avro's Java DataFileWriter writes it for that format —
// the header with the avro.schema and avro.codec metadata, then blocks of
// records of about 64,000 bytes (DataFileWriter's sync interval), each ended by
// the sync marker. The schema is AvroData's for the first record's value schema
// (the sink starts a new object when the schema changes); values are encoded
// as AvroData and the AvroConverter encode them (connectors/avro). Built only
// with the avro family (CONNECTRUN_S3_AVRO).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "data/value.h"

namespace connectrun::s3 {

// avro.codec values connectrun writes and reads; Confluent's others (snappy,
// bzip2, xz, zstandard) are refused by the sink's configuration.
bool avro_codec_supported(const std::string& codec);
// Whether this build has AvroFormat (the avro family is built).
bool avro_format_built();

class AvroContainerWriter {
 public:
  // `codec`: "null" or "deflate" (raw deflate at zlib's default level, as Avro's DeflateCodec from
  // CodecFactory.fromString). `enhanced`, `meta`: AvroData's enhanced.avro.schema.support and
  // connect.meta.data. Throws ConnectError for another codec.
  AvroContainerWriter(const std::string& codec, bool enhanced, bool meta);
  ~AvroContainerWriter();
  AvroContainerWriter(const AvroContainerWriter&) = delete;
  AvroContainerWriter& operator=(const AvroContainerWriter&) = delete;
  // Encodes `r`'s value into the open block; the first record writes the header into `out`, and a full block
  // goes to `out`. Throws DataException (nothing written) for a value its schema cannot hold.
  void add(const Record& r, std::string& out);
  // Writes the last block (a file of no records: the header alone is not written).
  void finish(std::string& out);

 private:
  struct State;
  std::unique_ptr<State> s_;
};

// The records of one container file: their Connect schema (null for
// schemaless data written as Confluent's Anything) and values. Throws
// ConnectError naming `where` for a file that is not one connectrun can read.
struct AvroContainer {
  SchemaPtr schema;
  std::vector<Value> values;
};
AvroContainer read_avro_container(std::string_view bytes, const std::string& where);

}  // namespace connectrun::s3
