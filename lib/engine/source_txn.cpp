// Exactly-once sources (KIP-618, Kafka's ExactlyOnceWorkerSourceTask): the
// SourceWorker's batches since the last commit and the offsets that cover
// them are committed in one Kafka transaction; only then are the offsets
// stored and the task told (commit_record, commit).
#include <map>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "engine/task_worker.h"

namespace connectrun {

bool SourceWorker::transaction_due() const {
  if (!txn_open_) return false;
  if (!txn_interval_) return true;  // transaction.boundary=poll: every batch polled
  return std::chrono::steady_clock::now() - txn_started_ >= *txn_interval_;
}

void SourceWorker::commit_transaction() {
  txn_open_ = false;
  // The last offset of each source partition over the transaction's batches.
  std::vector<uint64_t> seqs;
  std::vector<OffsetRecord> offsets;
  {
    std::lock_guard lock(mu_);
    std::map<std::string, size_t> at;  // offset key → index in `offsets`
    for (auto& p : pending_) {
      seqs.push_back(p.seq);
      for (auto& [partition, offset] : p.offsets) {
        OffsetRecord rec = store_.backing_record(plan_.name, *partition, offset);
        auto [it, added] = at.emplace(rec.key, offsets.size());
        if (added) offsets.push_back(std::move(rec));
        else offsets[it->second] = std::move(rec);
      }
    }
  }
  TransactionOutcome outcome = txn_->commit(offsets);
  if (!outcome.error) {
    // Committed: the records are delivered and their offsets stored, in order.
    for (uint64_t seq : seqs) on_delivered(seq, std::nullopt);
    const uint64_t stored = offsets_stored_.load();
    offsets_flushed(stored);  // the transaction was the flush: commit() follows
    return;
  }
  {
    std::lock_guard lock(mu_);
    uint64_t n = 0;
    for (auto& p : pending_) n += p.records;
    stats_.undelivered.fetch_add(n, std::memory_order_relaxed);
    pending_.clear();
    delivery_failed_ = true;
  }
  delivered_.notify_all();
  if (outcome.fenced)
    fail(fmt::format("task {} was fenced by another worker: a newer producer with transactional.id '{}' has started "
                     "it (this process lost the task, e.g. it was paused past session.timeout.ms and the group gave "
                     "the task to another process). This task stops and writes nothing more; its last transaction "
                     "was not committed ({})",
                     slot_.id, txn_->transactional_id(), *outcome.error));
  else
    fail(fmt::format("exactly-once: {}; the transaction was aborted: none of its records or offsets are kept, and "
                     "they will be read again when the task restarts", *outcome.error));
}

void SourceWorker::abort_transaction() {
  if (!txn_) return;
  txn_open_ = false;
  txn_->abort();
  std::lock_guard lock(mu_);
  for (auto& p : pending_) stats_.undelivered.fetch_add(p.records, std::memory_order_relaxed);
  pending_.clear();
}

}  // namespace connectrun
