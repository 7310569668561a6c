#include "connectors/postgres_cdc/cdc_task.h"

#include "connectors/postgres_cdc/offset_values.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "json/json_writer.h"
#include "plugin/connect_error.h"

namespace connectrun::postgres_cdc {


void CdcTask::configure(const config::ConfigValues& values) { cfg_ = parse_config(values); }

void CdcTask::start(SourceTaskContext& ctx) {
  ctx_ = &ctx;
  events_ = std::make_unique<EventBuilder>(cfg_);
  if (!cfg_.transaction_topic.empty()) transactions_.emplace(cfg_.transaction_topic);
  partition_ = std::make_shared<const Value>(MapEntries{{Value("server"), Value(cfg_.topic_prefix)}});
  ctx.retry(fmt::format("connect to PostgreSQL at {}", cfg_.conn.where()), [&] { setup(); });
}

void CdcTask::setup() {
  snapshot_.reset();
  stream_.reset();
  pending_repl_.reset();
  conn_ = std::make_unique<PgConn>(cfg_.conn, false);
  check_server(*conn_, cfg_);
  ensure_publication(*conn_, cfg_, *ctx_->log);
  const Value stored = ctx_->offset_for ? ctx_->offset_for(*partition_) : Value();
  last_offset_ = stored;
  last_heartbeat_ = std::chrono::steady_clock::now();
  const bool has_offset = !stored.is_null();
  if (has_offset)
    if (auto problem = check_offset(*partition_, stored))
      throw ConnectError(fmt::format("the stored offset {} of connector {} cannot be resumed from: {}. Fix it with "
                                     "connectrun offsets set, or remove it with connectrun offsets reset",
                                     to_schemaless_json(stored), ctx_->connector_name, *problem));
  const bool snapshot_unfinished = as_bool(field(stored, "snapshot")) && !as_bool(field(stored, "last_snapshot_record"));
  SlotState slot = slot_state(*conn_, cfg_.slot_name);
  require_slot_free(slot, cfg_);
  constexpr int64_t kLagWarning = int64_t{1} << 30;
  if (slot.exists && slot.lag_bytes > kLagWarning)
    ctx_->log->warn("replication slot {} kept {:.1f} GiB of WAL on PostgreSQL at {} while this connector was stopped "
                    "(see connectrun offsets list; drop the slot if the connector is retired)",
                    cfg_.slot_name, static_cast<double>(slot.lag_bytes) / kLagWarning, cfg_.conn.where());

  bool snapshot = false;
  switch (cfg_.snapshot) {
    case SnapshotMode::Always: snapshot = true; break;
    case SnapshotMode::Initial:
    case SnapshotMode::InitialOnly: snapshot = !has_offset || snapshot_unfinished; break;
    case SnapshotMode::WhenNeeded: snapshot = !has_offset || snapshot_unfinished || !slot.exists; break;
    case SnapshotMode::NoData: break;
  }
  if (has_offset && !slot.exists && !snapshot)
    throw ConnectError(fmt::format("replication slot {} no longer exists on PostgreSQL at {} (dropped?), but offsets "
                                   "are stored up to LSN {}: the changes made since are lost to it. Set "
                                   "snapshot.mode=when_needed to take a new snapshot, or reset this connector's "
                                   "offsets (connectrun offsets reset) to start over",
                                   cfg_.slot_name, cfg_.conn.where(),
                                   lsn_to_string(static_cast<uint64_t>(as_long(field(stored, "lsn"), 0)))));
  if (has_offset && !snapshot) {
    resume_.lsn_commit = static_cast<uint64_t>(as_long(field(stored, "lsn_commit"), 0));
    // A completed snapshot's txId is its xmin, which the first streamed transaction may have: not a
    // transaction partly delivered.
    resume_.txid = as_bool(field(stored, "snapshot")) ? -1 : as_long(field(stored, "txId"), -1);
    resume_.lsn_proc = static_cast<uint64_t>(as_long(field(stored, "lsn_proc"), 0));
    last_commit_lsn_ = resume_.lsn_commit;
    if (transactions_) transactions_->restore(stored);
  }

  if (cfg_.snapshot == SnapshotMode::InitialOnly && !snapshot) {
    // Debezium's initial_only: the snapshot was taken; changes are never streamed.
    ctx_->log->info("snapshot.mode=initial_only and the snapshot is done: nothing to read");
    snapshot_only_done_ = true;
    return;
  }
  auto repl = std::make_unique<PgConn>(cfg_.conn, true);
  if (snapshot && slot.exists) {
    // A snapshot must match the slot's start: a new slot exports it.
    ctx_->log->warn("dropping replication slot {} to take a snapshot consistent with a new one", cfg_.slot_name);
    conn_->exec_params("SELECT pg_drop_replication_slot($1)", {cfg_.slot_name}, "drop replication slot " + cfg_.slot_name);
    slot.exists = false;
  }
  if (!slot.exists) {
    auto created = create_slot(*repl, cfg_.slot_name, snapshot);
    ctx_->log->info("created replication slot {} at {}", cfg_.slot_name, lsn_to_string(created.consistent_point));
    if (snapshot) {
      snapshot_ = std::make_unique<SnapshotReader>(cfg_, created.snapshot_name, *ctx_->log);
      snapshot_lsn_ = created.consistent_point;
    }
  }
  if (ctx_->stop_at_end_of_data)
    target_lsn_ = lsn_from_string(conn_->scalar("SELECT pg_current_wal_insert_lsn()", "read the WAL position").value_or(""));
  pending_repl_ = std::move(repl);
  if (!snapshot_) start_stream();
}

void CdcTask::start_stream() {
  auto repl = pending_repl_ ? std::move(pending_repl_) : std::make_unique<PgConn>(cfg_.conn, true);
  stream_ = std::make_unique<ReplicationStream>(std::move(repl), cfg_, 0);  // 0: from the slot's confirmed position
  txn_ = {};
  last_status_ = std::chrono::steady_clock::now();
  idle_keepalives_ = 0;
}

void CdcTask::reconnect() {
  stream_.reset();
  conn_ = std::make_unique<PgConn>(cfg_.conn, false);
  auto slot = slot_state(*conn_, cfg_.slot_name);
  if (!slot.exists)
    throw ConnectError(fmt::format("replication slot {} disappeared from PostgreSQL at {} (dropped while streaming)",
                                   cfg_.slot_name, cfg_.conn.where()));
  require_slot_free(slot, cfg_);
  tables_.clear();  // Relation messages come again
  start_stream();
}

PollStatus CdcTask::poll(std::vector<Record>& out, std::chrono::milliseconds max_wait) {
  const PollStatus status = snapshot_ || held_ ? poll_snapshot(out) : poll_stream(out, max_wait);
  // What a heartbeat repeats: the newest offset returned, a snapshot's included.
  if (!out.empty()) last_offset_ = out.back().source_offset;
  return status;
}

PollStatus CdcTask::poll_stream(std::vector<Record>& out, std::chrono::milliseconds max_wait) {
  if (snapshot_only_done_) return PollStatus::Exhausted;
  const auto deadline = std::chrono::steady_clock::now() + std::min(max_wait, std::chrono::milliseconds(cfg_.poll_interval_ms));
  batch_bytes_ = 0;
  while (out.size() < cfg_.max_batch_size && batch_bytes_ < kBatchBytes) {
    if (!stream_) {
      ctx_->retry(fmt::format("reconnect to PostgreSQL at {}", cfg_.conn.where()), [&] { reconnect(); });
    }
    const auto now = std::chrono::steady_clock::now();
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    StreamMessage m;
    try {
      if (ctx_->stop_at_end_of_data && !txn_.open && processed_ >= target_lsn_ && target_lsn_ != 0) {
        return PollStatus::Exhausted;
      }
      if (now - last_status_ >= std::chrono::milliseconds(cfg_.status_update_interval_ms)) send_status(false);
      // With records in hand, only what has already arrived joins them: waiting
      // for more would hold the ones read back by up to the whole poll interval.
      const bool waited = out.empty();
      m = stream_->read(waited ? std::max(left, std::chrono::milliseconds(0)) : std::chrono::milliseconds(0));
      if (m.kind == StreamMessage::Kind::None) {
        if (ctx_->stop_at_end_of_data && waited) send_status(true);  // asks for a keepalive: where the server is
        if (out.empty() && in_flight_.empty() && delivered_ == acked_ && !txn_.open && processed_ > acked_) {
          delivered_ = acked_ = processed_;  // nothing of ours in between: the slot may move on
        }
        nudge_flush(out);
        break;
      }
      handle(m, out);
    } catch (const ConnectError& e) {
      if (!e.retriable()) throw;
      ctx_->log->warn("{}; reconnecting", e.what());
      stream_.reset();
      // Resume after what this run emitted: the server sends again from the last flushed position.
      resume_ = {last_commit_lsn_, txn_.open ? static_cast<int64_t>(txn_.xid) : -1, lsn_proc_};
      txn_ = {};
      if (!out.empty()) return PollStatus::Ok;
    }
    if (std::chrono::steady_clock::now() >= deadline) break;
  }
  heartbeat(out);
  // The server's position may stop short of the target by a WAL page header
  // (the insert position at start was past one); anything further off is a
  // walsender still decoding (a large transaction is sent only once decoded).
  constexpr uint64_t kWalPage = 8192;
  const bool near_target = last_keepalive_end_ + kWalPage >= target_lsn_;
  if (ctx_->stop_at_end_of_data && !txn_.open && idle_keepalives_ >= 2 && near_target && out.empty())
    return PollStatus::Exhausted;
  return PollStatus::Ok;
}

PollStatus CdcTask::poll_snapshot(std::vector<Record>& out) {
  batch_bytes_ = 0;
  while (out.size() < cfg_.max_batch_size && batch_bytes_ < kBatchBytes) {
    std::optional<SnapshotReader::Row> row;
    if (snapshot_) {
      try {
        row = snapshot_->next();
      } catch (const std::runtime_error& e) {
        if (dynamic_cast<const ConnectError*>(&e)) throw;
        throw ConnectError(std::string("snapshot: ") + e.what());
      }
    }
    if (held_) {
      // The held row's snapshot marker is known now that the next row (or the end) is.
      auto& env = held_->value.as<std::shared_ptr<StructValue>>()->values;
      auto src = env[2].as<std::shared_ptr<StructValue>>();
      const std::string& was = src->values[4].as<std::string>();
      std::string marker = !row                   ? "last"
                           : was == "first"       ? was
                           : row->first_of_table  ? "last_in_data_collection"
                                                  : was;
      src->values[4] = Value(marker);
      if (!row) held_->source_offset = snapshot_offset(true);
      in_flight_.push_back(0);
      out.push_back(std::move(*held_));
      held_.reset();
    }
    if (!row) {
      if (snapshot_ && snapshot_rows_ == 0) {
        // An empty snapshot still completes: without an offset saying so, every
        // restart would drop the slot and snapshot again (losing what streamed between).
        Record r;
        r.offset_only = true;
        r.source_partition = partition_;
        r.source_offset = snapshot_offset(true);
        out.push_back(std::move(r));
      }
      if (snapshot_) {
        snapshot_->finish();
        snapshot_.reset();
        ctx_->log->info("snapshot done; streaming from {}", lsn_to_string(snapshot_lsn_));
        if (cfg_.snapshot == SnapshotMode::InitialOnly) {
          snapshot_only_done_ = true;
          pending_repl_.reset();
          return PollStatus::Exhausted;
        }
        start_stream();
      }
      return PollStatus::Ok;
    }
    const auto& t = *row->table;
    batch_bytes_ += t.event_bytes;
    Value after = events_->row(t, std::move(row->values));
    SourcePosition pos;
    pos.ts_us = snapshot_->started_us();
    pos.snapshot = snapshot_rows_++ == 0 ? "first" : row->first_of_table ? "first_in_data_collection" : "true";
    pos.txid = snapshot_->xmin();
    pos.lsn = snapshot_lsn_;
    Value key = events_->key(t, after);
    Record r = events_->event(t, 'r', std::move(key), Value(), std::move(after), pos);
    r.source_partition = partition_;
    r.source_offset = snapshot_offset(false);
    held_ = std::move(r);
  }
  return PollStatus::Ok;
}

void CdcTask::handle(const StreamMessage& m, std::vector<Record>& out) {
  if (m.kind == StreamMessage::Kind::Keepalive) {
    received_ = std::max(received_, m.wal_end);
    if (!txn_.open) {
      idle_keepalives_ = (m.wal_end == last_keepalive_end_) ? idle_keepalives_ + 1 : 1;
      last_keepalive_end_ = m.wal_end;
      processed_ = std::max(processed_, m.wal_end);
      // Nothing of ours pending: confirm up to here. A server shutting down
      // asks again and again until the flush position reaches its end of WAL.
      if (in_flight_.empty() && delivered_ == acked_ && processed_ > acked_) delivered_ = acked_ = processed_;
      nudge_flush(out);
    }
    if (m.reply_requested) send_status(false);
    return;
  }
  received_ = std::max(received_, m.wal_end);
  idle_keepalives_ = 0;
  PgMessage msg;
  try {
    msg = decode_pgoutput(m.payload);
  } catch (const std::runtime_error& e) {
    throw ConnectError(fmt::format("at LSN {}: {}", lsn_to_string(m.wal_start), e.what()));
  }
  switch (msg.kind) {
    case PgMessage::Kind::Begin:
      txn_ = {};
      txn_.open = true;
      txn_.xid = msg.xid;
      txn_.commit_lsn = msg.commit_lsn;
      txn_.commit_time_us = msg.commit_time_us;
      txn_.skip = resume_.lsn_commit != 0 && msg.commit_lsn <= resume_.lsn_commit;
      txn_.partial = !txn_.skip && resume_.txid == static_cast<int64_t>(msg.xid);
      if (transactions_ && !txn_.skip) {
        if (txn_.partial) transactions_->resume(msg.xid);  // its BEGIN was delivered before the restart
        else emit(out, transactions_->begin(msg.xid, msg.commit_time_us), m.wal_start, false, "BEGIN");
      }
      return;
    case PgMessage::Kind::Commit: {
      if (!txn_.skip) last_commit_lsn_ = msg.commit_lsn;
      // After lsn_commit moved: a restart from END's offset skips the whole transaction.
      if (transactions_ && transactions_->open())
        emit(out, transactions_->end(txn_.commit_time_us), msg.commit_lsn, false, "COMMIT");
      if (txn_.partial) resume_ = {};
      txn_.open = false;
      processed_ = std::max(processed_, msg.end_lsn);
      // The slot may forget this transaction once the last record polled so far is delivered.
      if (!in_flight_.empty()) in_flight_.back() = std::max(in_flight_.back(), msg.end_lsn);
      else if (delivered_ == acked_) delivered_ = acked_ = processed_;  // nothing of ours pending
      return;
    }
    case PgMessage::Kind::Relation: {
      if (!cfg_.table_included(msg.nspname, msg.relname)) {
        tables_[msg.relid] = nullptr;
        return;
      }
      auto t = load_table(*conn_, cfg_, msg.relid, &msg.columns);
      t->schema_name = msg.nspname;
      t->table_name = msg.relname;
      if (!t->key_schema && !warned_no_key_[msg.relid]) {
        warned_no_key_[msg.relid] = true;
        ctx_->log->warn("table {}.{} has no primary key: its events have a null key (as Debezium's)", msg.nspname,
                        msg.relname);
      }
      tables_[msg.relid] = t;
      return;
    }
    case PgMessage::Kind::Insert:
    case PgMessage::Kind::Update:
    case PgMessage::Kind::Delete:
    case PgMessage::Kind::Truncate:
      if (txn_.skip || (txn_.partial && m.wal_start <= resume_.lsn_proc)) return;
      batch_bytes_ += m.payload.size();  // long values grow the events beyond their table's estimate
      change(msg, m.wal_start, out);
      return;
    case PgMessage::Kind::Other:
      return;
  }
}

Value CdcTask::row_from(const TableSchema& t, const Tuple& tuple, bool key_only) const {
  std::vector<Value> values(t.columns.size());
  std::vector<bool> set(t.columns.size(), false);
  for (size_t i = 0; i < tuple.size() && i < t.from_relation.size(); ++i) {
    const int j = t.from_relation[i];
    if (j < 0) continue;
    const auto& v = tuple[i];
    const auto& schema = t.column_schemas[static_cast<size_t>(j)];
    if (v.kind == TupleValue::Text) {
      try {
        values[j] = column_value(t.columns[j], schema, v.text, cfg_.types);
      } catch (const std::exception& e) {
        throw ConnectError(fmt::format("{}.{} column {}: {}", t.schema_name, t.table_name, t.columns[j].name, e.what()));
      }
      set[j] = true;
    } else if (v.kind == TupleValue::Unchanged) {
      values[j] = unavailable_value(*schema, cfg_.unavailable_placeholder);
      set[j] = true;
    } else if (!key_only) {
      set[j] = true;  // a real null
    }
  }
  // Required columns the change does not carry (the non-key columns of a
  // key-only before image) get Debezium's fallback, as its converters do.
  for (size_t j = 0; j < values.size(); ++j)
    if (!set[j] || (values[j].is_null() && !t.column_schemas[j]->optional)) values[j] = fallback_value(*t.column_schemas[j]);
  return events_->row(t, std::move(values));
}

void CdcTask::change(const PgMessage& m, uint64_t lsn, std::vector<Record>& out) {
  SourcePosition pos;
  pos.ts_us = txn_.commit_time_us;
  pos.txid = txn_.xid;
  pos.lsn = lsn;
  if (last_commit_lsn_ != 0) pos.lsn_commit = last_commit_lsn_;  // none seen yet: Debezium's sequence starts [null,…]
  // The next event's `transaction` block (provide.transaction.metadata); tombstones have none.
  auto block = [this](const TableSchema& t) {
    return transactions_ ? transactions_->next_event(t.schema_name + "." + t.table_name) : Value();
  };
  if (m.kind == PgMessage::Kind::Truncate) {
    if (cfg_.skipped_ops.count('t')) return;
    for (size_t i = 0; i < m.relids.size(); ++i) {
      auto it = tables_.find(m.relids[i]);
      if (it == tables_.end() || !it->second) continue;
      emit(out, events_->truncate(*it->second, pos, block(*it->second)), lsn, i + 1 == m.relids.size(), "TRUNCATE");
    }
    return;
  }
  auto it = tables_.find(m.relid);
  if (it == tables_.end())
    throw ConnectError(fmt::format("a change of relation {} at LSN {} came before its Relation message", m.relid,
                                   lsn_to_string(lsn)));
  if (!it->second) return;
  const TableSchema& t = *it->second;
  batch_bytes_ += t.event_bytes;
  switch (m.kind) {
    case PgMessage::Kind::Insert: {
      if (cfg_.skipped_ops.count('c')) return;
      Value after = row_from(t, m.new_tuple, false);
      Value key = events_->key(t, after);
      emit(out, events_->event(t, 'c', std::move(key), Value(), std::move(after), pos, block(t)), lsn, true, "INSERT");
      return;
    }
    case PgMessage::Kind::Update: {
      Value after = row_from(t, m.new_tuple, false);
      Value before = m.old_kind ? row_from(t, m.old_tuple, m.old_kind == 'K') : Value();
      Value new_key = events_->key(t, after);
      Value old_key = before.is_null() ? Value() : events_->key(t, before);
      if (!old_key.is_null() && !(old_key == new_key)) {
        // A primary key change: Debezium's delete (+ tombstone) of the old key and create of the new.
        if (!cfg_.skipped_ops.count('d')) {
          emit(out, events_->event(t, 'd', old_key, before, Value(), pos, block(t)), lsn, false, "UPDATE");
          if (cfg_.tombstones_on_delete) emit(out, events_->tombstone(t, old_key), lsn, false, "UPDATE");
        }
        if (!cfg_.skipped_ops.count('c'))
          emit(out, events_->event(t, 'c', std::move(new_key), Value(), std::move(after), pos, block(t)), lsn, true, "UPDATE");
        else lsn_proc_ = lsn;
        return;
      }
      if (cfg_.skipped_ops.count('u')) return;
      emit(out, events_->event(t, 'u', std::move(new_key), std::move(before), std::move(after), pos, block(t)), lsn, true,
           "UPDATE");
      return;
    }
    case PgMessage::Kind::Delete: {
      if (cfg_.skipped_ops.count('d')) return;
      Value before = row_from(t, m.old_tuple, m.old_kind == 'K');
      Value key = events_->key(t, before);
      const bool tomb = cfg_.tombstones_on_delete;
      emit(out, events_->event(t, 'd', key, std::move(before), Value(), pos, block(t)), lsn, !tomb, "DELETE");
      if (tomb) emit(out, events_->tombstone(t, std::move(key)), lsn, true, "DELETE");
      return;
    }
    default: return;
  }
}

void CdcTask::emit(std::vector<Record>& out, Record r, uint64_t lsn, bool last_of_change, const char* type) {
  // lsn_proc moves to this change only with its last record, so that a
  // restart after a partly delivered change emits all of it again.
  if (last_of_change) lsn_proc_ = lsn;
  r.source_partition = partition_;
  r.source_offset = stream_offset(type, lsn);
  last_emitted_ = {type, lsn, static_cast<int64_t>(txn_.xid), txn_.commit_time_us};
  last_emitted_commit_ = last_commit_lsn_;
  in_flight_.push_back(0);
  out.push_back(std::move(r));
}

void CdcTask::commit_record(const Record&, const RecordMetadata*) {
  if (in_flight_.empty()) return;
  if (in_flight_.front() > delivered_) delivered_ = in_flight_.front();
  in_flight_.pop_front();
}

void CdcTask::commit() {
  // The offsets of what was delivered are stored: the slot may forget it.
  if (delivered_ > acked_) {
    acked_ = delivered_;
    if (stream_) {
      try {
        send_status(false);
      } catch (const ConnectError& e) {
        ctx_->log->warn("{}", e.what());  // sent again after the reconnect
        stream_.reset();
      }
    }
  }
}

void CdcTask::send_status(bool reply) {
  last_status_ = std::chrono::steady_clock::now();
  if (stream_) stream_->send_status(std::max(received_, acked_), acked_, reply);
}

void CdcTask::stop() {
  stream_.reset();
  pending_repl_.reset();
  snapshot_.reset();
  if (cfg_.slot_drop_on_stop && conn_) {
    try {
      conn_->exec_params("SELECT pg_drop_replication_slot($1)", {cfg_.slot_name}, "drop replication slot " + cfg_.slot_name);
    } catch (const std::exception& e) {
      if (ctx_) ctx_->log->warn("{}", e.what());
    }
  }
  conn_.reset();
}

}  // namespace connectrun::postgres_cdc
