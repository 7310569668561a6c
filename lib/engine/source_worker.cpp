// SourceWorker: poll → transforms → converters → bus, storing a source offset
// only once the bus delivered its record and every record before it, and
// telling the task what was delivered (commit_record, commit).
#include "engine/task_worker.h"

#include <strings.h>

#include <iterator>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "json/json_writer.h"

namespace connectrun {

using namespace std::chrono_literals;

SourceWorker::SourceWorker(const ConnectorPlan& plan, TaskSlot slot, bool once, OffsetStore& store, TopicBus& bus,
                           std::chrono::milliseconds flush_timeout)
    : TaskWorker(plan, once, std::move(slot)),
      store_(store),
      bus_(bus),
      producer_(bus.exactly_once() ? nullptr : bus.producer(plan.name)),
      flush_timeout_(flush_timeout) {
  if (bus.exactly_once() && strcasecmp(plan.common.get_string("transaction.boundary").c_str(), "interval") == 0)
    txn_interval_ = std::chrono::milliseconds(plan.common.get_long("transaction.boundary.interval.ms"));
}

SourceWorker::~SourceWorker() {
  request_stop();
  join();
}

void SourceWorker::run() {
  std::unique_ptr<SourceTask> task;
  SourceTaskContext ctx;  // out of the try: the task may still use it in stop()
  try {
    build_stages();
    task = plan_.plugin->make_source();
    task->configure(slot_.cfg);
    init_task_context(ctx, plan_.name, once_, log_, stopping_, reopen_, plan_.common);
    ctx.task_id = slot_.id;
    ctx.strings = SpareStrings(producer_ ? producer_->spare_strings() : nullptr);
    ctx.offset_for = [this](const Value& partition) { return store_.get(plan_.name, partition); };
    ctx.on_error = [this](const std::string& position, const std::exception& e) {
      errors_.handle("TASK_POLL", plan_.plugin->name, position, e);
    };
    if (bus_.exactly_once()) txn_ = bus_.transactional_producer(plan_.name, slot_.id);
    task->start(ctx);
    commit_records_ = task->wants_commit_record();
    std::vector<Record> batch;
    while (!stopping_.load()) {
      commit_delivered(*task);
      // Before a pause too: an interval's transaction must not stay open while the task is paused.
      if (transaction_due()) commit_transaction();
      if (wait_while_paused()) continue;
      // While a sink is behind, wait before reading rather than hold a batch the bus cannot take.
      if (producer_ && !producer_->await_room(200ms)) continue;
      batch.clear();
      PollStatus status = task->poll(batch, 200ms);
      if (!batch.empty()) process(batch);
      stats_.progress.store(task->progress().value_or(-1), std::memory_order_relaxed);
      if (status == PollStatus::Exhausted) break;
    }
    if (txn_open_ && !failure()) commit_transaction();  // what was polled before the stop
  } catch (const RetryStopped& e) {
    log_->info("stopped while retrying: {}", e.what());  // asked to stop: not a failure
  } catch (const std::exception& e) {
    fail(e.what());
  }
  abort_transaction();  // failed with a transaction open: none of it is kept
  if (producer_) producer_->close();
  wait_for_deliveries();
  if (!task) return;
  // The task hears about every delivery and the final flush before it stops.
  try {
    commit_delivered(*task);
    final_commit(*task);
  } catch (const std::exception& e) {
    fail(e.what());
  }
  {
    std::lock_guard lock(mu_);
    commits_closed_ = true;
    delivered_records_.clear();
  }
  task->stop();
}

void SourceWorker::offsets_flushed(uint64_t stored) {
  uint64_t seen = offsets_flushed_.load();
  while (seen < stored && !offsets_flushed_.compare_exchange_weak(seen, stored)) {
  }
}

void SourceWorker::commit_delivered(SourceTask& task) {
  // commit() first: a flush seen here is one that happened before the records
  // committed below were delivered or after; either way, it is reported now.
  const uint64_t flushed = offsets_flushed_.load();
  if (flushed > offsets_committed_) {
    offsets_committed_ = flushed;
    task.commit();
  }
  if (!commit_records_) return;
  std::vector<Committable> ready;
  {
    std::lock_guard lock(mu_);
    ready.swap(delivered_records_);
  }
  for (auto& c : ready) task.commit_record(c.record, c.metadata ? &*c.metadata : nullptr);
}

void SourceWorker::final_commit(SourceTask& task) {
  const uint64_t stored = offsets_stored_.load();
  if (stored <= offsets_flushed_.load()) {
    commit_delivered(task);  // a flush this thread has not reported yet
    return;
  }
  if (auto err = store_.flush()) {
    log_->error("cannot store offsets in {}: {}; the task is not told its offsets were committed", store_.path(), *err);
    return;
  }
  offsets_flushed(stored);
  commit_delivered(task);
}

namespace {
// "topic 't' source offset {"position":12}" for error messages. A record that
// carries no offset (connector.h: a later record of its poll covers it) is
// named by the next offset of its poll.
std::string source_position(const std::string& topic, const std::vector<Record>& batch, size_t i,
                            const std::vector<std::pair<std::shared_ptr<const Value>, Value>>& offsets) {
  std::string position = fmt::format("topic '{}'", topic);
  if (batch[i].source_partition) {
    if (offsets.empty()) return position;
    position += " source offset ";
    append_schemaless_json(position, offsets.back().second);
    return position;
  }
  for (size_t j = i + 1; j < batch.size(); ++j) {
    if (!batch[j].source_partition) continue;
    position += " (a record before source offset ";
    append_schemaless_json(position, batch[j].source_offset);
    position += ')';
    break;
  }
  return position;
}
}  // namespace

void SourceWorker::process(std::vector<Record>& batch) {
  const auto started = std::chrono::steady_clock::now();
  stats_.read.fetch_add(batch.size(), std::memory_order_relaxed);
  Pending p;
  std::vector<BusRecord> out;
  out.reserve(batch.size());
  std::string buf;
  std::optional<Record> original;  // as polled, for commit_record
  auto keep = [&](std::optional<RecordMetadata> metadata) {
    if (original) p.commits.push_back(Committable{std::move(*original), std::move(metadata)});
    original.reset();
  };
  std::string topic;
  struct Where {
    const std::string& topic;
    const std::vector<Record>& batch;
    size_t i;
    const decltype(p.offsets)& offsets;
  };
  for (size_t i = 0; i < batch.size(); ++i) {
    Record& in = batch[i];
    if (commit_records_ && !in.offset_only) original = in;  // copied before the transforms change it
    // The offset advances for every record, including ones dropped or skipped
    // below (unlike Kafka, where a dropped record's offset waits for a later one).
    if (in.source_partition) {
      auto& last = p.offsets;
      if (!last.empty() && (last.back().first == in.source_partition || *last.back().first == *in.source_partition))
        last.back().second = std::move(in.source_offset);
      else
        last.emplace_back(in.source_partition, std::move(in.source_offset));
    }
    if (in.offset_only) continue;  // skipped input: counted by the error handler when the task reported it
    if (!stages_->chain().empty()) {
      topic.assign(in.topic);  // error messages name the record as the connector gave it (room reused)
      // One pointer captured: the std::function holds it without allocating.
      const Where where{topic, batch, i, p.offsets};
      if (!transform(in, [&where] { return source_position(where.topic, where.batch, where.i, where.offsets); })) {
        keep(std::nullopt);  // dropped, or skipped under errors.tolerance=all
        continue;
      }
    }
    BusRecord& b = out.emplace_back();  // built in place; popped again when a converter fails
    try {
      stages_->to_bus(in, b, buf, true);
    } catch (const StageError& e) {
      out.pop_back();
      errors_.handle(e.stage(), e.plugin(), source_position(in.topic, batch, i, p.offsets), e);
      keep(std::nullopt);
      continue;
    }
    // The bus does not report back each record's partition and offset: what
    // the record asked for, else -1.
    if (original) keep(RecordMetadata{b.topic, b.partition.value_or(-1), -1});
  }
  uint64_t seq;
  std::vector<NextOffset>* numbered;
  {
    std::lock_guard lock(mu_);
    seq = next_seq_++;
    p.seq = seq;
    p.records = out.size();
    pending_.push_back(std::move(p));
    // A deque's elements stay put while others are added or removed; this
    // one is not removed before on_delivered, which the bus calls only after
    // it set `numbered`.
    numbered = &pending_.back().numbered;
  }
  if (txn_) {
    // Delivered, and its offsets stored, when the transaction commits (commit_transaction).
    if (!txn_open_) txn_started_ = std::chrono::steady_clock::now();
    txn_open_ = true;
    txn_->send(std::move(out));
  } else {
    // `written` counts what the bus delivered (on_delivered), not what was handed to it.
    producer_->send(
        std::move(out), [this, seq](std::optional<std::string> error) { on_delivered(seq, std::move(error)); }, numbered);
  }
  stats_.batches.fetch_add(1, std::memory_order_relaxed);
  stats_.batch_nanos.fetch_add(std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - started).count(),
                               std::memory_order_relaxed);
}

