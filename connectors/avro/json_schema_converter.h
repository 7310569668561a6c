// JsonSchemaConverter (io.confluent.connect.json.JsonSchemaConverter): Connect
// data as JSON documents in Confluent's wire format — magic byte 0, the JSON
// Schema's registry id as 4 big-endian bytes, the JSON text (UTF-8) — with the
// schemas kept in a Confluent Schema Registry as schemaType JSON.
#pragma once

#include <map>
#include <memory>
#include <string>

#include <simdjson.h>

#include "connectors/avro/json_schema_data.h"
#include "connectors/avro/schema_registry.h"
#include "connectors/avro/schema_registry_config.h"
#include "converters/lru_cache.h"
#include "plugin/converter.h"
#include "plugin/registry.h"

namespace connectrun::avro {

class JsonSchemaConverter : public Converter {
 public:
  void configure(const config::ConfigValues& cfg, bool is_key) override;
  bool from_connect_data(std::string_view topic, const SchemaPtr& schema, const Value& value,
                         std::string& out) override;
  SchemaAndValue to_connect_data(std::string_view topic, std::optional<std::string_view> bytes) override;

  SchemaRegistryClient& registry() { return *registry_; }

 private:
  struct Written {  // a Connect schema's JSON Schema text
    SchemaPtr schema;
    std::string json;
  };
  const Written& written(const SchemaPtr& schema);
  int32_t schema_id(std::string_view topic, const Schema& schema, const std::string& json);
  const SchemaPtr& read(std::string_view topic, int32_t id);
  std::string subject(std::string_view topic, const Schema* schema) const;

  bool is_key_ = false;
  JsonSchemaDataOptions opts_;
  SubjectNameStrategy strategy_ = SubjectNameStrategy::TopicName;
  bool auto_register_ = true;
  bool use_latest_ = false;
  bool latest_strict_ = true;
  std::unique_ptr<SchemaRegistryClient> registry_;
  LruCache<const Schema*, Written> written_;
  std::map<std::pair<std::string, int32_t>, SchemaPtr> read_;  // by (topic, id): the version depends on the subject
  simdjson::dom::parser parser_;
};

PluginInfo json_schema_converter_plugin();

}  // namespace connectrun::avro
