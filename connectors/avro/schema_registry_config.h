// The Schema Registry keys AvroConverter and JsonSchemaConverter share
// (Confluent's AbstractKafkaSchemaSerDeConfig): declared once here, read into
// a client and a subject naming rule.
#pragma once

#include <memory>
#include <string>

#include "config/spec.h"
#include "connectors/avro/schema_registry.h"

namespace connectrun::avro {

enum class SubjectNameStrategy { TopicName, RecordName, TopicRecordName };

// schema.registry.url, credentials, TLS, retries, timeouts, auto.register.schemas,
// use.latest.version, latest.compatibility.strict, the subject name strategies
// and schemas.cache.config.
void define_registry_keys(config::ConfigSpec& spec);

// The client the keys describe; nullptr when schema.registry.url was not set
// (the spec's parse reported the missing key already). Throws ConfigError.
std::unique_ptr<SchemaRegistryClient> registry_from_config(const config::ConfigValues& cfg);

SubjectNameStrategy subject_strategy(const config::ConfigValues& cfg, bool is_key);

// The subject a schema is registered under: TOPIC-key/-value, the record's
// name, or TOPIC-RECORD.
std::string subject_name(SubjectNameStrategy strategy, std::string_view topic, bool is_key, const std::string& record);

}  // namespace connectrun::avro
