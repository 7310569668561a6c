// Flatten: nested structs (or maps, schemaless) become top-level fields named
// with a delimiter (Kafka's org.apache.kafka.connect.transforms.Flatten$Key / $Value).
#pragma once

#include "plugin/transform.h"
#include "transforms/util.h"

namespace connectrun::transforms {

class Flatten : public Transformation {
 public:
  explicit Flatten(Side side) : side_(side) {}
  void configure(const config::ConfigValues& cfg) override;
  bool apply_in_place(Record& record) override;
  static config::ConfigSpec spec();

 private:
  std::string name(const std::string& prefix, const std::string& field) const;
  void flatten_map(const MapEntries& in, const std::string& prefix, MapEntries& out) const;
  void build_schema(const Schema& schema, const std::string& prefix, SchemaBuilder& out, bool optional,
                    const StructValue* parent_default) const;
  void flatten_struct(const StructValue* in, const std::string& prefix, StructValue& out) const;

  Side side_;
  std::string delimiter_;
  SchemaCache cache_;
};

}  // namespace connectrun::transforms
