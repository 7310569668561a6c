// One connector's record stages: RecordStages (its converters and transform
// chain, and the conversions between Record and BusRecord) is what the source
// and sink workers run per record; RecordPipeline runs the same stages outside
// the engine, for `run --dry-run` and `connectrun test`.
#pragma once

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "bus/bus.h"
#include "plan/job_config.h"
#include "transforms/chain.h"

namespace connectrun {

// A stage failed on a record: stage is Kafka Connect's name for it
// (TRANSFORMATION, KEY_CONVERTER, VALUE_CONVERTER, HEADER_CONVERTER).
class StageError : public std::runtime_error {
 public:
  StageError(std::string stage, std::string plugin, const std::string& message)
      : std::runtime_error(message), stage_(std::move(stage)), plugin_(std::move(plugin)) {}
  const std::string& stage() const { return stage_; }
  const std::string& plugin() const { return plugin_; }

 private:
  std::string stage_, plugin_;
};

class RecordStages {
 public:
  // Builds the plan's converters and chain (validated before: they build).
  explicit RecordStages(const ConnectorPlan& plan);
  ~RecordStages();
  TransformChain& chain() { return *chain_; }

  // Source side, converters only: `r` into `b`. With `take`, StringConverter
  // values and (once conversion succeeded) the topic are moved rather than
  // copied. `buf` is scratch space reused across records. Throws StageError.
  void to_bus(Record& r, BusRecord& b, std::string& buf, bool take) const;
  // Sink side, converters only: `b`'s bytes into `r` (topic and coordinates
  // too). With `take_bytes`, StringConverter keys and values are moved out of
  // `b`; with `take_topic`, the topic, once conversion succeeded. Throws StageError.
  void from_bus(BusRecord& b, Record& r, bool take_bytes, bool take_topic) const;

 private:
  const ConnectorPlan& plan_;
  std::unique_ptr<Converter> key_conv_, value_conv_;
  std::unique_ptr<HeaderConverter> header_conv_;
  std::unique_ptr<TransformChain> chain_;
  bool string_values_ = false;  // StringConverter values: moved onto the bus, and taken from it inline
  bool string_keys_ = false;    // StringConverter keys: converted inline (StringConverter::take_bytes)
  SchemaPtr string_schema_;     // StringConverter's optional_schema(), for take_bytes
};

class RecordPipeline {
 public:
  explicit RecordPipeline(const ConnectorPlan& plan) : stages_(plan) {}

  // Source side: transforms, then converters. nullopt when a transform dropped
  // the record; when `transformed` is given it receives the record the
  // converters saw. Throws StageError.
  std::optional<BusRecord> source_to_bus(Record&& r, Record* transformed = nullptr);
  // Sink side: converters, then transforms. nullopt when dropped. Throws StageError.
  std::optional<Record> bus_to_sink(const BusRecord& b);

 private:
  RecordStages stages_;
};

// Bytes as printable text: printable ASCII as is, '\\' doubled, anything else
// as \xNN; "null" for null bytes.
std::string printable_bytes(const std::optional<std::string>& bytes);

// "topic=t partition=- key=... value=... headers=[k=v,...]"
std::string describe_bus_record(const BusRecord& b);

}  // namespace connectrun