void SourceWorker::on_delivered(uint64_t seq, std::optional<std::string> error) {
  std::unique_lock lock(mu_);
  if (pending_.empty() || seq < pending_.front().seq) return;
  Pending& p = pending_[seq - pending_.front().seq];
  p.done = true;
  p.error = std::move(error);
  // Store offsets for the delivered prefix only: an offset is committable when
  // its record and every record before it were delivered.
  while (!pending_.empty() && pending_.front().done && !delivery_failed_) {
    Pending& front = pending_.front();
    // A sink never committed these records (its pre_commit held them back
    // until it stopped): nothing failed, but no offset can be stored from here on.
    if (!not_committed_ && front.error && is_not_committed(*front.error)) {
      not_committed_ = true;
      log_->warn("records were not acknowledged ({}); from them on no source offset is stored, they will be read again",
                 *front.error);
    }
    if (not_committed_) {
      stats_.undelivered.fetch_add(front.records, std::memory_order_relaxed);
      pending_.pop_front();
      continue;
    }
    // In a transaction a failed record fails the transaction, whatever errors.tolerance says (as Kafka).
    if (front.error && !txn_ && tolerate_produce_error(*front.error)) {
      front.error.reset();
      for (auto& c : front.commits) c.metadata.reset();  // not written; its offset moves on (Kafka: commitRecord(r, null))
    } else if (!front.error) {
      stats_.written.fetch_add(front.records, std::memory_order_relaxed);
    }
    if (front.error) {
      delivery_failed_ = true;
      std::string reason = fmt::format("records were not delivered: {}", *front.error);
      lock.unlock();
      fail(reason);
      lock.lock();
      break;
    }
    {
      // The records' bus offsets are stored with the source offsets that
      // cover them: read again after a crash, they are numbered as before.
      auto held = store_.hold_flush();
      for (auto& [partition, offset] : front.offsets) {
        if (txn_) store_.put_stored(plan_.name, *partition, offset);  // committed with the records
        else store_.put(plan_.name, *partition, offset);
      }
      store_.put_next_offsets(front.numbered);
    }
    if (!front.offsets.empty()) offsets_stored_.fetch_add(1);
    if (!front.commits.empty() && !commits_closed_) {
      if (delivered_records_.empty()) delivered_records_ = std::move(front.commits);
      else std::move(front.commits.begin(), front.commits.end(), std::back_inserter(delivered_records_));
    }
    pending_.pop_front();
  }
  delivered_.notify_all();
}

