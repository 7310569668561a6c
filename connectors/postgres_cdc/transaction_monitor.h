// Debezium's transaction metadata (provide.transaction.metadata): a BEGIN and
// an END record per streamed transaction on <topic.prefix>.<topic.transaction>,
// and each change event's `transaction` block (id, total_order,
// data_collection_order). As Debezium's TransactionMonitor and
// TransactionContext do it: the id is the transaction's xid, tombstones are not
// counted, and the counts so far travel in the offsets
// (transaction_id, transaction_data_collection_order_<schema.table>) so a
// restart inside a transaction continues them.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "data/value.h"
#include "plugin/connector.h"

namespace connectrun::postgres_cdc {

class TransactionMonitor {
 public:
  explicit TransactionMonitor(std::string topic) : topic_(std::move(topic)) {}

  // Counts stored in the offset a restart resumes from (for a transaction it
  // was inside of), used by the next begin() of that transaction.
  void restore(const Value& stored_offset);
  // A transaction starts: its BEGIN record.
  Record begin(uint32_t xid, int64_t commit_time_us);
  // A transaction partly delivered before the restart starts again: its BEGIN
  // was delivered, so none is made, and the restored counts go on.
  void resume(uint32_t xid);
  // The block of the next change event of `data_collection` ("schema.table").
  Value next_event(const std::string& data_collection);
  Record end(int64_t commit_time_us);
  // Adds transaction_id and the per-table counts to an offset while a transaction is open.
  void add_to_offset(MapEntries& offset) const;
  bool open() const { return open_; }

 private:
  Record record(const char* status, int64_t commit_time_us, bool with_counts) const;

  std::string topic_;
  bool open_ = false;
  std::string id_;
  int64_t total_ = 0;
  std::vector<std::pair<std::string, int64_t>> per_collection_;  // in order of first event
  std::string restored_id_;
  std::vector<std::pair<std::string, int64_t>> restored_;
};

}  // namespace connectrun::postgres_cdc
