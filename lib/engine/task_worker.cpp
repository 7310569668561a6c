#include "engine/task_worker.h"

#include <iterator>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "json/json_writer.h"
#include "ops/log.h"

namespace connectrun {

using namespace std::chrono_literals;

TaskWorker::TaskWorker(const ConnectorPlan& plan, bool once, TaskSlot slot)
    : plan_(plan),
      slot_(std::move(slot)),
      once_(once),
      // Tasks after the first log as NAME-ID (Kafka's task names).
      log_(make_logger(slot_.id ? fmt::format("{}-{}", plan.name, slot_.id) : plan.name)),
      errors_(plan.common, log_) {}

TaskWorker::~TaskWorker() {
  request_stop();
  if (thread_.joinable()) thread_.join();
}

void TaskWorker::start() {
  started_ = std::chrono::steady_clock::now();
  thread_ = std::thread([this] {
    try {
      run();
    } catch (const std::exception& e) {
      fail(e.what());
    }
    ended_.store(std::chrono::steady_clock::now().time_since_epoch().count());
    finished_.store(true);
  });
}

double TaskWorker::seconds() const {
  auto end_ticks = ended_.load();
  auto end = end_ticks ? std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(end_ticks))
                       : std::chrono::steady_clock::now();
  return std::chrono::duration<double>(end - started_).count();
}

void TaskWorker::join() {
  if (thread_.joinable()) thread_.join();
}

void TaskWorker::fail(const std::string& reason) {
  {
    std::lock_guard lock(fail_mu_);
    if (failure_) return;
    failure_ = reason;
  }
  log_->error("connector failed: {}", reason);
  stopping_.store(true);
}

void TaskWorker::build_stages() { stages_ = std::make_unique<RecordStages>(plan_); }

bool TaskWorker::transform(Record& r, const std::function<std::string()>& position) {
  try {
    return stages_->chain().apply_in_place(r);
  } catch (const TransformError& e) {
    errors_.handle(fmt::format("TRANSFORMATION '{}'", e.alias()), e.plugin(), position(), e);
    last_failure_ = StageFailure{"TRANSFORMATION", e.plugin(), e.cause()};
    return false;
  }
}

bool TaskWorker::wait_while_paused() {
  if (!paused_.load() || stopping_.load()) return false;
  std::this_thread::sleep_for(50ms);
  return true;
}

std::optional<std::string> TaskWorker::failure() const {
  std::lock_guard lock(fail_mu_);
  return failure_;
}

// ---------------------------------------------------------------- source

void init_task_context(TaskContext& ctx, const std::string& connector, bool stop_at_end_of_data,
                       std::shared_ptr<spdlog::logger> log, const std::atomic<bool>& stopping,
                       const config::ConfigValues& common) {
  ctx.connector_name = connector;
  ctx.stop_at_end_of_data = stop_at_end_of_data;
  ctx.log = std::move(log);
  ctx.stopping = &stopping;
  ctx.retry_policy = RetryPolicy::from(common);
}

