// JdbcSink's task driven directly on a SQLite file, for records a file source
// cannot make: struct keys (pk.mode record_key) and tombstones (delete.enabled).
#include <catch2/catch.hpp>

#include <spdlog/spdlog.h>

#include "connectors/jdbc/jdbc_sink.h"
#include "jdbc_test_util.h"
#include "support.h"

using namespace connectrun;
using namespace testsupport;

namespace {

std::unique_ptr<SinkTask> make_task(const std::map<std::string, std::string>& keys) {
  auto plugin = jdbc::jdbc_sink_plugin();
  config::RawConfig raw;
  for (auto& [k, v] : keys) raw[k] = config::RawEntry{.value = v};
  config::Problems problems;
  auto values = config::parse(plugin.spec, raw, "snk", problems);
  REQUIRE(problems.empty());
  auto task = plugin.make_sink();
  task->configure(values);
  return task;
}

Record keyed(int id, const std::optional<std::string>& name) {
  static const auto key_schema = SchemaBuilder::structure().field("id", schemas::int32()).build();
  static const auto value_schema =
      SchemaBuilder::structure().field("id", schemas::int32()).field("name", schemas::string(true)).build();
  Record r;
  r.topic = "people";
  r.partition = 0;
  r.is_source = false;
  auto k = StructValue::make(key_schema);
  k->put("id", Value(static_cast<int32_t>(id)));
  r.key_schema = key_schema;
  r.key = Value(k);
  r.value_schema = value_schema;
  if (name) {
    auto v = StructValue::make(value_schema);
    v->put("id", Value(static_cast<int32_t>(id)));
    v->put("name", Value(*name));
    r.value = Value(v);
  }
  return r;
}

}  // namespace

TEST_CASE("JdbcSink task: record_key upsert then update mode and tombstone deletes", "[jdbc]") {
  TempDir dir;
  auto db = dir / "k.db";
  SinkTaskContext ctx;
  ctx.connector_name = "snk";
  ctx.log = spdlog::default_logger();
  {
    auto task = make_task({{"connection.url", "jdbc:sqlite:" + db}, {"auto.create", "true"}, {"insert.mode", "upsert"},
                           {"pk.mode", "record_key"}, {"delete.enabled", "true"}});
    task->start(ctx);
    std::vector<Record> batch = {keyed(1, "ann"), keyed(2, "bob"), keyed(3, "cy"), keyed(2, std::nullopt)};
    task->put(batch);
    task->flush();
    task->stop();
  }
  CHECK(jdbctest::sqlite(db, "SELECT id, name FROM people ORDER BY id") == "1|ann\n3|cy\n");
  {
    auto task = make_task({{"connection.url", "jdbc:sqlite:" + db}, {"insert.mode", "update"}, {"pk.mode", "record_key"}});
    task->start(ctx);
    std::vector<Record> batch = {keyed(3, "CY"), keyed(9, "nobody")};  // no row 9: nothing to update
    task->put(batch);
    task->flush();
    task->stop();
  }
  CHECK(jdbctest::sqlite(db, "SELECT id, name FROM people ORDER BY id") == "1|ann\n3|CY\n");
  // delete.enabled without pk.mode record_key is a configuration error.
  auto plugin = jdbc::jdbc_sink_plugin();
  config::RawConfig raw{{"connection.url", {.value = "jdbc:sqlite:" + db}}, {"delete.enabled", {.value = "true"}}};
  config::Problems problems;
  auto values = config::parse(plugin.spec, raw, "snk", problems);
  CHECK_THROWS_WITH(plugin.make_sink()->configure(values), Catch::Contains("delete.enabled=true needs pk.mode=record_key"));
}
