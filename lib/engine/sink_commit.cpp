// SinkWorker's commit path: what the bus acknowledges is what the task's
// pre_commit returns (Kafka's SinkTask.preCommit), and the errant record
// reporter (KIP-610) that dead-letters records the task could not write.
#include <algorithm>
#include <functional>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "bus/partition_ends.h"
#include "engine/task_worker.h"

namespace connectrun {

namespace {
std::string position_of(const std::string& topic, std::optional<int32_t> partition, int64_t offset) {
  return fmt::format("topic '{}' partition {} offset {}", topic, partition.value_or(0), offset);
}
}  // namespace

void SinkWorker::note_positions(const std::vector<BusRecord>& in) {
  if (const PartitionEnds* ends = consumer_->polled_ends()) {
    for (auto& [tp, end] : *ends) current_[tp] = end;
    return;
  }
  for (auto& [tp, end] : partition_ends(in)) current_[tp] = end;
}

bool SinkWorker::uncommitted() const {
  for (auto& [tp, position] : current_) {
    auto c = committed_.find(tp);
    if (c == committed_.end() || c->second < position) return true;
  }
  return false;
}

void SinkWorker::commit(SinkTask& task, const std::function<void(const std::function<void()>&)>& retry) {
  TopicPartitionOffsets safe;
  retry([&] { safe = task.pre_commit(current_); });
  check_errant();
  // Kafka's checks on what the task returned: only partitions it was given
  // records from, and no further than it was given.
  TopicPartitionOffsets accepted;
  for (auto& [tp, position] : safe) {
    auto cur = current_.find(tp);
    if (cur == current_.end() || position > cur->second || position < 0) {
      if (!warned_positions_)
        log_->warn("pre_commit returned position {} for {}-{}, past what the task was given ({}); ignored (said once)",
                   position, tp.topic, tp.partition, cur == current_.end() ? std::string("nothing") : std::to_string(cur->second));
      warned_positions_ = true;
      continue;
    }
    auto c = committed_.find(tp);
    if (c == committed_.end() || c->second < position) accepted.emplace(tp, position);
  }
  // The dead letters of what is committed are written first: a crash between
  // the two reads those records again rather than losing them.
  flush_dead_letters();
  if (accepted.empty()) return;
  consumer_->commit(accepted);
  for (auto& [tp, position] : accepted) committed_[tp] = position;
  std::lock_guard lock(errant_mu_);
  std::erase_if(originals_, [&](const Originals& o) {
    return std::all_of(o.ends.begin(), o.ends.end(), [&](auto& e) {
      auto c = committed_.find(e.first);
      return c != committed_.end() && c->second >= e.second;
    });
  });
}

void SinkWorker::keep_originals(std::vector<BusRecord>&& in, std::vector<uint32_t>&& origin,
                                const std::vector<Record>& batch) {
  Originals o;
  o.ends = partition_ends(in);
  o.records = std::move(in);
  std::lock_guard lock(errant_mu_);
  originals_.push_back(std::move(o));
  put_batch_ = &batch;
  put_origin_ = std::move(origin);
}

const BusRecord* SinkWorker::find_original(const Record& r) const {
  auto same_place = [&](const BusRecord& b) {
    return b.offset == r.bus_offset && b.partition.value_or(0) == r.partition.value_or(0);
  };
  // The usual case: a record of the batch being put, found by its place in it.
  std::less<const Record*> before;
  if (put_batch_ && !put_batch_->empty() && !originals_.empty() && !before(&r, put_batch_->data()) &&
      before(&r, put_batch_->data() + put_batch_->size())) {
    size_t i = static_cast<size_t>(&r - put_batch_->data());
    if (i < put_origin_.size()) {
      const BusRecord& b = originals_.back().records[put_origin_[i]];
      if (same_place(b)) return &b;  // else the task reordered its batch
    }
  }
  // A copy, or a record of an earlier batch: by its coordinates, the newest
  // first; a transform may have renamed its topic, so the topic only breaks ties.
  const BusRecord* found = nullptr;
  for (auto o = originals_.rbegin(); o != originals_.rend(); ++o)
    for (auto& b : o->records)
      if (same_place(b)) {
        if (b.topic == r.topic) return &b;
        if (!found) found = &b;
      }
  return found;
}

void SinkWorker::report_errant(const Record& record, const std::exception& error) {
  std::optional<BusRecord> original;  // copied: the worker thread may drop it once committed
  {
    std::lock_guard lock(errant_mu_);
    if (dlq_)
      if (const BusRecord* b = find_original(record)) original = *b;
  }
  const std::string position = original ? position_of(original->topic, original->partition, original->offset)
                                        : position_of(record.topic, record.partition, record.bus_offset);
  try {
    errors_.handle("TASK_PUT", plan_.plugin->name, position, error);
    if (dlq_ && !original)
      throw ConnectError(fmt::format("the record at {} reported by the task is not among its uncommitted records; "
                                     "it cannot go to the dead letter topic", position));
  } catch (const ConnectError& e) {
    std::lock_guard lock(errant_mu_);
    if (!errant_failure_) errant_failure_ = e.what();
    throw;
  }
  if (!original) return;
  const bool connect_error = dynamic_cast<const ConnectError*>(&error) != nullptr;
  dead_letter(*original, StageFailure{"TASK_PUT", plan_.plugin->name, error.what(),
                                      connect_error ? "org.apache.kafka.connect.errors.ConnectException"
                                                    : "org.apache.kafka.connect.errors.DataException"});
}

void SinkWorker::check_errant() const {
  std::lock_guard lock(errant_mu_);
  if (errant_failure_) throw ConnectError(*errant_failure_);
}

}  // namespace connectrun
