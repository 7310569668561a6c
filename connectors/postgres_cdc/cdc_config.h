// PostgresCdcSource's configuration: Debezium PostgresConnectorConfig's keys
// (declared once, in define_keys) turned into a plain struct, and the
// include/exclude lists as Debezium applies them (anchored regular
// expressions over "schema.table" and "schema.table.column").
#pragma once

#include <optional>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "config/spec.h"
#include "connectors/postgres_cdc/pg_conn.h"
#include "connectors/postgres_cdc/pg_types.h"

namespace connectrun::postgres_cdc {

enum class SnapshotMode { Initial, NoData, InitialOnly, Always, WhenNeeded };
enum class PublicationMode { AllTables, Filtered, Disabled, NoTables };

class NameFilter {
 public:
  NameFilter() = default;
  NameFilter(const std::vector<std::string>& include, const std::vector<std::string>& exclude);
  bool empty() const { return include_.empty() && exclude_.empty(); }
  bool accepts(const std::string& name) const;

 private:
  std::vector<std::regex> include_, exclude_;
};

struct CdcConfig {
  ConnParams conn;
  std::string topic_prefix;
  std::string slot_name = "debezium";
  bool slot_drop_on_stop = false;
  std::string publication_name = "dbz_publication";
  PublicationMode publication_mode = PublicationMode::AllTables;
  NameFilter schemas, tables, columns;
  SnapshotMode snapshot = SnapshotMode::Initial;
  bool tombstones_on_delete = true;
  std::set<char> skipped_ops = {'t'};
  TypeModes types;
  std::string unavailable_placeholder = "__debezium_unavailable_value";
  int64_t status_update_interval_ms = 10000;
  size_t max_batch_size = 2048;
  int64_t poll_interval_ms = 500;
  int64_t heartbeat_interval_ms = 0;  // 0: no heartbeat records
  std::string transaction_topic;      // provide.transaction.metadata: <topic.prefix>.<topic.transaction>; else empty
  std::string heartbeat_topic;        // <topic.heartbeat.prefix>.<topic.prefix>
  int snapshot_fetch_size = 10240;

  bool table_included(const std::string& schema, const std::string& table) const {
    return schemas.accepts(schema) && tables.accepts(schema + "." + table);
  }
};

void define_keys(config::ConfigSpec& spec);
// Throws config::ConfigError naming the key.
CdcConfig parse_config(const config::ConfigValues& values);

}  // namespace connectrun::postgres_cdc
