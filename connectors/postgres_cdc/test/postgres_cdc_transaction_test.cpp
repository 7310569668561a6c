// provide.transaction.metadata: Debezium's BEGIN / END records and each
// event's `transaction` block, against a real PostgreSQL 15; and the
// TransactionMonitor's counting, restore from an offset and END's order.
#include <catch2/catch.hpp>

#include <regex>

#include <fmt/format.h>

#include "connectors/postgres_cdc/transaction_monitor.h"
#include "servers/postgres_server.h"
#include "support.h"

using namespace testsupport;
using namespace std::chrono_literals;
using namespace connectrun;
using namespace connectrun::postgres_cdc;

TEST_CASE("TransactionMonitor counts events per table, goes on from a stored offset, orders END as Java's HashMap",
          "[postgres_cdc]") {
  TransactionMonitor m("srv.transaction");
  Record begin = m.begin(750, 1700000000123456);
  CHECK(begin.topic == "srv.transaction");
  CHECK(begin.value.as_struct().values[0] == Value("BEGIN"));
  CHECK(begin.value.as_struct().values[1] == Value("750"));
  CHECK(begin.value.as_struct().values[2].is_null());  // event_count only on END
  CHECK(begin.value.as_struct().values[4] == Value(int64_t{1700000000123}));
  auto block = [](const Value& b) {
    auto& v = b.as_struct().values;
    return fmt::format("{}:{}:{}", v[0].as<std::string>(), v[1].as<int64_t>(), v[2].as<int64_t>());
  };
  CHECK(block(m.next_event("public.orders")) == "750:1:1");
  CHECK(block(m.next_event("public.orders")) == "750:2:2");
  MapEntries offset{{"transaction_id", Value()}, {"lsn", Value(int64_t{1})}};
  m.add_to_offset(offset);  // what a restart after the second event finds
  CHECK(block(m.next_event("public.items")) == "750:3:1");
  Record end = m.end(1700000000123456);
  auto& ev = end.value.as_struct().values;
  CHECK(ev[0] == Value("END"));
  CHECK(ev[2] == Value(int64_t{3}));
  // Java's HashMap order: public.items (bucket 0) before public.orders (bucket 5).
  REQUIRE(ev[3].as<Array>().size() == 2);
  CHECK(ev[3].as<Array>()[0].as_struct().values[0] == Value("public.items"));
  CHECK(ev[3].as<Array>()[1].as_struct().values[1] == Value(int64_t{2}));
  CHECK_FALSE(m.open());

  TransactionMonitor again("srv.transaction");
  again.restore(Value(offset));
  again.resume(750);
  CHECK(block(again.next_event("public.items")) == "750:3:1");
  CHECK(block(again.next_event("public.orders")) == "750:4:3");
  TransactionMonitor other("srv.transaction");
  other.restore(Value(offset));
  other.resume(751);  // another transaction: the stored counts are not its own
  CHECK(block(other.next_event("public.orders")) == "751:1:1");
}

TEST_CASE("PostgresCdcSource writes Debezium's transaction metadata records and event blocks", "[postgres_cdc][e2e]") {
  PostgresServer pg({.wal_level = "logical"});
  pg.psql("CREATE TABLE orders (id int PRIMARY KEY); CREATE TABLE items (id int PRIMARY KEY)");
  TempDir dir;
  write_file(dir / "job.yaml", fmt::format(R"(worker:
  offset.storage.file.filename: {0}/offsets.json
  key.converter: JsonConverter
  key.converter.schemas.enable: false
  value.converter: JsonConverter
  value.converter.schemas.enable: false
connectors:
  - name: cdc
    connector.class: io.debezium.connector.postgresql.PostgresConnector
    database.hostname: 127.0.0.1
    database.port: {1}
    database.user: postgres
    database.password: {2}
    database.dbname: postgres
    topic.prefix: srv
    provide.transaction.metadata: true
  - name: tx
    connector.class: FileStreamSink
    file: {0}/tx.txt
    topics: srv.transaction
  - name: out
    connector.class: FileStreamSink
    file: {0}/out.txt
    topics: srv.public.orders,srv.public.items
)",
                                           dir.path(), pg.port(), PostgresServer::kPassword));
  REQUIRE(run_connectrun({"run", "--once", dir / "job.yaml"}, 90s).exit_code == 0);  // empty snapshot
  const std::string xid = pg.psql("BEGIN; INSERT INTO orders VALUES (1), (2); INSERT INTO items VALUES (1); "
                                  "SELECT txid_current(); COMMIT;");
  auto r = run_connectrun({"run", "--once", dir / "job.yaml"}, 90s);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  std::smatch m;
  std::string id = xid.substr(0, xid.find('\n'));
  auto tx = read_lines(dir / "tx.txt");
  REQUIRE(tx.size() == 2);
  CHECK(std::regex_match(tx[0], std::regex(fmt::format(
      R"re(\{{"status":"BEGIN","id":"{}","event_count":null,"data_collections":null,"ts_ms":[0-9]+\}})re", id))));
  CHECK(std::regex_match(tx[1], std::regex(fmt::format(
      R"re(\{{"status":"END","id":"{}","event_count":3,"data_collections":\[\{{"data_collection":"public.items","event_count":1\}},\{{"data_collection":"public.orders","event_count":2\}}\],"ts_ms":[0-9]+\}})re",
      id))));
  auto out = read_file(dir / "out.txt");
  CHECK(out.find(fmt::format(R"("transaction":{{"id":"{}","total_order":1,"data_collection_order":1}})", id)) !=
        std::string::npos);
  CHECK(out.find(fmt::format(R"("transaction":{{"id":"{}","total_order":2,"data_collection_order":2}})", id)) !=
        std::string::npos);
  CHECK(out.find(fmt::format(R"("transaction":{{"id":"{}","total_order":3,"data_collection_order":1}})", id)) !=
        std::string::npos);
  // A later run reads nothing again: END's offset closes the transaction.
  REQUIRE(run_connectrun({"run", "--once", dir / "job.yaml"}, 90s).exit_code == 0);
  CHECK(read_lines(dir / "tx.txt").size() == 2);
}
