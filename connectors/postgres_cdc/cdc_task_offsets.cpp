// CdcTask's offsets: checking a stored one, describing the slot behind it,
// the offsets its records carry, and the records that only move them
// (heartbeats, the flush nudge).
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "connectors/postgres_cdc/cdc_task.h"
#include "connectors/postgres_cdc/offset_values.h"
#include "json/json_writer.h"
#include "plugin/connect_error.h"

namespace connectrun::postgres_cdc {

std::optional<std::string> CdcTask::check_offset(const Value& partition, const Value& offset) const {
  const Value* server = partition.is<MapEntries>() ? partition.find("server") : nullptr;
  if (!server || partition.as<MapEntries>().size() != 1 || !server->is<std::string>())
    return fmt::format("a partition is {{\"server\":\"{}\"}} (topic.prefix), got {}", cfg_.topic_prefix,
                       to_schemaless_json(partition));
  if (server->as<std::string>() != cfg_.topic_prefix)
    return fmt::format("this connector's topic.prefix is '{}', so an offset for server '{}' would never be used",
                       cfg_.topic_prefix, server->as<std::string>());
  if (!offset.is<MapEntries>() || !offset.find("lsn"))
    return fmt::format("an offset is Debezium's {{\"lsn\":N, \"lsn_commit\":N, \"lsn_proc\":N, \"txId\":N, "
                       "\"ts_usec\":N}} (N: whole numbers; lsn is required), got {}",
                       to_schemaless_json(offset));
  for (const char* key : {"lsn", "lsn_commit", "lsn_proc", "txId", "ts_usec"}) {
    const Value* v = offset.find(key);
    if (!v || v->is_null()) continue;
    // Debezium writes longs; a string of digits (a hand-edited file) is read as one.
    const auto* text = v->get_if<std::string>();
    const bool digits = text && !text->empty() && text->size() < 20 &&
                        text->find_first_not_of("0123456789") == std::string::npos;
    if ((text && !digits) || as_long(v, -1) < 0)
      return fmt::format("\"{}\" must be a whole number (0 or more; an LSN as PostgreSQL's 64-bit position, "
                         "e.g. 23456789 for 0/165EC15), got {}",
                         key, to_schemaless_json(*v));
  }
  return std::nullopt;
}

std::optional<SourceTask::OffsetStatus> CdcTask::describe_offset_status(const Value& partition, const Value&) const {
  const Value* server = partition.is<MapEntries>() ? partition.find("server") : nullptr;
  if (!server || !(*server == Value(cfg_.topic_prefix))) return std::nullopt;
  auto fields = [&](MapEntries more) {
    more.insert(more.begin(), {Value("slot"), Value(cfg_.slot_name)});
    return Value(std::move(more));
  };
  try {
    PgConn conn(cfg_.conn, false);
    const SlotState s = slot_state(conn, cfg_.slot_name);
    if (!s.exists)
      return OffsetStatus{fmt::format("slot '{}' does not exist on PostgreSQL at {} (dropped?)", cfg_.slot_name,
                                      cfg_.conn.where()),
                          fields({{Value("exists"), Value(false)}})};
    return OffsetStatus{fmt::format("slot '{}' lag {} bytes ({})", cfg_.slot_name, s.lag_bytes,
                                    s.active ? "active, PID " + s.active_pid : std::string("inactive")),
                        fields({{Value("exists"), Value(true)},
                                {Value("lag_bytes"), Value(s.lag_bytes)},
                                {Value("active"), Value(s.active)}})};
  } catch (const std::exception& e) {
    return OffsetStatus{fmt::format("slot '{}' lag unknown: {}", cfg_.slot_name, e.what()),
                        fields({{Value("error"), Value(std::string(e.what()))}})};
  }
}

Value CdcTask::stream_offset(const char* type, uint64_t lsn) const {
  MapEntries off;
  off.reserve(7);
  off.emplace_back("transaction_id", Value());
  off.emplace_back("lsn_proc", static_cast<int64_t>(lsn_proc_));
  off.emplace_back("messageType", std::string(type));
  off.emplace_back("lsn_commit", static_cast<int64_t>(last_commit_lsn_));
  off.emplace_back("lsn", static_cast<int64_t>(lsn));
  off.emplace_back("txId", static_cast<int64_t>(txn_.xid));
  off.emplace_back("ts_usec", txn_.commit_time_us);
  if (transactions_) transactions_->add_to_offset(off);
  return Value(std::move(off));
}

// Debezium's offset while snapshotting; `last` on the snapshot's last record,
// which marks it complete.
Value CdcTask::snapshot_offset(bool last) const {
  MapEntries off;
  off.reserve(5);
  off.emplace_back("last_snapshot_record", last);
  off.emplace_back("lsn", static_cast<int64_t>(snapshot_lsn_));
  off.emplace_back("txId", snapshot_->xmin());
  off.emplace_back("ts_usec", snapshot_->started_us());
  off.emplace_back("snapshot", true);
  return Value(std::move(off));
}

// Debezium's heartbeat record (SchemaFactory: ServerNameKey / Heartbeat, version 1):
// consumers see the connector is alive while the captured tables are quiet.
void CdcTask::heartbeat(std::vector<Record>& out) {
  if (cfg_.heartbeat_interval_ms <= 0 || txn_.open) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_heartbeat_ < std::chrono::milliseconds(cfg_.heartbeat_interval_ms)) return;
  const Value& offset = out.empty() ? last_offset_ : out.back().source_offset;
  if (offset.is_null()) return;  // nothing to repeat yet: a heartbeat must not clear the offset
  last_heartbeat_ = now;
  static const SchemaPtr key_schema = SchemaBuilder::structure()
                                          .name("io.debezium.connector.common.ServerNameKey")
                                          .version(1)
                                          .field("serverName", schemas::string())
                                          .build();
  static const SchemaPtr value_schema = SchemaBuilder::structure()
                                            .name("io.debezium.connector.common.Heartbeat")
                                            .version(1)
                                            .field("ts_ms", schemas::int64())
                                            .build();
  const int64_t ts_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch()).count();
  Record r;
  r.topic = cfg_.heartbeat_topic;
  r.key_schema = key_schema;
  auto key = StructValue::make(key_schema);
  key->put("serverName", Value(cfg_.topic_prefix));
  r.key = Value(std::move(key));
  r.value_schema = value_schema;
  auto value = StructValue::make(value_schema);
  value->put("ts_ms", Value(ts_ms));
  r.value = Value(std::move(value));
  r.timestamp = ts_ms;
  r.source_partition = partition_;
  r.source_offset = offset;
  in_flight_.push_back(0);  // committed like any record; moves no flush position
  out.push_back(std::move(r));
}

void CdcTask::nudge_flush(std::vector<Record>& out) {
  // The engine reports an offsets flush (commit()) before the commit_record
  // calls of records delivered just before it; then no later flush comes while
  // nothing new is read, and the slot would never hear of them. An offset-only
  // record repeating the last offset makes one more flush, hence a commit().
  if (!in_flight_.empty() || delivered_ <= acked_ || nudged_for_ == delivered_ || !last_emitted_.type) return;
  nudged_for_ = delivered_;
  Record r;
  r.offset_only = true;
  r.source_partition = partition_;
  MapEntries off;
  off.reserve(7);
  off.emplace_back("transaction_id", Value());
  off.emplace_back("lsn_proc", static_cast<int64_t>(lsn_proc_));
  off.emplace_back("messageType", std::string(last_emitted_.type));
  off.emplace_back("lsn_commit", static_cast<int64_t>(last_emitted_commit_));
  off.emplace_back("lsn", static_cast<int64_t>(last_emitted_.lsn));
  off.emplace_back("txId", last_emitted_.xid);
  off.emplace_back("ts_usec", last_emitted_.ts_us);
  r.source_offset = Value(std::move(off));
  out.push_back(std::move(r));
}

}  // namespace connectrun::postgres_cdc
