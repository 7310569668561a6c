// ExtractNewRecordState: flattens a Debezium change event (the `….Envelope`
// struct with before/after/source/op/ts_ms/transaction) to the row state it
// carries, with Debezium's handling of deletes and tombstones, metadata
// fields and headers, topic routing and dropped fields
// (io.debezium.transforms.ExtractNewRecordState, Debezium 2.x keys plus the
// 3.x delete-to-tombstone mode and replace.null.with.default).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>

#include "plugin/transform.h"
#include "transforms/util.h"

namespace connectrun::transforms {

class ExtractNewRecordState : public Transformation {
 public:
  void configure(const config::ConfigValues& cfg) override;
  bool apply_in_place(Record& record) override;
  static config::ConfigSpec spec();

  // One entry of add.fields / add.headers: `[struct.]field[:alias]`.
  struct FieldReference {
    std::optional<std::string> parent;  // "source", "transaction", …; none for op, ts_ms, ts_us, ts_ns
    std::string field;
    std::string new_name;  // prefix + (field | struct_field | alias)
  };
  // Parses an entry as Debezium's FieldReference does; throws config::ConfigError for `a:b:c`.
  static FieldReference parse_reference(const std::string& prefix, const std::string& entry, const std::string& key);

  // What becomes of a delete event (op "d").
  enum class DeleteAction {
    Drop,         // dropped
    AfterNull,    // value null, value schema the `after` field's (Debezium's "tombstone" / legacy "none")
    Rewrite,      // `before` plus __deleted="true"
    ToTombstone,  // value and value schema null (delete-to-tombstone)
  };

 private:
  // Schemas derived from (input schema, second schema, tag), most recently used last.
  class DerivedSchemas {
   public:
    SchemaPtr get(const SchemaPtr& a, const SchemaPtr& b, const std::string& tag);
    void put(const SchemaPtr& a, const SchemaPtr& b, std::string tag, SchemaPtr out);

   private:
    struct Entry {
      SchemaPtr a, b;
      std::string tag;
      SchemaPtr out;
    };
    static constexpr size_t kCapacity = 64;  // Debezium's SCHEMA_CACHE_SIZE
    std::vector<Entry> entries_;
  };

  void add_headers(Record& record, const StructValue* envelope) const;
  // InsertField$Value with static.field=__deleted: the struct copied plus the flag.
  void add_deleted_flag(SchemaPtr& schema, Value& value, const char* flag);
  void add_fields(Record& record, const StructValue& envelope);
  void route(Record& record, const Value& row, const char* purpose) const;
  void drop_fields(Record& record);
  void drop_from(SchemaPtr& schema, Value& value, const std::vector<std::string>& names);

  bool keep_tombstones_ = false;
  DeleteAction delete_action_ = DeleteAction::Drop;
  bool rewrite_ = false;  // c/u events get __deleted="false"
  std::vector<FieldReference> fields_, headers_;
  std::string route_by_field_;
  std::string drop_fields_header_;
  bool drop_fields_from_key_ = false;
  bool drop_fields_keep_schema_compatible_ = true;
  bool replace_null_with_default_ = true;
  DerivedSchemas deleted_cache_, fields_cache_, drop_cache_;
  std::shared_ptr<spdlog::logger> log_;
};

void register_extract_new_record_state(PluginRegistry& registry);

}  // namespace connectrun::transforms
