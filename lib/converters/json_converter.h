// JsonConverter (org.apache.kafka.connect.json.JsonConverter): Connect data as
// JSON, with or without the {"schema":…,"payload":…} envelope.
#pragma once

#include <memory>
#include <string>

#include <simdjson.h>

#include "converters/json_data.h"
#include "converters/lru_cache.h"
#include "plugin/converter.h"
#include "plugin/registry.h"

namespace connectrun {

class JsonConverter : public Converter {
 public:
  // Usable without configure(): Kafka's defaults.
  void configure(const config::ConfigValues& cfg, bool is_key) override;
  bool from_connect_data(std::string_view topic, const SchemaPtr& schema, const Value& value,
                         std::string& out) override;
  SchemaAndValue to_connect_data(std::string_view topic, std::optional<std::string_view> bytes) override;
  // Without the envelope, a JSON string's text goes into the bytes' own memory (it is never longer).
  void take_connect_data(std::string_view topic, std::optional<std::string>&& bytes, SchemaPtr& schema,
                         Value& value) override;

  // The schema JSON (cached per schema instance) and the schema read from
  // schema JSON (cached by its text, so equal JSON gives the same instance).
  const std::string& schema_json(const SchemaPtr& schema);
  SchemaPtr schema_from_json(simdjson::dom::element e);

 private:
  // The envelope of a message whose schema bytes are the last schema's, reading only its payload;
  // nullopt when the message has another shape (then it is read in full).
  std::optional<SchemaAndValue> with_known_schema(std::string_view text);
  // Parses `text` (in parser_); throws DataException as Kafka's converter fails.
  simdjson::dom::element parse(std::string_view text);

  bool schemas_enable_ = true;
  json::Options opts_;
  simdjson::dom::parser parser_;  // reused: its buffers grow once
  // Keyed by address; the entry holds the SchemaPtr so the address stays valid.
  LruCache<const Schema*, std::pair<SchemaPtr, std::string>> to_json_cache_;
  LruCache<std::string, SchemaPtr> to_schema_cache_;
  std::string key_scratch_;
  // The last envelope's schema text as it stood in the input, and its schema:
  // a message whose envelope starts with the same bytes has the same schema,
  // found by one comparison instead of re-serialising its schema node.
  std::string last_schema_raw_;
  SchemaPtr last_schema_;
};

PluginInfo json_converter_plugin();

}  // namespace connectrun
