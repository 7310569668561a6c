// AvroConverter's keys: the one table that validates them and prints
// `connectrun plugins AvroConverter` (names and defaults as Confluent's).
#include "connectors/avro/avro_converter.h"
#include "connectors/avro/schema_registry_config.h"

namespace connectrun::avro {

PluginInfo avro_converter_plugin() {
  PluginInfo info;
  info.name = "AvroConverter";
  info.aliases = {"io.confluent.connect.avro.AvroConverter"};
  info.kind = PluginKind::Converter;
  info.summary = "Avro with a Confluent Schema Registry (Confluent's wire format)";
  info.description =
      "Confluent's AvroConverter: each message is the magic byte 0, the schema's Schema Registry id (4 bytes, "
      "big-endian) and the Avro binary encoding of the data. Connect schemas become Avro schemas as Confluent's "
      "AvroData makes them (docs/converters.md has the table); schemas are registered under a subject named by the "
      "subject name strategy and cached, so the registry is asked once per schema.";
  using config::KeyDef;
  using config::KeyType;
  using config::ConfigValue;
  namespace v = config::validators;
  auto& s = info.spec;
  define_registry_keys(s);
  s.define(KeyDef{"enhanced.avro.schema.support", KeyType::Boolean, ConfigValue(false),
                  "Toggle for enabling/disabling enhanced avro schema support: Enum symbol preservation and Package "
                  "Name awareness",
                  std::nullopt, false});
  s.define(KeyDef{"connect.meta.data", KeyType::Boolean, ConfigValue(true),
                  "Toggle for enabling/disabling connect converter to add its meta data to the output schema or not",
                  std::nullopt, false});
  s.define(KeyDef{"scrub.invalid.names", KeyType::Boolean, ConfigValue(false),
                  "Whether to scrub invalid names by replacing invalid characters with valid ones", std::nullopt,
                  false});
  info.make_converter = [] { return std::make_unique<AvroConverter>(); };
  return info;
}

}  // namespace connectrun::avro
