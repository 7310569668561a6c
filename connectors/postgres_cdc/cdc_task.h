// The task of PostgresCdcSource: snapshot (op r) in the slot's exported
// snapshot, then the slot's pgoutput stream turned into Debezium's events.
// The slot's flush position follows delivery: it advances in commit() to the
// end of the last transaction whose records were all delivered.
#pragma once

#include <deque>
#include <map>
#include <memory>
#include <optional>

#include "connectors/postgres_cdc/cdc_config.h"
#include "connectors/postgres_cdc/change_event.h"
#include "connectors/postgres_cdc/replication_stream.h"
#include "connectors/postgres_cdc/snapshot_reader.h"
#include "connectors/postgres_cdc/transaction_monitor.h"
#include "plugin/connector.h"

namespace connectrun::postgres_cdc {

class CdcTask : public SourceTask {
 public:
  void configure(const config::ConfigValues& cfg) override;
  void start(SourceTaskContext& ctx) override;
  PollStatus poll(std::vector<Record>& out, std::chrono::milliseconds max_wait) override;
  bool wants_commit_record() const override { return true; }
  void commit_record(const Record& record, const RecordMetadata* metadata) override;
  void commit() override;
  void stop() override;
  // Debezium's offset: {"server": topic.prefix} → a map whose "lsn" (and
  // lsn_commit, lsn_proc, txId when present) are whole numbers.
  std::optional<std::string> check_offset(const Value& partition, const Value& offset) const override;
  // `offsets list`: the slot's lag (WAL it keeps) in bytes and whether a process reads it.
  std::optional<OffsetStatus> describe_offset_status(const Value& partition, const Value& offset) const override;

 private:
  // Where to resume: changes of transactions committed at or before
  // `lsn_commit`, and changes of transaction `txid` at or before `lsn_proc`,
  // were delivered already (from the stored offset, or from what this run
  // emitted before a reconnect).
  struct Resume {
    uint64_t lsn_commit = 0;
    int64_t txid = -1;
    uint64_t lsn_proc = 0;
  };
  struct Txn {
    bool open = false;
    uint32_t xid = 0;
    uint64_t commit_lsn = 0;
    int64_t commit_time_us = 0;
    bool skip = false;       // delivered before: every change of it
    bool partial = false;    // delivered before: its changes up to resume_.lsn_proc
  };

  void setup();                 // connect, check, publication, slot, snapshot or not
  void start_stream();
  void reconnect();
  PollStatus poll_snapshot(std::vector<Record>& out);
  PollStatus poll_stream(std::vector<Record>& out, std::chrono::milliseconds max_wait);
  Value snapshot_offset(bool last) const;
  void handle(const StreamMessage& m, std::vector<Record>& out);
  void change(const PgMessage& m, uint64_t lsn, std::vector<Record>& out);
  Value row_from(const TableSchema& t, const Tuple& tuple, bool key_only) const;
  void emit(std::vector<Record>& out, Record r, uint64_t lsn, bool last_of_change, const char* type);
  void send_status(bool reply);
  Value stream_offset(const char* type, uint64_t lsn) const;
  void nudge_flush(std::vector<Record>& out);

  CdcConfig cfg_;
  SourceTaskContext* ctx_ = nullptr;
  std::unique_ptr<EventBuilder> events_;
  std::optional<TransactionMonitor> transactions_;  // provide.transaction.metadata
  std::shared_ptr<const Value> partition_;
  std::unique_ptr<PgConn> conn_;  // catalog queries
  std::unique_ptr<PgConn> pending_repl_;  // the connection that created the slot, until streaming starts
  std::unique_ptr<ReplicationStream> stream_;
  std::unique_ptr<SnapshotReader> snapshot_;
  std::optional<Record> held_;  // the snapshot's latest row, held back until the next shows whether it is the last
  bool held_last_of_table_ = false;
  uint64_t snapshot_lsn_ = 0;
  uint64_t snapshot_rows_ = 0;
  bool snapshot_only_done_ = false;
  std::map<uint32_t, std::shared_ptr<TableSchema>> tables_;  // relid → schema (null: not captured)
  Txn txn_;
  Resume resume_;
  uint64_t last_commit_lsn_ = 0;   // Debezium's lsn_commit: the last transaction committed before this one
  uint64_t lsn_proc_ = 0;          // the last change all of whose records were emitted
  uint64_t received_ = 0;          // the furthest WAL position read
  uint64_t processed_ = 0;         // end of the last transaction handled (all of it emitted)
  // Per record polled and not yet committed: the WAL position the slot may
  // forget once it and everything before it is delivered (0 = none).
  std::deque<uint64_t> in_flight_;
  // A poll's batch (streamed or snapshot) is held about three times over
  // (the records, their bytes on the bus, the sink's converted copy), so
  // besides max.batch.size it ends at about this many bytes of events:
  // memory stays flat whatever the transaction or row size.
  static constexpr size_t kBatchBytes = size_t{1} << 20;
  size_t batch_bytes_ = 0;  // estimated bytes of the events of the current poll
  uint64_t delivered_ = 0;  // from commit_record
  uint64_t acked_ = 0;      // sent to the server as flushed
  std::chrono::steady_clock::time_point last_status_{};
  // --once: stream up to the server's WAL position at start.
  uint64_t target_lsn_ = 0;
  uint64_t last_keepalive_end_ = 0;
  int idle_keepalives_ = 0;
  std::map<uint32_t, bool> warned_no_key_;
  struct Emitted {
    const char* type = nullptr;  // null: no stream record yet
    uint64_t lsn = 0;
    int64_t xid = 0;
    int64_t ts_us = 0;
  };
  Emitted last_emitted_;            // for nudge_flush's offset-only record
  // Heartbeats: the offset of the last record returned (the stored one before
  // any), which a heartbeat repeats, so it never moves the offset back.
  Value last_offset_;
  std::chrono::steady_clock::time_point last_heartbeat_{};
  void heartbeat(std::vector<Record>& out);
  uint64_t last_emitted_commit_ = 0;
  uint64_t nudged_for_ = 0;
};

}  // namespace connectrun::postgres_cdc