SourceWorker::SourceWorker(const ConnectorPlan& plan, TaskSlot slot, bool once, OffsetStore& store, TopicBus& bus,
                           std::chrono::milliseconds flush_timeout)
    : TaskWorker(plan, once, std::move(slot)), store_(store), producer_(bus.producer(plan.name)), flush_timeout_(flush_timeout) {}

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
    init_task_context(ctx, plan_.name, once_, log_, stopping_, plan_.common);
    ctx.task_id = slot_.id;
    ctx.offset_for = [this](const Value& partition) { return store_.get(plan_.name, partition); };
    ctx.on_error = [this](const std::string& position, const std::exception& e) {
      errors_.handle("TASK_POLL", plan_.plugin->name, position, e);
    };
    task->start(ctx);
    commit_records_ = task->wants_commit_record();
    std::vector<Record> batch;
    while (!stopping_.load()) {
      commit_delivered(*task);
      if (wait_while_paused()) continue;
      batch.clear();
      PollStatus status = task->poll(batch, 200ms);
      if (!batch.empty()) process(batch);
      if (status == PollStatus::Exhausted) break;
    }
  } catch (const RetryStopped& e) {
    log_->info("stopped while retrying: {}", e.what());  // asked to stop: not a failure
  } catch (const std::exception& e) {
    fail(e.what());
  }
  producer_->close();
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
// "topic 't' source offset {"position":12}" for error messages.
template <class P>
std::string source_position(const std::string& topic, const P& pending) {
  std::string position = fmt::format("topic '{}'", topic);
  if (!pending.offsets.empty()) {
    position += " source offset ";
    append_schemaless_json(position, pending.offsets.back().second);
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
  for (auto& in : batch) {
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
      const std::string topic = in.topic;  // error messages name the record as the connector gave it
      if (!transform(in, [&] { return source_position(topic, p); })) {
        keep(std::nullopt);  // dropped, or skipped under errors.tolerance=all
        continue;
      }
    }
    BusRecord b;
    try {
      stages_->to_bus(in, b, buf, true);
    } catch (const StageError& e) {
      errors_.handle(e.stage(), e.plugin(), source_position(in.topic, p), e);
      keep(std::nullopt);
      continue;
    }
    // The bus does not report back each record's partition and offset: what
    // the record asked for, else -1.
    if (original) keep(RecordMetadata{b.topic, b.partition.value_or(-1), -1});
    out.push_back(std::move(b));
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
  // `written` counts what the bus delivered (on_delivered), not what was handed to it.
  producer_->send(
      std::move(out), [this, seq](std::optional<std::string> error) { on_delivered(seq, std::move(error)); }, numbered);
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
    if (front.error && tolerate_produce_error(*front.error)) {
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
      for (auto& [partition, offset] : front.offsets) store_.put(plan_.name, *partition, offset);
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

// ---------------------------------------------------------------- sink

SinkWorker::SinkWorker(const ConnectorPlan& plan, TaskSlot slot, bool once, TopicBus& bus,
                       std::unique_ptr<BusConsumer> consumer)
    : TaskWorker(plan, once, std::move(slot)),
      consumer_(consumer ? std::move(consumer)
                         : bus.consumer(plan.name, plan.subscription, ConsumerTask{slot_.id, slot_.count})) {
  if (!plan.dlq_topic.empty()) dlq_ = bus.dlq_producer(plan.name);
}

namespace {
// Kafka Connect names the Java class in __connect.errors.class.name.
std::string java_class_of(const std::string& plugin, const PluginRegistry& registry) {
  if (const PluginInfo* info = registry.find_any(plugin))
    for (auto& a : info->aliases)
      if (a.find('.') != std::string::npos) return a;
  return plugin;
}
}  // namespace

void SinkWorker::dead_letter(const BusRecord& original, const StageFailure& f) {
  if (!dlq_) return;
  // Kafka Connect's DeadLetterQueueReporter: original key, value, headers and
  // timestamp; partition left to the partitioner.
  BusRecord d;
  d.topic = plan_.dlq_topic;
  d.key = original.key;
  d.value = original.value;
  d.headers = original.headers;
  d.timestamp = original.timestamp;
  if (plan_.common.get_bool("errors.deadletterqueue.context.headers.enable")) {
    auto add = [&](const char* name, std::string value) { d.headers.emplace_back(name, std::move(value)); };
    add("__connect.errors.topic", original.topic);
    add("__connect.errors.partition", std::to_string(original.partition.value_or(0)));
    add("__connect.errors.offset", std::to_string(original.offset));
    add("__connect.errors.connector.name", plan_.name);
    add("__connect.errors.task.id", std::to_string(slot_.id));
    add("__connect.errors.stage", f.stage);
    add("__connect.errors.class.name", java_class_of(f.plugin, *plan_.registry));
    add("__connect.errors.exception.class.name", f.exception_class);
    add("__connect.errors.exception.message", f.message);
  }
  std::lock_guard lock(errant_mu_);
  dlq_batch_.push_back(std::move(d));
}

void SinkWorker::flush_dead_letters() {
  std::vector<BusRecord> batch;
  {
    std::lock_guard lock(errant_mu_);
    batch.swap(dlq_batch_);
  }
  if (batch.empty()) return;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::optional<std::string> error;
  const size_t n = batch.size();
  dlq_->send(std::move(batch), [&](std::optional<std::string> e) {
    std::lock_guard lock(mu);
    error = std::move(e);
    done = true;
    cv.notify_all();
  });
  std::unique_lock lock(mu);
  cv.wait(lock, [&] { return done; });
  if (error)
    throw ConnectError(fmt::format("cannot write to the dead letter topic '{}': {}", plan_.dlq_topic, *error));
  stats_.dead_lettered.fetch_add(n, std::memory_order_relaxed);  // counted once written, not when queued
}

SinkWorker::~SinkWorker() {
  request_stop();
  join();
}

void SinkWorker::convert(std::vector<BusRecord>& in, std::vector<Record>& out, std::vector<uint32_t>* origin) {
  out.reserve(in.size());
  if (origin) origin->clear();
  // Without a dead letter queue the bus record is not needed after conversion
  // (error messages use only its coordinates), so StringConverter may take its
  // bytes; its topic too when no transform's error message names it.
  const bool take_bytes = !dlq_;
  const bool take_topic = !dlq_ && stages_->chain().empty();
  for (auto& b : in) {
    // Its index in `in`, for the errant record reporter; popped with the record.
    if (origin) origin->push_back(static_cast<uint32_t>(&b - in.data()));
    Record& r = out.emplace_back();  // built in place; popped again when it fails or is dropped
    try {
      stages_->from_bus(b, r, take_bytes, take_topic);
    } catch (const StageError& e) {
      out.pop_back();
      if (origin) origin->pop_back();
      errors_.handle(e.stage(), e.plugin(), fmt::format("topic '{}' partition {} offset {}", b.topic, b.partition.value_or(0), b.offset), e);
      dead_letter(b, StageFailure{e.stage(), e.plugin(), e.what()});
      continue;
    }
    if (stages_->chain().empty()) continue;
    last_failure_.reset();
    bool kept = transform(r, [&b] {
      return fmt::format("topic '{}' partition {} offset {}", b.topic, b.partition.value_or(0), b.offset);
    });
    if (!kept) {
      out.pop_back();
      if (origin) origin->pop_back();
      if (last_failure_) dead_letter(b, *last_failure_);
    }
  }
}

void SinkWorker::run() {
  std::unique_ptr<SinkTask> task;
  SinkTaskContext ctx;  // out of the try: the task may still use it in stop()
  try {
    build_stages();
    task = plan_.plugin->make_sink();
    task->configure(slot_.cfg);
    init_task_context(ctx, plan_.name, once_, log_, stopping_, plan_.common);
    ctx.errant_reporter = [this](const Record& r, const std::exception& e) { report_errant(r, e); };
    ctx.task_id = slot_.id;
    task->start(ctx);
    consumer_->replay_assignment();  // a consumer taken over from a restarted task: open what it holds
    apply_partition_changes(*task);
    std::vector<BusRecord> in;
    std::vector<Record> batch;
    std::vector<uint32_t> origin;  // with a dead letter queue: batch[i] came from in[origin[i]]
    // Runs put/flush/pre_commit, retrying a retriable failure within errors.retry.timeout.
    auto with_retries = [&](const char* what, auto&& op) { retry(errors_.retry_policy(), what, op, &stopping_, log_.get()); };
    auto retrying = [&](const std::function<void()>& op) { with_retries("pre_commit", op); };
    // A sink drains until every producer closed, even when asked to stop, so
    // nothing accepted by the bus is left unwritten.
    bool fetch_paused = false;  // the bus paused fetching for this paused sink
    for (;;) {
      if (detach_.load()) break;
      bool want_paused = paused_.load() && !stopping_.load();
      if (want_paused != fetch_paused && consumer_->pause_fetching(want_paused)) fetch_paused = want_paused;
      if (want_paused && !fetch_paused) {
        std::this_thread::sleep_for(50ms);  // the bus cannot pause fetching: stop polling
        continue;
      }
      in.clear();
      ConsumeStatus status = consumer_->poll(in, 100ms);
      apply_partition_changes(*task);  // before any record of a new partition is put
      if (!in.empty()) {
        stats_.read.fetch_add(in.size(), std::memory_order_relaxed);
        note_positions(in);
        batch.clear();
        convert(in, batch, dlq_ ? &origin : nullptr);
        if (dlq_) keep_originals(std::move(in), std::move(origin), batch);  // moved-from: cleared before reuse
        const auto started = std::chrono::steady_clock::now();
        if (!batch.empty()) with_retries("put", [&] { task->put(batch); });
        {
          std::lock_guard lock(errant_mu_);
          put_batch_ = nullptr;  // later reports find their originals by coordinates
        }
        check_errant();
        commit(*task, retrying);
        stats_.batches.fetch_add(1, std::memory_order_relaxed);
        stats_.batch_nanos.fetch_add(
            std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - started).count(),
            std::memory_order_relaxed);
        stats_.written.fetch_add(batch.size(), std::memory_order_relaxed);
      } else if (uncommitted()) {
        commit(*task, retrying);  // a task holding records back may release them while no new ones come
      }
      if (status == ConsumeStatus::End) break;
    }
    if (fetch_paused) consumer_->pause_fetching(false);  // a restart's new worker pauses again if it must
    // Kafka's last preCommit when a task closes; then what it still holds back is left uncommitted.
    if (uncommitted()) commit(*task, retrying);
    if (uncommitted()) {
      log_->warn("the task stopped without committing every record it was given; they are not acknowledged and "
                 "will be read again");
      consumer_->abandon_uncommitted();
    }
    close_partitions(*task);
  } catch (const std::exception& e) {
    fail(e.what());
    consumer_->fail(e.what());
    if (task) {
      try {
        close_partitions(*task);  // as Kafka's WorkerSinkTask does on its way out; a failure here only logs
      } catch (const std::exception& e2) {
        log_->warn("closing partitions after the failure: {}", e2.what());
      }
    }
  }
  if (dlq_) dlq_->close();
  if (task) task->stop();
}

void SinkWorker::apply_partition_changes(SinkTask& task) {
  for (auto& c : consumer_->take_partition_changes()) {
    if (c.partitions.empty()) continue;
    if (c.assigned) {
      task.open(c.partitions);
      open_.insert(c.partitions.begin(), c.partitions.end());
    } else {
      task.close(c.partitions);
      for (auto& tp : c.partitions) open_.erase(tp);
    }
  }
}

void SinkWorker::close_partitions(SinkTask& task) {
  if (open_.empty()) return;
  std::vector<TopicPartition> all(open_.begin(), open_.end());
  open_.clear();
  task.close(all);
}

}  // namespace connectrun
