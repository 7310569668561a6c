// An Avro schema (JSON, with avro-random-generator's "arg.properties"
// annotations) read into a Kafka Connect schema, as Confluent's AvroData
// converts it, and a generator of random values for it, as
// avro-random-generator draws them (options, iteration, range, length,
// regex, prefix, suffix, odds, keys), with connectrun's own random numbers.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "connectors/datagen/random.h"
#include "data/value.h"

namespace connectrun::datagen {

// A schema connectrun cannot read or generate from; the message names the
// field ("field orders.address.city: …") and what to change.
class SchemaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct GenNode;
struct GenShared;

class AvroGenerator {
 public:
  // Reads `schema_json` (comments allowed, as Avro's parser allows them).
  // `generation`: how many records were generated before (restored from the
  // source offset): iteration annotations continue from there, as the Java
  // generator's do. Throws SchemaError.
  AvroGenerator(std::string_view schema_json, int64_t generation);
  ~AvroGenerator();
  AvroGenerator(AvroGenerator&&) noexcept;
  AvroGenerator& operator=(AvroGenerator&&) noexcept;

  // The Connect schema of the records (a Struct for a record schema).
  const SchemaPtr& schema() const { return schema_; }
  // One value, drawn with `rng`.
  Value generate(Rng& rng);

 private:
  SchemaPtr schema_;
  std::unique_ptr<GenShared> shared_;
  std::unique_ptr<GenNode> root_;
};

// JSON text with // and /* */ comments (outside strings) replaced by spaces,
// so simdjson reads what Avro's Jackson parser (ALLOW_COMMENTS) reads.
std::string strip_json_comments(std::string_view text);

}  // namespace connectrun::datagen
