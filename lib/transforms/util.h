// Shared helpers for the transforms: which side of a record a $Key/$Value
// transform works on, Kafka's Requirements checks, a schema cache and
// registration helpers.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/spec.h"
#include "data/value.h"
#include "plugin/registry.h"

namespace connectrun::transforms {

inline constexpr std::string_view kJavaPackage = "org.apache.kafka.connect.transforms.";

// Kafka's $Key and $Value classes differ only in which half of the record they read and write.
enum class Side { Key, Value };

inline SchemaPtr& side_schema(Record& r, Side s) { return s == Side::Key ? r.key_schema : r.value_schema; }
inline Value& side_value(Record& r, Side s) { return s == Side::Key ? r.key : r.value; }
inline const SchemaPtr& side_schema(const Record& r, Side s) { return s == Side::Key ? r.key_schema : r.value_schema; }
inline const Value& side_value(const Record& r, Side s) { return s == Side::Key ? r.key : r.value; }

// Requirements.requireMap / requireStruct / requireSinkRecord, with Kafka's messages.
[[noreturn]] void throw_not_map(const Value& v, std::string_view purpose);
inline const MapEntries& require_map(const Value& v, std::string_view purpose) {
  if (auto* m = v.get_if<MapEntries>()) return *m;
  throw_not_map(v, purpose);
}
const MapEntries* require_map_or_null(const Value& v, std::string_view purpose);
const StructValue& require_struct(const Value& v, std::string_view purpose);
const StructValue* require_struct_or_null(const Value& v, std::string_view purpose);
void require_schema(const SchemaPtr& s, std::string_view purpose);
void require_sink_record(const Record& r, std::string_view purpose);

// Struct.get(): a null field reads as the field schema's default.
const Value& struct_get(const StructValue& s, const Field& f);
const Value& struct_get(const StructValue& s, std::string_view name);  // throws DataException if unknown
// Struct.put without a per-call validation of nested structs: used where the
// transform has built the value to match the schema itself.
void struct_set(StructValue& s, const Field& f, Value v);
// Struct.put of a value read from the field `from` of another struct. When both
// fields share one schema object the value was valid there and is stored as is:
// Struct.put's check formats a message string per call, which was most of a
// struct transform's cost. A null still goes through the check (a required
// field the input left unset fails as in Kafka), as does a field whose schema differs.
void struct_put_from(StructValue& s, const Field& to, const Field& from, Value v);

// Schemaless map helpers (string keys).
Value* map_find(MapEntries& m, std::string_view key);
const Value* map_find(const MapEntries& m, std::string_view key);
// Replaces or appends; a new entry is built in the map, with no temporary key or value moved in.
void map_put(MapEntries& m, std::string_view key, Value&& v);
void map_put(MapEntries& m, std::string_view key, const Value& v);
bool map_erase(MapEntries& m, std::string_view key);

// SchemaUtil.copySchemaBasics: name, version, doc and parameters onto `builder`.
SchemaBuilder& copy_schema_basics(const Schema& source, SchemaBuilder& builder);

// Maps input schemas to the schemas a transform derived from them, so that one
// input schema always yields the same output SchemaPtr (Kafka: an LRU cache of
// 16 keyed by schema equality). Pointer identity is checked first, then
// equality. Per transform instance: one instance serves one pipeline thread.
class SchemaCache {
 public:
  SchemaPtr get(const SchemaPtr& in);
  void put(const SchemaPtr& in, SchemaPtr out);

 private:
  static constexpr size_t kCapacity = 16;
  std::vector<std::pair<SchemaPtr, SchemaPtr>> entries_;  // most recently used last
};

// Registration helpers: our short name plus Kafka's class name as an alias.
using TransformFactory = std::function<std::unique_ptr<Transformation>()>;
void add_transform(PluginRegistry& registry, std::string name, std::string summary, std::string description,
                   config::ConfigSpec spec, TransformFactory make);
// Registers `Base$Key` and `Base$Value`.
void add_key_value(PluginRegistry& registry, const std::string& base, const std::string& summary,
                   const std::string& description, const config::ConfigSpec& spec,
                   const std::function<std::unique_ptr<Transformation>(Side)>& make);

// Kafka's `replace.null.with.default` key, shared by several transforms.
config::KeyDef replace_null_with_default_key();
// Java's String.split(":") of a "field:type" or "from:to" mapping: trailing empty strings removed.
std::vector<std::string> split_colon(const std::string& s);

// Validators Kafka's transforms use.
config::Validator non_empty_list();             // NonEmptyListValidator: "Empty list"
config::Validator non_empty_string_config();    // "String must be non-empty"

}  // namespace connectrun::transforms
