#include "connectors/postgres_cdc/postgres_cdc_source.h"

#include "connectors/postgres_cdc/cdc_config.h"
#include "connectors/postgres_cdc/cdc_task.h"

namespace connectrun::postgres_cdc {

PluginInfo postgres_cdc_source_plugin() {
  PluginInfo p;
  p.name = "PostgresCdcSource";
  p.aliases = {"io.debezium.connector.postgresql.PostgresConnector", "PostgresConnector"};
  p.kind = PluginKind::Source;
  p.summary = "Change data capture from PostgreSQL (logical replication, pgoutput): Debezium's events, no JVM.";
  p.description =
      "Reads PostgreSQL's logical replication stream (the pgoutput plugin, through a replication slot) and emits the "
      "events Debezium's PostgreSQL connector emits: topic <topic.prefix>.<schema>.<table>, key the primary key "
      "columns, value the envelope {before, after, source, transaction, op, ts_ms, ts_us, ts_ns} with op r "
      "(snapshot), c, u, d (and t for truncates when not skipped), a tombstone after each delete. An initial "
      "snapshot is read in the snapshot the slot exports, so streaming continues from exactly that point. Offsets "
      "are Debezium's (partition {\"server\": <topic.prefix>}; lsn, txId, ts_usec, lsn_proc, lsn_commit); the "
      "slot's flush position advances only for delivered changes. Needs wal_level=logical and a user with the "
      "REPLICATION attribute.";
  define_keys(p.spec);
  p.make_source = [] { return std::make_unique<CdcTask>(); };
  return p;
}

}  // namespace connectrun::postgres_cdc
