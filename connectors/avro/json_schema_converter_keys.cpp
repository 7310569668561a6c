// JsonSchemaConverter's keys: the one table that validates them and prints
// `connectrun plugins JsonSchemaConverter` (names and defaults as Confluent's
// JsonSchemaConverterConfig and JsonSchemaDataConfig).
#include "connectors/avro/json_schema_converter.h"

namespace connectrun::avro {

PluginInfo json_schema_converter_plugin() {
  PluginInfo info;
  info.name = "JsonSchemaConverter";
  info.aliases = {"io.confluent.connect.json.JsonSchemaConverter"};
  info.kind = PluginKind::Converter;
  info.summary = "JSON with a JSON Schema in a Confluent Schema Registry (Confluent's wire format)";
  info.description =
      "Confluent's JsonSchemaConverter: each message is the magic byte 0, the JSON Schema's Schema Registry id (4 "
      "bytes, big-endian) and the JSON document. Connect schemas become JSON Schemas as Confluent's JsonSchemaData "
      "makes them (docs/converters.md has the table), registered as schemaType JSON under a subject named by the "
      "subject name strategy and cached, so the registry is asked once per schema. Schemaless data is refused, as "
      "Confluent's converter fails it.";
  using config::KeyDef;
  using config::KeyType;
  using config::ConfigValue;
  namespace v = config::validators;
  auto& s = info.spec;
  define_registry_keys(s);
  s.define(KeyDef{"object.additional.properties", KeyType::Boolean, ConfigValue(true),
                  "Whether to allow additional properties for object schemas (false writes "
                  "\"additionalProperties\":false in each struct's schema).",
                  std::nullopt, false});
  s.define(KeyDef{"use.optional.for.nonrequired", KeyType::Boolean, ConfigValue(false),
                  "Whether to set non-required properties to be optional.", std::nullopt, false});
  s.define(KeyDef{"decimal.format", KeyType::String, ConfigValue(std::string("BASE64")),
                  "Controls which format this converter will serialize decimals in. This value is case insensitive "
                  "and can be either 'BASE64' (default) or 'NUMERIC'",
                  v::one_of({"BASE64", "NUMERIC"}), false});
  s.define(KeyDef{"flatten.singleton.unions", KeyType::Boolean, ConfigValue(true),
                  "Whether to flatten singleton unions (a oneOf of one schema reads as that schema).", std::nullopt,
                  false});
  auto refused = [&](const char* name, const char* doc) {
    s.define(KeyDef{name, KeyType::Boolean, ConfigValue(false), doc, std::nullopt, false});
  };
  refused("json.fail.invalid.schema",
          "Whether to fail serialization if the payload does not match the schema. Only false: validation is not "
          "implemented.");
  refused("normalize.schemas", "Whether to normalize schemas before registering. Only false.");
  refused("generalized.sum.type.support", "Unions and enums as Connect's generalized sum types. Only false.");
  refused("ignore.default.for.nullables", "Write null rather than the default for a null nullable field. Only false.");
  refused("preserve.additional.properties", "Keep undeclared JSON properties in a map field. Only false.");
  refused("ignore.modern.dialects", "Read modern JSON Schema dialects as draft 7. Only false.");
  info.make_converter = [] { return std::make_unique<JsonSchemaConverter>(); };
  return info;
}

}  // namespace connectrun::avro
