// AvroConverter (io.confluent.connect.avro.AvroConverter): Connect data as
// Avro in Confluent's wire format — magic byte 0, the schema's registry id as
// 4 big-endian bytes, the Avro binary body — with the schemas kept in a
// Confluent Schema Registry.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "connectors/avro/avro_data.h"
#include "connectors/avro/schema_registry.h"
#include "connectors/avro/schema_registry_config.h"
#include "converters/lru_cache.h"
#include "plugin/converter.h"
#include "plugin/registry.h"

namespace connectrun::avro {

class AvroConverter : public Converter {
 public:
  void configure(const config::ConfigValues& cfg, bool is_key) override;
  bool from_connect_data(std::string_view topic, const SchemaPtr& schema, const Value& value,
                         std::string& out) override;
  SchemaAndValue to_connect_data(std::string_view topic, std::optional<std::string_view> bytes) override;

  SchemaRegistryClient& registry() { return *registry_; }

 private:
  struct Written {  // a Connect schema's Avro schema and its JSON text
    SchemaPtr schema;
    AvroPtr avro;
    std::string json;
  };
  struct Read {  // a registry id's Avro schema and the Connect schema made of it
    AvroPtr avro;
    SchemaPtr schema;
    bool anything = false;  // schemaless data (io.confluent.connect.avro.Anything): no Connect schema
  };
  const Written& written(const SchemaPtr& schema);
  // The id to write under, and the Avro schema to write with (the record's own, or the latest's).
  std::pair<int32_t, const AvroNode*> schema_id(std::string_view topic, const AvroNode& avro, const std::string& json);
  const Read& read(std::string_view topic, int32_t id);
  std::string subject(std::string_view topic, const AvroNode& avro) const;

  bool is_key_ = false;
  AvroDataOptions opts_;
  SubjectNameStrategy strategy_ = SubjectNameStrategy::TopicName;
  bool auto_register_ = true;
  bool use_latest_ = false;
  bool latest_strict_ = true;
  std::unique_ptr<SchemaRegistryClient> registry_;
  LruCache<const Schema*, Written> written_;
  std::map<int32_t, AvroPtr> latest_avro_;  // use.latest.version: the latest schemas by id
  std::map<std::pair<std::string, int32_t>, Read> read_;  // by (topic, id): the version depends on the subject
  // The last entry used: consecutive messages of one topic and schema skip the map (and its key's copy).
  const Read* last_read_ = nullptr;
  std::string last_topic_;
  int32_t last_id_ = 0;
};

PluginInfo avro_converter_plugin();

}  // namespace connectrun::avro
