// Connect schemas ↔ Avro schemas as Confluent's AvroData
// (io.confluent.connect.avro.AvroData) translates them, so that the schema
// connectrun registers is the one Confluent's AvroConverter would register for
// the same Connect schema, and a schema written by Confluent's reads back as
// the Connect schema it came from. docs/converters.md has the table.
#pragma once

#include <optional>
#include <string>

#include "connectors/avro/avro_schema.h"
#include "data/value.h"

namespace connectrun::avro {

inline constexpr std::string_view kNamespace = "io.confluent.connect.avro";
inline constexpr std::string_view kDefaultSchemaName = "ConnectDefault";
inline constexpr std::string_view kDefaultSchemaFullName = "io.confluent.connect.avro.ConnectDefault";
inline constexpr std::string_view kMapEntryTypeName = "MapEntry";
inline constexpr std::string_view kConnectName = "connect.name";
inline constexpr std::string_view kConnectDoc = "connect.doc";
inline constexpr std::string_view kConnectVersion = "connect.version";
inline constexpr std::string_view kConnectDefault = "connect.default";
inline constexpr std::string_view kConnectParameters = "connect.parameters";
inline constexpr std::string_view kConnectType = "connect.type";
inline constexpr std::string_view kConnectInternalType = "connect.internal.type";
inline constexpr std::string_view kAvroRecordDoc = "io.confluent.connect.avro.record.doc";
inline constexpr std::string_view kAvroFieldDocPrefix = "io.confluent.connect.avro.field.doc.";
inline constexpr std::string_view kAvroFieldDefaultFlag = "io.confluent.connect.avro.field.default";
inline constexpr std::string_view kAvroEnumDocPrefix = "io.confluent.connect.avro.enum.doc.";
inline constexpr std::string_view kAvroEnumDefaultPrefix = "io.confluent.connect.avro.enum.default.";
inline constexpr std::string_view kAvroTypeUnion = "io.confluent.connect.avro.Union";
inline constexpr std::string_view kAvroTypeEnum = "io.confluent.connect.avro.Enum";
inline constexpr std::string_view kFixedSize = "connect.fixed.size";
inline constexpr std::string_view kDecimalPrecision = "connect.decimal.precision";
inline constexpr int32_t kDecimalPrecisionDefault = 64;

struct AvroDataOptions {
  // enhanced.avro.schema.support: Avro enums kept as enums, union members named by full name.
  bool enhanced_schema_support = false;
  // connect.meta.data: connect.* properties written and read.
  bool connect_meta_data = true;
  // scrub.invalid.names: names Avro refuses ("user-id") made valid ("user_id") instead of refused.
  bool scrub_invalid_names = false;
};

// A record, field or enum name as AvroData's scrubbing makes it valid in Avro:
// URL-encoded, "x" before a leading digit, every other character not [A-Za-z0-9_] as "_".
std::string scrub_name(const std::string& name);

// The Avro schema for a Connect schema (AvroData.fromConnectSchema). Schemaless
// data has no Connect schema: avro_anything.h writes it.
AvroPtr from_connect_schema(const Schema& schema, const AvroDataOptions& opts);

// The Connect schema for an Avro schema (AvroData.toConnectSchema); `version`
// is the registry's version of the schema, used when it has no connect.version.
SchemaPtr to_connect_schema(const AvroNode& schema, const AvroDataOptions& opts,
                            std::optional<int32_t> version = std::nullopt);

// Logical-type helpers shared by the codec.
bool is_union_schema(const Schema& s);
// The digits of a Decimal's unscaled value, without its sign (its precision).
int32_t decimal_precision(const Decimal& d);
int32_t decimal_scale_of(const Schema& s);

}  // namespace connectrun::avro
