// The partitioners and timestamp extractors of Confluent's
// kafka-connect-storage-common: where in the bucket a record goes
// (DefaultPartitioner, FieldPartitioner, TimeBasedPartitioner and its Daily /
// Hourly presets) and which time a time-based one uses.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "config/spec.h"
#include "data/value.h"

namespace connectrun::s3 {

enum class Extractor { Wallclock, Record, RecordField };

class Partitioner {
 public:
  virtual ~Partitioner() = default;
  // The encoded partition ("partition=0", "country=fr", "year=2026/month=12/…").
  // `now_ms` is the wall clock for Wallclock. Throws DataException when the
  // record lacks what the partitioner needs.
  virtual std::string encode(const Record& r, int64_t now_ms) const = 0;
  // The record's time as timestamp.extractor says (for rotate.interval.ms).
  int64_t timestamp(const Record& r, int64_t now_ms) const;
  // Whether the encoded partition depends on the wall clock (breaks exactly-once).
  bool uses_wallclock() const { return time_based_ && extractor_ == Extractor::Wallclock; }

  Extractor extractor_ = Extractor::Wallclock;
  std::string timestamp_field_;
  bool time_based_ = false;
};

// Reads partitioner.class and its keys. Throws config::ConfigError naming the key.
std::unique_ptr<Partitioner> make_partitioner(const config::ConfigValues& cfg);

// Confluent's class names and our short names for partitioner.class.
std::vector<std::string> partitioner_names();

// Defines the partitioner keys of kafka-connect-storage-common in `spec`.
void define_partitioner_keys(config::ConfigSpec& spec);

}  // namespace connectrun::s3
