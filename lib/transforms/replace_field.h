// ReplaceField: keeps, drops and renames top-level fields
// (Kafka's org.apache.kafka.connect.transforms.ReplaceField$Key / $Value).
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "plugin/transform.h"
#include "transforms/util.h"

namespace connectrun::transforms {

class ReplaceField : public Transformation {
 public:
  explicit ReplaceField(Side side) : side_(side) {}
  void configure(const config::ConfigValues& cfg) override;
  bool apply_in_place(Record& record) override;
  static config::ConfigSpec spec();
  // `from:to` pairs; throws config::ConfigError for an entry that is not exactly one pair.
  static std::vector<std::pair<std::string, std::string>> parse_renames(const std::vector<std::string>& entries);

 private:
  bool keep(const std::string& field) const;
  const std::string& renamed(const std::string& field) const;
  const std::string& original(const std::string& field) const;

  Side side_;
  // Per record and field, so small lists compared length first rather than
  // maps: a job names a handful of fields.
  std::vector<std::string> exclude_, include_;
  std::vector<std::pair<std::string, std::string>> renames_, reverse_;  // (from, to) and (to, from)
  // The map_key_bit of every excluded name, and of every name renamed: the schemaless path searches
  // those lists only for a field whose bit is set.
  uint64_t excluded_bits_ = 0, renamed_bits_ = 0;
  bool replace_null_with_default_ = true;
  SchemaCache cache_;
};

}  // namespace connectrun::transforms
