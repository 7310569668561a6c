// ExtractNewRecordState in a pipeline: Debezium PostgreSQL change events in a
// file (JsonConverter, schemas.enable=true) → FileStreamSource → this SMT →
// JdbcSink on SQLite in upsert mode with delete.enabled=true, where the
// tombstones delete rows; the table checked with the sqlite3 CLI.
#include <fmt/format.h>

#include <catch2/catch.hpp>

#include "support.h"

using namespace testsupport;
using namespace std::chrono_literals;

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
