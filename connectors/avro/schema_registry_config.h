// The Schema Registry keys AvroConverter and JsonSchemaConverter share
// (Confluent's AbstractKafkaSchemaSerDeConfig): declared once here, read into
// a client and a subject naming rule.
#pragma once

#include <memory>
#include <string>

#include "config/spec.h"
#include "connectors/avro/schema_registry.h"
#include "data/value.h"

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

// The schema a message was written with (GET /schemas/ids/N), as a deserializer needs it: an unknown id, a
// registry that cannot be reached and a schema of another schemaType than `expected_type` ("AVRO", "JSON")
// become DataExceptions naming the topic, the id and what to do. `format` names the data in messages ("Avro").
RegisteredSchema writer_schema(SchemaRegistryClient& registry, std::string_view topic, int32_t id,
                               std::string_view format, std::string_view expected_type, bool is_key);

}  // namespace connectrun::avro
