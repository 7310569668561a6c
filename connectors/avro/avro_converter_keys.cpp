// AvroConverter's keys: the one table that validates them and prints
// `connectrun plugins AvroConverter` (names and defaults as Confluent's).
#include "connectors/avro/avro_converter.h"

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
  auto text = [](const char* s) { return ConfigValue(std::string(s)); };
  const std::vector<std::string> strategies = {
      "TopicNameStrategy", "RecordNameStrategy", "TopicRecordNameStrategy",
      "io.confluent.kafka.serializers.subject.TopicNameStrategy",
      "io.confluent.kafka.serializers.subject.RecordNameStrategy",
      "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy"};
  auto& s = info.spec;
  s.define(KeyDef{"schema.registry.url", KeyType::List, std::nullopt,
                  "Comma-separated list of URLs for Schema Registry instances, tried in turn.", std::nullopt, false});
  s.define(KeyDef{"auto.register.schemas", KeyType::Boolean, ConfigValue(true),
                  "Specify if the Serializer should attempt to register the Schema with Schema Registry.",
                  std::nullopt, false});
  s.define(KeyDef{"use.latest.version", KeyType::Boolean, ConfigValue(false),
                  "With auto.register.schemas=false: write with the latest schema of the subject (its id, its "
                  "types), taking the record's fields by position as Avro's Java writer does.",
                  std::nullopt, false});
  s.define(KeyDef{"latest.compatibility.strict", KeyType::Boolean, ConfigValue(true),
                  "With use.latest.version, require the latest schema's records to have the record's fields, by "
                  "name, in the same places, of types it reads (the same, or an Avro promotion).",
                  std::nullopt, false});
  s.define(KeyDef{"key.subject.name.strategy", KeyType::String, text("io.confluent.kafka.serializers.subject.TopicNameStrategy"),
                  "How the subject of a key schema is named: TopicNameStrategy (TOPIC-key), RecordNameStrategy "
                  "(the record's full name) or TopicRecordNameStrategy (TOPIC-RECORD).",
                  v::one_of(strategies), false});
  s.define(KeyDef{"value.subject.name.strategy", KeyType::String, text("io.confluent.kafka.serializers.subject.TopicNameStrategy"),
                  "How the subject of a value schema is named: TopicNameStrategy (TOPIC-value), RecordNameStrategy "
                  "(the record's full name) or TopicRecordNameStrategy (TOPIC-RECORD).",
                  v::one_of(strategies), false});
  s.define(KeyDef{"basic.auth.credentials.source", KeyType::String, text("URL"),
                  "Where the basic auth credentials come from: URL (user info in schema.registry.url) or USER_INFO "
                  "(basic.auth.user.info). SASL_INHERIT is not supported.",
                  v::one_of({"URL", "USER_INFO", "SASL_INHERIT"}), false});
  s.define(KeyDef{"basic.auth.user.info", KeyType::Password, text(""),
                  "USER:PASSWORD for basic auth, with basic.auth.credentials.source=USER_INFO.", std::nullopt, true});
  s.define(KeyDef{"schema.registry.basic.auth.user.info", KeyType::Password, text(""),
                  "Same as basic.auth.user.info (used when that one is empty).", std::nullopt, true});
  s.define(KeyDef{"bearer.auth.credentials.source", KeyType::String, text("STATIC_TOKEN"),
                  "Where the bearer token comes from: STATIC_TOKEN (bearer.auth.token) only.",
                  v::one_of({"STATIC_TOKEN"}), false});
  s.define(KeyDef{"bearer.auth.token", KeyType::Password, text(""),
                  "A bearer token sent as Authorization: Bearer TOKEN; empty: none.", std::nullopt, true});
  s.define(KeyDef{"schema.registry.ssl.truststore.location", KeyType::String, text(""),
                  "A PEM file of the CA certificates to trust for an https registry; empty: the system's.",
                  std::nullopt, false, config::FileUse::Reads});
  s.define(KeyDef{"schema.registry.ssl.truststore.type", KeyType::String, text("JKS"),
                  "The trust store's format: only PEM is supported (convert JKS or PKCS12 stores with openssl).",
                  std::nullopt, false});
  s.define(KeyDef{"schema.registry.ssl.keystore.location", KeyType::String, text(""),
                  "A PEM file holding the client certificate and its key, for registries that ask for one.",
                  std::nullopt, false, config::FileUse::Reads});
  s.define(KeyDef{"schema.registry.ssl.keystore.type", KeyType::String, text("JKS"),
                  "The key store's format: only PEM is supported.", std::nullopt, false});
  s.define(KeyDef{"schema.registry.ssl.key.password", KeyType::Password, text(""),
                  "The password of the key in the key store.", std::nullopt, true});
  s.define(KeyDef{"max.retries", KeyType::Int, ConfigValue(int64_t{3}),
                  "How many times a request is retried while the registry cannot be reached (or answers 408, 429, "
                  "502, 503, 504), every URL tried each time.",
                  v::at_least(0), false});
  s.define(KeyDef{"retries.wait.ms", KeyType::Int, ConfigValue(int64_t{1000}),
                  "The wait before the first retry, doubled for each next one.", v::at_least(0), false});
  s.define(KeyDef{"retries.max.wait.ms", KeyType::Int, ConfigValue(int64_t{20000}),
                  "The longest wait between retries.", v::at_least(0), false});
  s.define(KeyDef{"http.connect.timeout.ms", KeyType::Int, ConfigValue(int64_t{60000}),
                  "How long to wait for a connection to the registry.", v::at_least(1), false});
  s.define(KeyDef{"http.read.timeout.ms", KeyType::Int, ConfigValue(int64_t{60000}),
                  "How long to wait for the registry's answer.", v::at_least(1), false});
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
  s.define(KeyDef{"schemas.cache.config", KeyType::Int, ConfigValue(int64_t{1000}),
                  "Size of the converted schemas cache", v::at_least(0), false});
  info.make_converter = [] { return std::make_unique<AvroConverter>(); };
  return info;
}

}  // namespace connectrun::avro