// errors.tolerance=all: a record the producer could not deliver is logged and
// counted and its offset still advances (Kafka Connect's semantics).
bool SourceWorker::tolerate_produce_error(const std::string& error) {
  try {
    errors_.handle("KAFKA_PRODUCE", "producer", "a batch", std::runtime_error(error));
    return true;
  } catch (const ConnectError&) {
    return false;
  }
}

void SourceWorker::wait_for_deliveries() {
  std::unique_lock lock(mu_);
  auto all_done = [&] { return pending_.empty() || delivery_failed_; };
  // --once waits for everything it read; a stop waits at most offset.flush.timeout.ms.
  while (!all_done()) {
    if (stopping_.load()) {
      if (!delivered_.wait_for(lock, flush_timeout_, all_done)) {
        // Not a clean stop: the run did not deliver everything it read (Herder::report, exit 1).
        uint64_t n = 0;
        for (auto& p : pending_) n += p.records;
        stats_.undelivered.fetch_add(n);
        log_->error("{} records were not delivered before shutdown (offset.flush.timeout.ms: {} ms); their offsets "
                    "were not stored, they will be read again",
                    n, flush_timeout_.count());
      }
      return;
    }
    delivered_.wait_for(lock, 100ms, all_done);
  }
}

}  // namespace connectrun
