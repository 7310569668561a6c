// SinkWorker: bus → converters → transforms → put → pre_commit → acknowledge;
// the dead letter queue for records a stage could not handle. The commit
// path and the errant record reporter are in sink_commit.cpp.
#include "engine/task_worker.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace connectrun {

using namespace std::chrono_literals;

SinkWorker::SinkWorker(const ConnectorPlan& plan, TaskSlot slot, bool once, TopicBus& bus,
                       std::unique_ptr<BusConsumer> consumer)
    : TaskWorker(plan, once, std::move(slot)),
      consumer_(consumer ? std::move(consumer)
                         : bus.consumer(plan.name, plan.subscription, ConsumerTask{slot_.id, slot_.count})) {
  if (!plan.dlq_topic.empty()) dlq_ = bus.dlq_producer(plan.name);
  pool_ = bus.string_pool();
}

template <class Records>
void SinkWorker::give_back(Records& records) {
  if (pool_) pool_->give_back(records, spent_);
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
    init_task_context(ctx, plan_.name, once_, log_, stopping_, reopen_, plan_.common);
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
    // A poll already waiting when a pause comes takes nothing (in-process).
    consumer_->hold_while([this] { return paused_.load() && !stopping_.load() && !detach_.load(); });
    bool fetch_paused = false;  // the bus paused fetching for this paused sink
    bool ended = false;         // the input ended (not a detach)
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
        // Released before the put: the in-process bus hands over its queue's vector (nothing to reuse).
        else if (consumer_->hands_over_batches()) {
          give_back(in);  // what the converters left in the bus records (JSON parsed into maps)
          std::vector<BusRecord>().swap(in);
        }
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
        give_back(batch);  // the task is done with them: put returned and the batch is committed
        batch.clear();  // not held while the next poll waits (memory, with many sinks)
      } else if (uncommitted()) {
        commit(*task, retrying);  // a task holding records back may release them while no new ones come
      }
      if (status == ConsumeStatus::End) {
        ended = true;
        break;
      }
    }
    if (fetch_paused) consumer_->pause_fetching(false);  // a restart's new worker pauses again if it must
    consumer_->hold_while(nullptr);  // the consumer may go to a restarted worker: no reference to this one
    // Kafka's last preCommit when a task closes; then what it still holds back is left uncommitted.
    // At the end of the input (a --once run's end, or the drain when the job
    // stops) flush() first: a task holding records back until a rule completes
    // them (S3Sink in --once mode) may complete them now.
    if (uncommitted()) {
      if (ended) with_retries("flush", [&] { task->flush(); });
      commit(*task, retrying);
    }
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
