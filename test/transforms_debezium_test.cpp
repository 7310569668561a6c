// ExtractNewRecordState (io.debezium.transforms.ExtractNewRecordState): the
// cases of Debezium's own tests, transcribed from
// debezium-core/src/test/java/io/debezium/transforms/ExtractNewRecordStateTest.java
// (v2.7.4.Final; the DBZ-7094 replace.null.with.default and delete-to-tombstone
// cases from v3.2+, where the file moved to debezium-connect-plugins/) and the
// legacy drop.tombstones / delete.handling.mode cases from
// LegacyExtractNewRecordStateTest.java (v2.7.4.Final): tombstones, deletes,
// truncates, unwrapping, records that are not change events, configuration.
// The add.fields/add.headers/route/drop.fields cases are in
// transforms_debezium_fields_test.cpp, the pipeline in transforms_debezium_pipeline_test.cpp.
#include "debezium_test_events.h"

using namespace connectrun;
using namespace connectrun::testing;
using namespace dbztest;

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
  // A connector's `….Value` schema is optional (before/after may be null): the row keeps its name, version and
  // parameters but, rebuilt as Debezium rebuilds it, is no longer optional.
  auto value_schema = SchemaBuilder::structure()
                          .name("dbserver1.inventory.customers.Value")
                          .version(1)
                          .optional()
                          .field("id", schemas::int8())
                          .field("name", schemas::string(true))
                          .build();
  auto env = envelope_schema(value_schema, source_schema(), "dbserver1.inventory.customers.Envelope");
  auto src = make_source();
  src->put("lsn", Value(int32_t{1234}));
  auto unwrapped = t->apply(source_record(env, Value(event(env, "r", nullptr, row(value_schema, 7, Value("x")), src))));
  REQUIRE(unwrapped);
  CHECK(unwrapped->value_schema->name == "dbserver1.inventory.customers.Value");
  CHECK(unwrapped->value_schema->version == 1);
  CHECK_FALSE(unwrapped->value_schema->optional);
  CHECK(get(*unwrapped, "id") == Value(int8_t{7}));
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
  // an envelope-named struct without `after` is an error naming the field
  auto no_after = SchemaBuilder::structure().name("x.Envelope").field("op", schemas::string()).build();
  auto v = StructValue::make(no_after);
  v->put("op", Value("c"));
  CHECK_THROWS_WITH(make_transform("ExtractNewRecordState", {{kMode, "tombstone"}})->apply(source_record(no_after, Value(v))),
                    "Unknown field: after");
  // the Debezium class name is an alias
  CHECK(builtin_plugins().find("io.debezium.transforms.ExtractNewRecordState", {PluginKind::Transform}));
}
