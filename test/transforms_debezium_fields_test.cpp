// ExtractNewRecordState's add.fields, add.headers, route.by.field and
// drop.fields.* cases, transcribed from Debezium's
// debezium-core/src/test/java/io/debezium/transforms/ExtractNewRecordStateTest.java
// (v2.7.4.Final), each named after its Java test.
#include "debezium_test_events.h"

using namespace connectrun;
using namespace connectrun::testing;
using namespace dbztest;

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

