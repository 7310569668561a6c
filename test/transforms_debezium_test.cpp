// ExtractNewRecordState (io.debezium.transforms.ExtractNewRecordState): the
// cases of Debezium's own tests, transcribed from
// debezium-core/src/test/java/io/debezium/transforms/ExtractNewRecordStateTest.java
// (v2.7.4.Final; the DBZ-7094 replace.null.with.default and delete-to-tombstone
// cases from v3.2+, where the file moved to debezium-connect-plugins/) and the
// records of AbstractExtractStateTest.java beside it; the legacy
// drop.tombstones / delete.handling.mode cases from LegacyExtractNewRecordStateTest.java
// (v2.7.4.Final). Then a pipeline: Debezium events in a file → FileStreamSource
// → this SMT → JdbcSink on SQLite, where tombstones delete rows.
#include <fmt/format.h>

#include "support.h"
#include "transform_test_util.h"

using namespace connectrun;
using namespace connectrun::testing;
using namespace testsupport;
using namespace std::chrono_literals;

namespace {

// AbstractExtractStateTest's schemas.
SchemaPtr record_schema() {
  static const SchemaPtr s =
      SchemaBuilder::structure()
          .field("id", SchemaBuilder::int8().parameter("__debezium.source.column.name", "id").build())
          .field("name", SchemaBuilder::string().parameter("__debezium.source.column.name", "name").build())
          .build();
  return s;
}

SchemaPtr source_schema() {
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
SchemaPtr transaction_schema() {
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
SchemaPtr envelope_schema(const SchemaPtr& record, const SchemaPtr& source, const std::string& name = "dummy.Envelope",
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

std::shared_ptr<StructValue> make_source(const SchemaPtr& schema = source_schema()) {
  auto s = StructValue::make(schema);
  s->put("ts_ms", Value(int64_t{1588252618953}));
  if (schema->field("ts_us")) s->put("ts_us", Value(int64_t{1588252618953000}));
  if (schema->field("ts_ns")) s->put("ts_ns", Value(int64_t{1588252618953000000}));
  return s;
}

std::shared_ptr<StructValue> row(const SchemaPtr& schema, int8_t id, Value name) {
  auto r = StructValue::make(schema);
  r->put("id", Value(id));
  r->put("name", std::move(name));
  return r;
}

std::shared_ptr<StructValue> transaction() {
  auto t = StructValue::make(transaction_schema());
  t->put("id", Value("571"));
  t->put("total_order", Value(int64_t{42}));
  t->put("data_collection_order", Value(int64_t{42}));
  return t;
}

// Envelope.create/update/delete: op, the states, source, ts_ms/us/ns from `instant_ns`.
std::shared_ptr<StructValue> event(const SchemaPtr& envelope, const char* op, std::shared_ptr<StructValue> before,
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

Record source_record(SchemaPtr value_schema, Value value, SchemaPtr key_schema = nullptr, Value key = Value()) {
  Record r;
  r.topic = "dummy";
  r.key_schema = std::move(key_schema);
  r.key = std::move(key);
  r.value_schema = std::move(value_schema);
  r.value = std::move(value);
  return r;
}

Record create_record() {
  auto env = envelope_schema(record_schema(), source_schema());
  auto source = make_source();
  source->put("lsn", Value(int32_t{1234}));
  source->put("db", Value("test_db"));
  source->put("table", Value("test_table"));
  return source_record(env, Value(event(env, "c", nullptr, row(record_schema(), 1, Value("myRecord")), source)));
}

Record update_record() {
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

Record delete_record() {
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

Record tombstone_record() { return source_record(nullptr, Value()); }

Record truncate_record() {
  auto env = envelope_schema(record_schema(), source_schema());
  auto source = make_source();
  source->put("lsn", Value(int32_t{1234}));
  return source_record(env, Value(event(env, "t", nullptr, nullptr, source)));
}

// {id int8, name optional string default "default_str"}: createCreateRecordWithOptionalNull and friends.
SchemaPtr optional_name_schema() {
  static const SchemaPtr s =
      SchemaBuilder::structure()
          .field("id", schemas::int8())
          .field("name", SchemaBuilder::string().optional().default_value(Value("default_str")).build())
          .build();
  return s;
}

SchemaPtr id_key_schema() {
  static const SchemaPtr s = SchemaBuilder::structure().field("id", schemas::int8()).build();
  return s;
}

Value id_key() {
  auto k = StructValue::make(id_key_schema());
  k->put("id", Value(int8_t{1}));
  return Value(k);
}

Record create_with_optional_null(bool with_key = false) {
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

Record update_with_optional_null(bool with_key = false) {
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
Record update_with_changed_fields() {
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

Record unknown_record(bool named) {
  SchemaBuilder b = SchemaBuilder::structure();
  if (named) b.name("unknown");
  auto schema = b.field("id", schemas::int8()).build();
  auto v = StructValue::make(schema);
  v->put("id", Value(int8_t{1}));
  return source_record(schema, Value(v));
}

Record heartbeat_record() {
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

Record with_drop_header(Record r, const std::vector<std::string>& names) {
  Array list;
  for (auto& n : names) list.emplace_back(n);
  auto schema = SchemaBuilder::array(schemas::string(true)).optional().name("drop-fields").build();
  r.headers.push_back(Header{"drop-fields", schema, Value(std::move(list))});
  return r;
}

// getSourceRecordHeaderByKey: the first header of that name (nullptr when none).
const Header* header(const Record& r, const std::string& key) {
  for (auto& h : r.headers)
    if (h.key == key) return &h;
  return nullptr;
}

const Value& get(const Record& r, const std::string& name) { return r.value.as_struct().get(name); }

bool same_record(const Record& a, const Record& b) {
  return a.topic == b.topic && a.value == b.value && a.value_schema == b.value_schema && a.key == b.key &&
         a.headers.size() == b.headers.size();
}

std::optional<Record> apply_copy(Transformation& t, const Record& r) { return t.apply(Record(r)); }

const std::string kMode = "delete.tombstone.handling.mode";

}  // namespace

TEST_CASE("ExtractNewRecordState drops or keeps tombstones as delete.tombstone.handling.mode says", "[transforms][debezium]") {
  // testTombstoneDroppedByDefault / testTombstoneDroppedConfigured
  CHECK_FALSE(make_transform("ExtractNewRecordState", {{kMode, "drop"}})->apply(tombstone_record()));
  // testTombstoneForwardConfigured: "tombstone" turns the delete into the tombstone and drops Debezium's own
  CHECK_FALSE(make_transform("ExtractNewRecordState", {{kMode, "tombstone"}})->apply(tombstone_record()));
  CHECK_FALSE(make_transform("ExtractNewRecordState", {{kMode, "rewrite"}})->apply(tombstone_record()));
  // testTombstoneRewriteWithTombstone
  auto kept = make_transform("ExtractNewRecordState", {{kMode, "rewrite-with-tombstone"}})->apply(tombstone_record());
  REQUIRE(kept);
  CHECK(same_record(*kept, tombstone_record()));
  // testDeleteRewriteToTombstoneAndDropActualTombstone (3.2+)
  auto to_tombstone = make_transform("ExtractNewRecordState", {{kMode, "delete-to-tombstone"}});
  auto deleted = to_tombstone->apply(delete_record());
  REQUIRE(deleted);
  CHECK(deleted->value.is_null());
  CHECK(deleted->value_schema == nullptr);
  CHECK_FALSE(to_tombstone->apply(tombstone_record()));
  // LegacyExtractNewRecordStateTest: drop.tombstones defaults to true; false forwards them.
  CHECK_FALSE(make_transform("ExtractNewRecordState")->apply(tombstone_record()));
  CHECK_FALSE(make_transform("ExtractNewRecordState", {{"drop.tombstones", "true"}})->apply(tombstone_record()));
  auto forwarded = make_transform("ExtractNewRecordState", {{"drop.tombstones", "false"}})->apply(tombstone_record());
  REQUIRE(forwarded);
  CHECK(same_record(*forwarded, tombstone_record()));
  // the new key wins over the deprecated one, as in Debezium 2.x
  CHECK_FALSE(make_transform("ExtractNewRecordState", {{kMode, "drop"}, {"drop.tombstones", "false"}})
                  ->apply(tombstone_record()));
}

TEST_CASE("ExtractNewRecordState drops truncates and handles delete events by mode", "[transforms][debezium]") {
  // testTruncateDroppedByDefault
  CHECK_FALSE(make_transform("ExtractNewRecordState", {{kMode, "tombstone"}})->apply(truncate_record()));
  // testDeleteDroppedByDefault / testHandleDeleteDrop
  CHECK_FALSE(make_transform("ExtractNewRecordState", {{kMode, "drop"}})->apply(delete_record()));
  // testHandleDeleteNone: a record with a null value, the value schema that of `after`
  auto none = make_transform("ExtractNewRecordState", {{kMode, "tombstone"}})->apply(delete_record());
  REQUIRE(none);
  CHECK(none->value.is_null());
  CHECK(none->value_schema == record_schema());
  CHECK(none->topic == "dummy");
  // testHandleDeleteRewrite
  auto rewritten = make_transform("ExtractNewRecordState", {{kMode, "rewrite"}})->apply(delete_record());
  REQUIRE(rewritten);
  CHECK(get(*rewritten, "__deleted") == Value("true"));
  CHECK(get(*rewritten, "id") == Value(int8_t{1}));
  CHECK(get(*rewritten, "name") == Value("myRecord"));
  CHECK(rewritten->value_schema->field("__deleted")->schema->optional);
  // LegacyExtractNewRecordStateTest: delete.handling.mode drop (the default), none, rewrite
  CHECK_FALSE(make_transform("ExtractNewRecordState")->apply(delete_record()));
  CHECK_FALSE(make_transform("ExtractNewRecordState", {{"delete.handling.mode", "drop"}})->apply(delete_record()));
  auto legacy_none = make_transform("ExtractNewRecordState", {{"delete.handling.mode", "none"}})->apply(delete_record());
  REQUIRE(legacy_none);
  CHECK(legacy_none->value.is_null());
  auto legacy_rewrite =
      make_transform("ExtractNewRecordState", {{"delete.handling.mode", "rewrite"}})->apply(delete_record());
  REQUIRE(legacy_rewrite);
  CHECK(get(*legacy_rewrite, "__deleted") == Value("true"));
  auto legacy_create =
      make_transform("ExtractNewRecordState", {{"delete.handling.mode", "rewrite"}})->apply(create_record());
  CHECK(get(*legacy_create, "__deleted") == Value("false"));
}

TEST_CASE("ExtractNewRecordState unwraps creates and updates to the after state", "[transforms][debezium]") {
  // testUnwrapCreateRecord
  auto t = make_transform("ExtractNewRecordState", {{kMode, "tombstone"}});
  auto out = t->apply(create_record());
  REQUIRE(out);
  CHECK(get(*out, "id") == Value(int8_t{1}));
  CHECK(get(*out, "name") == Value("myRecord"));
  CHECK(out->value_schema->fields.size() == 2);
  CHECK(out->value_schema->fields[0].schema->parameter("__debezium.source.column.name"));
  CHECK(out->topic == "dummy");
  auto upd = t->apply(update_record());
  CHECK(get(*upd, "name") == Value("updatedRecord"));
  // testHandleCreateRewrite
  auto rewrite = make_transform("ExtractNewRecordState", {{kMode, "rewrite"}, {"add.headers", "op"}});
  auto created = rewrite->apply(create_record());
  CHECK(get(*created, "__deleted") == Value("false"));
  REQUIRE(created->headers.size() == 1);
  CHECK(header(*created, "__op")->value == Value("c"));
  // testUnwrapCreateRecordWithOptionalDefaultValue (DBZ-5166): the stored null stays null
  auto optional = t->apply(create_with_optional_null());
  CHECK(optional->value.as_struct().values[optional_name_schema()->field("name")->index].is_null());
  // DBZ-7094 (3.x): a rewrite fills in the default unless replace.null.with.default=false
  auto with_default = make_transform("ExtractNewRecordState", {{kMode, "rewrite"}})->apply(create_with_optional_null());
  CHECK(with_default->value.as_struct().values[1] == Value("default_str"));
  auto without_default =
      make_transform("ExtractNewRecordState", {{kMode, "rewrite"}, {"replace.null.with.default", "false"}})
          ->apply(create_with_optional_null());
  CHECK(without_default->value.as_struct().values[1].is_null());
  // testUnwrapPropagatesRecordHeaders (DBZ-971)
  Record with_header = create_record();
  with_header.headers.push_back(Header{"application/debezium-test-header", schemas::string(),
                                       Value("shouldPropagatePreviousRecordHeaders")});
  auto propagated = t->apply(std::move(with_header));
  REQUIRE(propagated->headers.size() == 1);
  CHECK(propagated->headers[0].value == Value("shouldPropagatePreviousRecordHeaders"));
  // the key, partition and timestamp are the event's
  Record keyed = create_with_optional_null(true);
  keyed.partition = 3;
  keyed.timestamp = 1700000000000;
  auto keyed_out = t->apply(std::move(keyed));
  CHECK(keyed_out->key == id_key());
  CHECK(keyed_out->partition == 3);
  CHECK(keyed_out->timestamp == 1700000000000);
}

TEST_CASE("ExtractNewRecordState passes records that are not change events unchanged", "[transforms][debezium]") {
  // testIgnoreUnknownRecord and testSchemaChangeEventWithOperationHeader (DBZ-1517)
  for (const auto& props : {Props{{kMode, "tombstone"}}, Props{{kMode, "tombstone"}, {"add.headers", "op"}}}) {
    auto t = make_transform("ExtractNewRecordState", props);
    for (bool named : {true, false}) {
      Record in = unknown_record(named);
      auto out = apply_copy(*t, in);
      REQUIRE(out);
      CHECK(same_record(*out, in));
    }
  }
  // testAddHeadersForNonEnvelopeRecord (DBZ-8393): no headers added to a heartbeat
  auto t = make_transform("ExtractNewRecordState", {{"add.headers", "op,source.lsn"}});
  Record hb = heartbeat_record();
  auto out = apply_copy(*t, hb);
  REQUIRE(out);
  CHECK(same_record(*out, hb));
  CHECK(out->headers.empty());
  // Schemaless values: Debezium needs the envelope's schema name, so a map passes unchanged.
  Record map = source_record(nullptr, Value(map_of({{"op", Value("c")}, {"after", Value(map_of({{"id", Value(int32_t{1})}}))}})));
  auto map_out = apply_copy(*make_transform("ExtractNewRecordState", {{kMode, "tombstone"}}), map);
  REQUIRE(map_out);
  CHECK(map_out->value == map.value);
}

TEST_CASE("ExtractNewRecordState add.fields adds envelope fields to the row", "[transforms][debezium]") {
  // testAddField (DBZ-1452 and DBZ-6901: a column added later is carried)
  auto t = make_transform("ExtractNewRecordState", {{kMode, "tombstone"}, {"add.fields", "op"}});
  CHECK(get(*t->apply(create_record()), "__op") == Value("c"));
  for (int64_t started : {int64_t{1694587158123}, int64_t{1694587158789}}) {
    auto grown = SchemaBuilder::structure()
                     .field("id", schemas::int8())
                     .field("name", schemas::string())
                     .field("started_at", schemas::int64(true))
                     .build();
    auto env = envelope_schema(grown, source_schema());
    auto after = row(grown, 1, Value("myRecord"));
    after->put("started_at", Value(started));
    auto src = make_source();
    src->put("lsn", Value(int32_t{1234}));
    auto out = t->apply(source_record(env, Value(event(env, "c", nullptr, after, src))));
    CHECK(get(*out, "started_at") == Value(started));
    CHECK(get(*out, "__op") == Value("c"));
  }
  // testAddTimestamp (DBZ-2984)
  CHECK_FALSE(make_transform("ExtractNewRecordState", {{kMode, "tombstone"}, {"add.fields", "ts_ms"}})
                  ->apply(create_record())
                  ->value.as_struct()
                  .get("__ts_ms")
                  .is_null());
  CHECK(get(*make_transform("ExtractNewRecordState", {{kMode, "tombstone"}, {"add.fields", "source.ts_ms"}})
                 ->apply(create_record()),
            "__source_ts_ms") == Value(int64_t{1588252618953}));
  // testAddFields (DBZ-1452, DBZ-2504)
  auto prefixed = make_transform("ExtractNewRecordState",
                                 {{kMode, "tombstone"}, {"add.fields", "op , lsn,id"}, {"add.fields.prefix", "prefix."}})
                      ->apply(update_record());
  CHECK(get(*prefixed, "prefix.op") == Value("u"));
  CHECK(get(*prefixed, "prefix.lsn") == Value(int32_t{1234}));
  CHECK(get(*prefixed, "prefix.id") == Value("571"));
  // testAddFieldsForMissingOptionalField: no transaction → __id null, its field optional
  auto missing = make_transform("ExtractNewRecordState", {{kMode, "tombstone"}, {"add.fields", "op,lsn,id"}})
                     ->apply(create_record());
  CHECK(get(*missing, "__op") == Value("c"));
  CHECK(get(*missing, "__lsn") == Value(int32_t{1234}));
  CHECK(get(*missing, "__id").is_null());
  CHECK(missing->value_schema->field("__id")->schema->optional);
  // testAddFieldsSpecifyStruct
  auto qualified =
      make_transform("ExtractNewRecordState",
                     {{kMode, "tombstone"}, {"add.fields", "op,source.lsn,transaction.id,transaction.total_order"}})
          ->apply(update_record());
  CHECK(get(*qualified, "__op") == Value("u"));
  CHECK(get(*qualified, "__source_lsn") == Value(int32_t{1234}));
  CHECK(get(*qualified, "__transaction_id") == Value("571"));
  CHECK(get(*qualified, "__transaction_total_order") == Value(int64_t{42}));
  // testNewNotDefaultField and testFieldNotExists (DBZ-6486): unknown names are left out
  for (const char* extra : {"notExisting,", ""}) {
    auto mapped = make_transform(
        "ExtractNewRecordState",
        {{kMode, "tombstone"},
         {"add.fields", std::string(extra) + "op:OP, lsn:LSN, id:ID, source.lsn:source_lsn, "
                                             "transaction.total_order:TOTAL_ORDER, changes:META_SRC_CHANGED"},
         {"add.fields.prefix", ""}})
                      ->apply(update_with_changed_fields());
    CHECK(get(*mapped, "OP") == Value("u"));
    CHECK(get(*mapped, "LSN") == Value(int32_t{1234}));
    CHECK(get(*mapped, "ID") == Value("571"));
    CHECK(get(*mapped, "source_lsn") == Value(int32_t{1234}));
    CHECK(get(*mapped, "TOTAL_ORDER") == Value(int64_t{42}));
    CHECK(get(*mapped, "META_SRC_CHANGED") == Value(Array{Value("name")}));
    CHECK(mapped->value_schema->field("notExisting") == nullptr);
  }
  // testEnvelopeTimestampFieldsHandledCorrectly (DBZ-7615)
  auto times =
      make_transform("ExtractNewRecordState",
                     {{kMode, "rewrite"},
                      {"add.fields",
                       "source.table:META_SRC_TABLENAME,source.ts_ms:META_SRC_TS_MS,source.ts_us:META_SRC_TS_US,"
                       "source.ts_ns:META_SRC_TS_NS,ts_ms:META_TS_MS,ts_us:META_TS_US,ts_ns:META_TS_NS,op:META_SRC_OP,"
                       "source.scn:META_SRC_SCN,source.snapshot:META_SRC_SNAPSHOT,source.user_name:META_SRC_USER,"
                       "changes:META_SRC_CHANGES"}});
  auto env = envelope_schema(optional_name_schema(), source_schema());
  auto src = make_source();
  src->put("lsn", Value(int32_t{1234}));
  // 2024-03-10T01:02:03.000123456Z
  auto created = times->apply(source_record(
      env, Value(event(env, "c", nullptr, row(optional_name_schema(), 1, Value()), src, 1710032523000123456))));
  CHECK(get(*created, "__META_SRC_TS_MS") == Value(int64_t{1588252618953}));
  CHECK(get(*created, "__META_SRC_TS_US") == Value(int64_t{1588252618953000}));
  CHECK(get(*created, "__META_SRC_TS_NS") == Value(int64_t{1588252618953000000}));
  CHECK(get(*created, "__META_TS_MS") == Value(int64_t{1710032523000}));
  CHECK(get(*created, "__META_TS_US") == Value(int64_t{1710032523000123}));
  CHECK(get(*created, "__META_TS_NS") == Value(int64_t{1710032523000123456}));
  CHECK(created->value_schema->field("__META_SRC_SCN") == nullptr);
  // testAddFieldHandleDeleteRewrite / testAddFieldsHandleDeleteRewrite / testAddFieldsSpecifyStructHandleDeleteRewrite
  auto del = make_transform("ExtractNewRecordState", {{kMode, "rewrite"}, {"add.fields", "op,lsn,source.lsn"}})
                 ->apply(delete_record());
  CHECK(get(*del, "__deleted") == Value("true"));
  CHECK(get(*del, "__op") == Value("d"));
  CHECK(get(*del, "__lsn") == Value(int32_t{1234}));
  CHECK(get(*del, "__source_lsn") == Value(int32_t{1234}));
  // testAddFieldsHandleDeleteRewriteAndTombstone (DBZ-1876)
  auto rwt = make_transform("ExtractNewRecordState", {{kMode, "rewrite-with-tombstone"}, {"add.fields", "op,lsn"}});
  auto rwt_del = rwt->apply(delete_record());
  CHECK(get(*rwt_del, "__deleted") == Value("true"));
  CHECK(get(*rwt_del, "__op") == Value("d"));
  CHECK(get(*rwt_del, "__lsn") == Value(int32_t{1234}));
  auto rwt_tomb = rwt->apply(tombstone_record());
  REQUIRE(rwt_tomb);
  CHECK(rwt_tomb->value.is_null());
  // a name the row already has: Debezium's schema builder refuses the duplicate
  CHECK_THROWS_WITH(make_transform("ExtractNewRecordState",
                                   {{kMode, "tombstone"}, {"add.fields", "op:name"}, {"add.fields.prefix", ""}})
                        ->apply(create_record()),
                    Catch::Contains("name"));
}

TEST_CASE("ExtractNewRecordState add.headers adds envelope fields as headers", "[transforms][debezium]") {
  // testAddHeader
  auto one = make_transform("ExtractNewRecordState", {{kMode, "tombstone"}, {"add.headers", "op"}})
                 ->apply(create_record());
  REQUIRE(one->headers.size() == 1);
  CHECK(header(*one, "__op")->value == Value("c"));
  // testAddHeaders
  auto three = make_transform("ExtractNewRecordState", {{kMode, "tombstone"}, {"add.headers", "op , lsn,id"}})
                   ->apply(update_record());
  REQUIRE(three->headers.size() == 3);
  CHECK(header(*three, "__op")->value == Value("u"));
  CHECK(header(*three, "__lsn")->value == Value(int32_t{1234}));
  CHECK(header(*three, "__id")->value == Value("571"));
  CHECK(header(*three, "__lsn")->schema->optional);
  // testAddHeadersForMissingOptionalField
  auto missing = make_transform("ExtractNewRecordState", {{kMode, "tombstone"}, {"add.headers", "op,lsn,id"}})
                     ->apply(create_record());
  REQUIRE(missing->headers.size() == 3);
  CHECK(header(*missing, "__id")->value.is_null());
  // testAddHeadersSpecifyStruct (DBZ-2504)
  auto qualified = make_transform("ExtractNewRecordState",
                                  {{kMode, "tombstone"},
                                   {"add.headers", "op,source.lsn,transaction.id,transaction.total_order"},
                                   {"add.headers.prefix", "prefix."}})
                       ->apply(update_record());
  REQUIRE(qualified->headers.size() == 4);
  CHECK(header(*qualified, "prefix.op")->value == Value("u"));
  CHECK(header(*qualified, "prefix.source_lsn")->value == Value(int32_t{1234}));
  CHECK(header(*qualified, "prefix.transaction_id")->value == Value("571"));
  CHECK(header(*qualified, "prefix.transaction_total_order")->value == Value(int64_t{42}));
  // testNewFieldAndHeaderMapping (DBZ-2606)
  auto mapped =
      make_transform("ExtractNewRecordState",
                     {{kMode, "tombstone"},
                      {"add.fields", "op:OP, lsn:LSN, id:ID, source.lsn:source_lsn, transaction.total_order:TOTAL_ORDER"},
                      {"add.fields.prefix", ""},
                      {"add.headers", "op, source.lsn:source_lsn, transaction.id:TXN_ID, transaction.total_order:TOTAL_ORDER"},
                      {"add.headers.prefix", "prefix."}})
          ->apply(update_record());
  CHECK(get(*mapped, "OP") == Value("u"));
  CHECK(get(*mapped, "LSN") == Value(int32_t{1234}));
  CHECK(get(*mapped, "ID") == Value("571"));
  CHECK(get(*mapped, "source_lsn") == Value(int32_t{1234}));
  CHECK(get(*mapped, "TOTAL_ORDER") == Value(int64_t{42}));
  REQUIRE(mapped->headers.size() == 4);
  CHECK(header(*mapped, "prefix.op")->value == Value("u"));
  CHECK(header(*mapped, "prefix.source_lsn")->value == Value(int32_t{1234}));
  CHECK(header(*mapped, "prefix.TXN_ID")->value == Value("571"));
  CHECK(header(*mapped, "prefix.TOTAL_ORDER")->value == Value(int64_t{42}));
  // testAddHeadersHandleDeleteRewriteAndTombstone (DBZ-1876): a tombstone gets op "d"
  auto t = make_transform("ExtractNewRecordState", {{kMode, "rewrite-with-tombstone"}, {"add.headers", "op,source.lsn"}});
  auto del = t->apply(delete_record());
  CHECK(get(*del, "__deleted") == Value("true"));
  CHECK(header(*del, "__op")->value == Value("d"));
  CHECK(header(*del, "__source_lsn")->value == Value(int32_t{1234}));
  auto tomb = t->apply(tombstone_record());
  REQUIRE(tomb);
  CHECK(tomb->value.is_null());
  REQUIRE(tomb->headers.size() == 1);
  CHECK(header(*tomb, "__op")->value == Value("d"));
}

TEST_CASE("ExtractNewRecordState route.by.field sets the topic from a column", "[transforms][debezium]") {
  auto t = make_transform("ExtractNewRecordState", {{kMode, "tombstone"}, {"route.by.field", "name"}});
  CHECK(t->apply(create_record())->topic == "myRecord");       // testAddTopicRoutingField
  CHECK(t->apply(update_record())->topic == "updatedRecord");  // testUpdateTopicRoutingField
  CHECK(t->apply(delete_record())->topic == "myRecord");       // testDeleteTopicRoutingField: from `before`
  // a null column keeps the topic; a column the row lacks is an error naming it
  CHECK(t->apply(create_with_optional_null())->topic == "dummy");
  auto unknown = make_transform("ExtractNewRecordState", {{kMode, "tombstone"}, {"route.by.field", "nope"}});
  CHECK_THROWS_WITH(unknown->apply(create_record()), "route.by.field: nope is not a valid field name");
  auto not_string = make_transform("ExtractNewRecordState", {{kMode, "tombstone"}, {"route.by.field", "id"}});
  CHECK_THROWS_WITH(not_string->apply(create_record()), Catch::Contains("not a string topic name"));
}

TEST_CASE("ExtractNewRecordState drop.fields.header.name removes the fields a header names", "[transforms][debezium]") {
  const std::vector<std::string> drop = {"id", "name"};
  auto empty_struct = [](const Record& r) {
    return r.value == Value(StructValue::make(r.value_schema)) && r.value_schema->fields.empty();
  };
  // dropFieldsFromValueWithSchemaCompatibility (DBZ-5283): only optional fields go
  {
    auto t = make_transform("ExtractNewRecordState", {{kMode, "drop"}, {"drop.fields.header.name", "drop-fields"}});
    for (Record in : {with_drop_header(create_with_optional_null(), drop),
                      with_drop_header(update_with_optional_null(), drop)}) {
      auto out = t->apply(std::move(in));
      CHECK(out->key.is_null());
      CHECK(out->key_schema == nullptr);
      CHECK(out->value_schema->field("name") == nullptr);
      REQUIRE(out->value_schema->field("id"));
      CHECK(get(*out, "id") == Value(int8_t{1}));
    }
    for (Record in : {with_drop_header(create_with_optional_null(true), drop),
                      with_drop_header(update_with_optional_null(true), drop)}) {
      auto out = t->apply(std::move(in));
      CHECK(out->key_schema->field("id"));
      CHECK(out->key.as_struct().get("id") == Value(int8_t{1}));
      CHECK(out->value_schema->field("name") == nullptr);
      CHECK(get(*out, "id") == Value(int8_t{1}));
    }
    CHECK_FALSE(t->apply(with_drop_header(delete_record(), drop)));
    CHECK_FALSE(t->apply(with_drop_header(tombstone_record(), drop)));
  }
  // dropFieldsFromValueWithoutSchemaCompatibility: every named field goes, the key stays
  {
    auto t = make_transform("ExtractNewRecordState", {{kMode, "drop"},
                                                      {"drop.fields.header.name", "drop-fields"},
                                                      {"drop.fields.keep.schema.compatible", "false"}});
    for (bool keyed : {false, true}) {
      for (Record in : {with_drop_header(create_with_optional_null(keyed), drop),
                        with_drop_header(update_with_optional_null(keyed), drop)}) {
        auto out = t->apply(std::move(in));
        CHECK(empty_struct(*out));
        if (keyed) CHECK(out->key.as_struct().get("id") == Value(int8_t{1}));
      }
    }
    CHECK_FALSE(t->apply(with_drop_header(delete_record(), drop)));
  }
  // dropFieldsFromValueAndKeyWithSchemaCompatibility: the key's id is required, so it stays
  {
    auto t = make_transform("ExtractNewRecordState", {{kMode, "drop"},
                                                      {"drop.fields.header.name", "drop-fields"},
                                                      {"drop.fields.from.key", "true"}});
    auto out = t->apply(with_drop_header(update_with_optional_null(true), drop));
    CHECK(out->key_schema->field("id"));
    CHECK(out->value_schema->field("name") == nullptr);
    CHECK(get(*out, "id") == Value(int8_t{1}));
  }
  // dropFieldsFromValueAndKeyWithoutSchemaCompatibility: key and value emptied
  {
    auto t = make_transform("ExtractNewRecordState", {{kMode, "drop"},
                                                      {"drop.fields.header.name", "drop-fields"},
                                                      {"drop.fields.keep.schema.compatible", "false"},
                                                      {"drop.fields.from.key", "true"}});
    for (Record in : {with_drop_header(create_with_optional_null(true), drop),
                      with_drop_header(update_with_optional_null(true), drop)}) {
      auto out = t->apply(std::move(in));
      CHECK(out->key_schema->field("id") == nullptr);
      CHECK(out->key == Value(StructValue::make(out->key_schema)));
      CHECK(empty_struct(*out));
    }
  }
  // no header, or a header of another name: nothing dropped; a header that is not a list: a clear error
  auto t = make_transform("ExtractNewRecordState", {{kMode, "drop"}, {"drop.fields.header.name", "drop-fields"}});
  CHECK(t->apply(create_with_optional_null())->value_schema->field("name"));
  Record bad = create_with_optional_null();
  bad.headers.push_back(Header{"drop-fields", schemas::string(), Value("name")});
  CHECK_THROWS_WITH(t->apply(std::move(bad)), Catch::Contains("must hold a list of field names"));
}

TEST_CASE("ExtractNewRecordState refuses bad configuration with a clear message", "[transforms][debezium]") {
  // shouldRejectInvalidEnumValueForDeleteHandlingMode (3.x)
  CHECK_THROWS_WITH(make_transform("ExtractNewRecordState", {{kMode, "jbsdfkjsd"}}), Catch::Contains("must be one of"));
  CHECK_THROWS_WITH(make_transform("ExtractNewRecordState", {{kMode, "tombstones"}}),
                    Catch::Contains("did you mean 'tombstone'"));
  CHECK_THROWS_WITH(make_transform("ExtractNewRecordState", {{"delete.handling.mode", "keep"}}),
                    Catch::Contains("must be one of drop, rewrite, none"));
  CHECK_THROWS_WITH(make_transform("ExtractNewRecordState", {{"add.fields", "op:a:b"}}),
                    "Unexpected field name: op:a:b");
  CHECK_THROWS_WITH(make_transform("ExtractNewRecordState", {{"add.headers", "op:a:b"}}),
                    "Unexpected field name: op:a:b");
  // shouldAcceptValidEnumValueForDeleteHandlingMode, in any letter case as Debezium's parse does
  CHECK_NOTHROW(make_transform("ExtractNewRecordState", {{kMode, "DROP"}}));
  // the Debezium class name is an alias
  CHECK(builtin_plugins().find("io.debezium.transforms.ExtractNewRecordState", {PluginKind::Transform}));
}

namespace {
// One Debezium PostgreSQL change event for table inventory.customers, as
// JsonConverter (schemas.enable=true) writes it: the shape of the events in
// Debezium's PostgreSQL connector documentation ("Data change events").
std::string customers_event(const char* op, const std::string& before, const std::string& after, int64_t lsn) {
  const std::string row_fields =
      R"([{"type":"int32","optional":false,"field":"id"},)"
      R"({"type":"string","optional":false,"field":"first_name"},)"
      R"({"type":"string","optional":true,"field":"email"}])";
  const std::string schema = fmt::format(
      R"({{"type":"struct","fields":[)"
      R"({{"type":"struct","fields":{0},"optional":true,"name":"dbserver1.inventory.customers.Value","field":"before"}},)"
      R"({{"type":"struct","fields":{0},"optional":true,"name":"dbserver1.inventory.customers.Value","field":"after"}},)"
      R"({{"type":"struct","fields":[{{"type":"string","optional":false,"field":"version"}},)"
      R"({{"type":"string","optional":false,"field":"connector"}},{{"type":"string","optional":false,"field":"name"}},)"
      R"({{"type":"int64","optional":false,"field":"ts_ms"}},)"
      R"({{"type":"string","optional":true,"name":"io.debezium.data.Enum","version":1,)"
      R"("parameters":{{"allowed":"true,last,false,incremental"}},"default":"false","field":"snapshot"}},)"
      R"({{"type":"string","optional":false,"field":"db"}},{{"type":"string","optional":false,"field":"schema"}},)"
      R"({{"type":"string","optional":false,"field":"table"}},{{"type":"int64","optional":true,"field":"txId"}},)"
      R"({{"type":"int64","optional":true,"field":"lsn"}}],)"
      R"("optional":false,"name":"io.debezium.connector.postgresql.Source","field":"source"}},)"
      R"({{"type":"string","optional":false,"field":"op"}},{{"type":"int64","optional":true,"field":"ts_ms"}},)"
      R"({{"type":"struct","fields":[{{"type":"string","optional":false,"field":"id"}},)"
      R"({{"type":"int64","optional":false,"field":"total_order"}},)"
      R"({{"type":"int64","optional":false,"field":"data_collection_order"}}],)"
      R"("optional":true,"name":"event.block","version":1,"field":"transaction"}}],)"
      R"("optional":false,"name":"dbserver1.inventory.customers.Envelope","version":1}})",
      row_fields);
  const std::string source = fmt::format(
      R"({{"version":"2.7.4.Final","connector":"postgresql","name":"dbserver1","ts_ms":1559033904863,)"
      R"("snapshot":"{}","db":"postgres","schema":"inventory","table":"customers","txId":556,"lsn":{}}})",
      *op == 'r' ? "true" : "false", lsn);
  return fmt::format(R"({{"schema":{},"payload":{{"before":{},"after":{},"source":{},"op":"{}",)"
                     R"("ts_ms":1559033904863,"transaction":null}}}})",
                     schema, before, after, source, op) + "\n";
}

std::string customer(int id, const std::string& first_name, const std::string& email) {
  return fmt::format(R"({{"id":{},"first_name":"{}","email":{}}})", id, first_name,
                     email.empty() ? "null" : "\"" + email + "\"");
}

// What REPLICA IDENTITY DEFAULT gives a delete's `before`: the key columns, the others null.
std::string key_only(int id) { return fmt::format(R"({{"id":{},"first_name":"","email":null}})", id); }

// The tombstone Debezium writes after a delete, as JsonConverter with schemas writes a null value.
const std::string kTombstone = "{\"schema\":null,\"payload\":null}\n";
}  // namespace

TEST_CASE("ExtractNewRecordState pipeline replicates Debezium events into SQLite with deletes", "[transforms][debezium][e2e]") {
  TempDir dir;
  const std::string db = dir / "replica.db";
  // Snapshot reads, then inserts, an update, a delete with its tombstone, and an insert updated twice.
  write_file(dir / "events.json",
             customers_event("r", "null", customer(1001, "Sally", "sally@example.com"), 100) +
                 customers_event("r", "null", customer(1002, "George", "gbailey@foobar.com"), 100) +
                 customers_event("c", "null", customer(1003, "Edward", "ed@walker.com"), 200) +
                 customers_event("u", "null", customer(1002, "George", "george@example.org"), 300) +
                 customers_event("d", key_only(1001), "null", 400) + kTombstone +
                 customers_event("c", "null", customer(1004, "Anne", ""), 500) +
                 customers_event("u", "null", customer(1004, "Anne Marie", "annek@noanswer.org"), 600));
  // The CDC source gives Debezium's events their key (the primary key struct);
  // a file has none, so stock SMTs stand in for it here: the key is `before`
  // (a delete's key columns), then, after unwrapping, the row's id.
  write_file(dir / "job.yaml", fmt::format(R"(worker:
  offset.storage.file.filename: {0}/offsets.json
  key.converter: StringConverter
  value.converter: JsonConverter
  value.converter.schemas.enable: true
connectors:
  - name: src
    connector.class: FileStreamSource
    file: {0}/events.json
    topic: customers
    value.converter: StringConverter
  - name: snk
    connector.class: io.confluent.connect.jdbc.JdbcSinkConnector
    topics: customers
    connection.url: jdbc:sqlite:{1}
    auto.create: true
    insert.mode: upsert
    delete.enabled: true
    pk.mode: record_key
    pk.fields: id
    transforms: keyFromBefore,keyBefore,unwrap,keyFromRow
    transforms.keyFromBefore.type: ValueToKey
    transforms.keyFromBefore.fields: before
    transforms.keyFromBefore.predicate: isTombstone
    transforms.keyFromBefore.negate: true
    transforms.keyBefore.type: ExtractField$Key
    transforms.keyBefore.field: before
    transforms.keyBefore.predicate: isTombstone
    transforms.keyBefore.negate: true
    transforms.unwrap.type: io.debezium.transforms.ExtractNewRecordState
    transforms.unwrap.delete.tombstone.handling.mode: tombstone
    transforms.keyFromRow.type: ValueToKey
    transforms.keyFromRow.fields: id
    transforms.keyFromRow.predicate: isTombstone
    transforms.keyFromRow.negate: true
    predicates: isTombstone
    predicates.isTombstone.type: RecordIsTombstone
)", dir.path(), db));
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"}, 60s);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  int status = -1;
  std::string rows = shell(fmt::format("sqlite3 {} 'SELECT id, first_name, email FROM customers ORDER BY id' 2>&1", db),
                           &status);
  INFO(rows);
  REQUIRE(status == 0);
  CHECK(rows == "1002|George|george@example.org\n1003|Edward|ed@walker.com\n1004|Anne Marie|annek@noanswer.org\n");
  // The table has the row's columns only: the envelope (source, op, ts_ms) is gone.
  std::string columns = shell(fmt::format("sqlite3 {} 'SELECT name FROM pragma_table_info(\"customers\")'", db));
  CHECK(columns == "id\nfirst_name\nemail\n");

  // Later events, the next run: a delete of a row inserted before, and a truncate (dropped by the SMT).
  append_file(dir / "events.json", customers_event("d", key_only(1003), "null", 700) + kTombstone +
                                       customers_event("t", "null", "null", 800));
  auto again = run_connectrun({"run", "--once", dir / "job.yaml"}, 60s);
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  CHECK(shell(fmt::format("sqlite3 {} 'SELECT id FROM customers ORDER BY id'", db)) == "1002\n1004\n");
}
