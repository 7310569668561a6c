// Debezium change events for the ExtractNewRecordState tests: the records of
// Debezium's AbstractExtractStateTest.java (debezium-core/src/test/java/io/debezium/transforms/,
// v2.7.4.Final), built with connectrun's data model. `Envelope.defineSchema()`
// is envelope_schema(); create/update/delete/truncate records as there.
#pragma once

#include <string>
#include <vector>

#include "transform_test_util.h"

namespace dbztest {

using namespace connectrun;

// AbstractExtractStateTest's schemas.
inline SchemaPtr record_schema() {
  static const SchemaPtr s =
      SchemaBuilder::structure()
          .field("id", SchemaBuilder::int8().parameter("__debezium.source.column.name", "id").build())
          .field("name", SchemaBuilder::string().parameter("__debezium.source.column.name", "name").build())
          .build();
  return s;
}

inline SchemaPtr source_schema() {
  static const SchemaPtr s = SchemaBuilder::structure()
                                 .field("lsn", schemas::int32())
                                 .field("ts_ms", schemas::int64(true))
                                 .field("ts_us", schemas::int64(true))
                                 .field("ts_ns", schemas::int64(true))
                                 .field("db", schemas::string(true))
                                 .field("table", schemas::string(true))
                                 .build();
  return s;
}

// SchemaFactory.transactionBlockSchema().
inline SchemaPtr transaction_schema() {
  static const SchemaPtr s = SchemaBuilder::structure()
                                 .optional()
                                 .name("event.block")
                                 .version(1)
                                 .field("id", schemas::string())
                                 .field("total_order", schemas::int64())
                                 .field("data_collection_order", schemas::int64())
                                 .build();
  return s;
}

// Envelope.defineSchema().withName(...).withRecord(record).withSource(source)[.withSchema(extra)].build().
inline SchemaPtr envelope_schema(const SchemaPtr& record, const SchemaPtr& source, const std::string& name = "dummy.Envelope",
                          const std::vector<std::pair<std::string, SchemaPtr>>& extra = {}) {
  SchemaBuilder b = SchemaBuilder::structure();
  b.name(name).version(1);
  b.field("before", record).field("after", record).field("source", source);
  for (auto& [n, s] : extra) b.field(n, s);
  b.field("op", schemas::string())
      .field("ts_ms", schemas::int64(true))
      .field("ts_us", schemas::int64(true))
      .field("ts_ns", schemas::int64(true))
      .field("transaction", transaction_schema());
  return b.build();
}

inline std::shared_ptr<StructValue> make_source(const SchemaPtr& schema = source_schema()) {
  auto s = StructValue::make(schema);
  s->put("ts_ms", Value(int64_t{1588252618953}));
  if (schema->field("ts_us")) s->put("ts_us", Value(int64_t{1588252618953000}));
  if (schema->field("ts_ns")) s->put("ts_ns", Value(int64_t{1588252618953000000}));
  return s;
}

inline std::shared_ptr<StructValue> row(const SchemaPtr& schema, int8_t id, Value name) {
  auto r = StructValue::make(schema);
  r->put("id", Value(id));
  r->put("name", std::move(name));
  return r;
}

inline std::shared_ptr<StructValue> transaction() {
  auto t = StructValue::make(transaction_schema());
  t->put("id", Value("571"));
  t->put("total_order", Value(int64_t{42}));
  t->put("data_collection_order", Value(int64_t{42}));
  return t;
}

// Envelope.create/update/delete: op, the states, source, ts_ms/us/ns from `instant_ns`.
inline std::shared_ptr<StructValue> event(const SchemaPtr& envelope, const char* op, std::shared_ptr<StructValue> before,
                                   std::shared_ptr<StructValue> after, std::shared_ptr<StructValue> source,
                                   int64_t instant_ns = 1700000000123456789) {
  auto e = StructValue::make(envelope);
  e->put("op", Value(op));
  if (before) e->put("before", Value(std::move(before)));
  if (after) e->put("after", Value(std::move(after)));
  e->put("source", Value(std::move(source)));
  e->put("ts_ms", Value(int64_t{instant_ns / 1000000}));
  e->put("ts_us", Value(int64_t{instant_ns / 1000}));
  e->put("ts_ns", Value(int64_t{instant_ns}));
  return e;
}

inline Record source_record(SchemaPtr value_schema, Value value, SchemaPtr key_schema = nullptr, Value key = Value()) {
  Record r;
  r.topic = "dummy";
  r.key_schema = std::move(key_schema);
  r.key = std::move(key);
  r.value_schema = std::move(value_schema);
  r.value = std::move(value);
  return r;
}

inline Record create_record() {
  auto env = envelope_schema(record_schema(), source_schema());
  auto source = make_source();
  source->put("lsn", Value(int32_t{1234}));
  source->put("db", Value("test_db"));
  source->put("table", Value("test_table"));
  return source_record(env, Value(event(env, "c", nullptr, row(record_schema(), 1, Value("myRecord")), source)));
}

inline Record update_record() {
  auto env = envelope_schema(record_schema(), source_schema());
  auto source = make_source();
  source->put("lsn", Value(int32_t{1234}));
  source->put("db", Value("test_db"));
  source->put("table", Value("test_table"));
  auto e = event(env, "u", row(record_schema(), 1, Value("myRecord")), row(record_schema(), 1, Value("updatedRecord")),
                 source);
  e->put("transaction", Value(transaction()));
  return source_record(env, Value(e));
}

inline Record delete_record() {
  auto delete_source = SchemaBuilder::structure()
                           .field("lsn", schemas::int32())
                           .field("version", schemas::string())
                           .field("db", schemas::string(true))
                           .field("table", schemas::string(true))
                           .build();
  auto env = envelope_schema(record_schema(), delete_source);
  auto source = StructValue::make(delete_source);
  source->put("lsn", Value(int32_t{1234}));
  source->put("version", Value("version!"));
  source->put("db", Value("test_db"));
  source->put("table", Value("test_table"));
  return source_record(env, Value(event(env, "d", row(record_schema(), 1, Value("myRecord")), nullptr, source)));
}

inline Record tombstone_record() { return source_record(nullptr, Value()); }

inline Record truncate_record() {
  auto env = envelope_schema(record_schema(), source_schema());
  auto source = make_source();
  source->put("lsn", Value(int32_t{1234}));
  return source_record(env, Value(event(env, "t", nullptr, nullptr, source)));
}

// {id int8, name optional string default "default_str"}: createCreateRecordWithOptionalNull and friends.
inline SchemaPtr optional_name_schema() {
  static const SchemaPtr s =
      SchemaBuilder::structure()
          .field("id", schemas::int8())
          .field("name", SchemaBuilder::string().optional().default_value(Value("default_str")).build())
          .build();
  return s;
}

inline SchemaPtr id_key_schema() {
  static const SchemaPtr s = SchemaBuilder::structure().field("id", schemas::int8()).build();
  return s;
}

inline Value id_key() {
  auto k = StructValue::make(id_key_schema());
  k->put("id", Value(int8_t{1}));
  return Value(k);
}

inline Record create_with_optional_null(bool with_key = false) {
  auto env = envelope_schema(optional_name_schema(), source_schema());
  auto source = make_source();
  source->put("lsn", Value(int32_t{1234}));
  Record r = source_record(env, Value(event(env, "c", nullptr, row(optional_name_schema(), 1, Value()), source)));
  if (with_key) {
    r.key_schema = id_key_schema();
    r.key = id_key();
  }
  return r;
}

inline Record update_with_optional_null(bool with_key = false) {
  auto env = envelope_schema(optional_name_schema(), source_schema());
  auto source = make_source();
  source->put("lsn", Value(int32_t{1234}));
  auto e = event(env, "u", row(optional_name_schema(), 1, Value()),
                 row(optional_name_schema(), 1, Value("updatedRecord")), source);
  e->put("transaction", Value(transaction()));
  Record r = source_record(env, Value(e));
  if (with_key) {
    r.key_schema = id_key_schema();
    r.key = id_key();
  }
  return r;
}

// createUpdateRecordWithChangedFields: an envelope with an extra `changes` array (ExtractChangedRecordState).
inline Record update_with_changed_fields() {
  auto env = envelope_schema(record_schema(), source_schema(), "changedFields.Envelope",
                             {{"changes", SchemaBuilder::array(schemas::string()).build()}});
  auto source = make_source();
  source->put("lsn", Value(int32_t{1234}));
  auto e = event(env, "u", row(record_schema(), 1, Value("myRecord")), row(record_schema(), 1, Value("updatedRecord")),
                 source);
  e->put("changes", Value(Array{Value("name")}));
  e->put("transaction", Value(transaction()));
  return source_record(env, Value(e));
}

inline Record unknown_record(bool named) {
  SchemaBuilder b = SchemaBuilder::structure();
  if (named) b.name("unknown");
  auto schema = b.field("id", schemas::int8()).build();
  auto v = StructValue::make(schema);
  v->put("id", Value(int8_t{1}));
  return source_record(schema, Value(v));
}

inline Record heartbeat_record() {
  auto value_schema =
      SchemaBuilder::structure().name("io.debezium.connector.common.Heartbeat").field("ts_ms", schemas::int64()).build();
  auto v = StructValue::make(value_schema);
  v->put("ts_ms", Value(int64_t{1588252618953}));
  auto key_schema = SchemaBuilder::structure().name("op.with.heartbeat.Key").field("id", schemas::string()).build();
  auto k = StructValue::make(key_schema);
  k->put("id", Value("123"));
  Record r = source_record(value_schema, Value(v), key_schema, Value(k));
  r.topic = "op.with.heartbeat";
  return r;
}

inline Record with_drop_header(Record r, const std::vector<std::string>& names) {
  Array list;
  for (auto& n : names) list.emplace_back(n);
  auto schema = SchemaBuilder::array(schemas::string(true)).optional().name("drop-fields").build();
  r.headers.push_back(Header{"drop-fields", schema, Value(std::move(list))});
  return r;
}

// getSourceRecordHeaderByKey: the first header of that name (nullptr when none).
inline const Header* header(const Record& r, const std::string& key) {
  for (auto& h : r.headers)
    if (h.key == key) return &h;
  return nullptr;
}

inline const Value& get(const Record& r, const std::string& name) { return r.value.as_struct().get(name); }

inline bool same_record(const Record& a, const Record& b) {
  return a.topic == b.topic && a.value == b.value && a.value_schema == b.value_schema && a.key == b.key &&
         a.headers.size() == b.headers.size();
}

inline std::optional<Record> apply_copy(Transformation& t, const Record& r) { return t.apply(Record(r)); }

inline const std::string kMode = "delete.tombstone.handling.mode";


}  // namespace dbztest
