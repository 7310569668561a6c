#include "engine/task_worker.h"

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

void init_task_context(TaskContext& ctx, const std::string& connector, bool once,
                       std::shared_ptr<spdlog::logger> log, const std::atomic<bool>& stopping) {
  ctx.connector_name = connector;
  ctx.once = once;
  ctx.log = std::move(log);
  ctx.stopping = &stopping;
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
  try {
    build_stages();
    task = plan_.plugin->make_source();
    task->configure(slot_.cfg);
    SourceTaskContext ctx;
    init_task_context(ctx, plan_.name, once_, log_, stopping_);
    ctx.task_id = slot_.id;
    ctx.offset_for = [this](const Value& partition) { return store_.get(plan_.name, partition); };
    ctx.on_error = [this](const std::string& position, const std::exception& e) {
      errors_.handle("TASK_POLL", plan_.plugin->name, position, e);
    };
    task->start(ctx);
    std::vector<Record> batch;
    while (!stopping_.load()) {
      if (wait_while_paused()) continue;
      batch.clear();
      PollStatus status = task->poll(batch, 200ms);
      if (!batch.empty()) process(batch);
      if (status == PollStatus::Exhausted) break;
    }
  } catch (const std::exception& e) {
    fail(e.what());
  }
  if (task) task->stop();
  producer_->close();
  wait_for_deliveries();
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
  for (auto& in : batch) {
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
      if (!transform(in, [&] { return source_position(topic, p); })) continue;
    }
    BusRecord b;
    try {
      stages_->to_bus(in, b, buf, true);
    } catch (const StageError& e) {
      errors_.handle(e.stage(), e.plugin(), source_position(in.topic, p), e);
      continue;
    }
    out.push_back(std::move(b));
  }
  uint64_t seq;
  {
    std::lock_guard lock(mu_);
    seq = next_seq_++;
    p.seq = seq;
    p.records = out.size();
    pending_.push_back(std::move(p));
  }
  // `written` counts what the bus delivered (on_delivered), not what was handed to it.
  producer_->send(std::move(out), [this, seq](std::optional<std::string> error) { on_delivered(seq, std::move(error)); });
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
    if (front.error && tolerate_produce_error(*front.error)) front.error.reset();
    else if (!front.error) stats_.written.fetch_add(front.records, std::memory_order_relaxed);
    if (front.error) {
      delivery_failed_ = true;
      std::string reason = fmt::format("records were not delivered: {}", *front.error);
      lock.unlock();
      fail(reason);
      lock.lock();
      break;
    }
    for (auto& [partition, offset] : front.offsets) store_.put(plan_.name, *partition, offset);
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
        stats_.undelivered.store(n);
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
    add("__connect.errors.exception.class.name", "org.apache.kafka.connect.errors.DataException");
    add("__connect.errors.exception.message", f.message);
  }
  dlq_batch_.push_back(std::move(d));
}

void SinkWorker::flush_dead_letters() {
  if (dlq_batch_.empty()) return;
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::optional<std::string> error;
  const size_t n = dlq_batch_.size();
  dlq_->send(std::move(dlq_batch_), [&](std::optional<std::string> e) {
    std::lock_guard lock(mu);
    error = std::move(e);
    done = true;
    cv.notify_all();
  });
  dlq_batch_.clear();
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

void SinkWorker::convert(std::vector<BusRecord>& in, std::vector<Record>& out) {
  out.reserve(in.size());
  // Without a dead letter queue the bus record is not needed after conversion
  // (error messages use only its coordinates), so StringConverter may take its
  // bytes; its topic too when no transform's error message names it.
  const bool take_bytes = !dlq_;
  const bool take_topic = !dlq_ && stages_->chain().empty();
  for (auto& b : in) {
    Record& r = out.emplace_back();  // built in place; popped again when it fails or is dropped
    try {
      stages_->from_bus(b, r, take_bytes, take_topic);
    } catch (const StageError& e) {
      out.pop_back();
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
      if (last_failure_) dead_letter(b, *last_failure_);
    }
  }
}

void SinkWorker::run() {
  std::unique_ptr<SinkTask> task;
  try {
    build_stages();
    task = plan_.plugin->make_sink();
    task->configure(slot_.cfg);
    SinkTaskContext ctx;
    init_task_context(ctx, plan_.name, once_, log_, stopping_);
    ctx.task_id = slot_.id;
    task->start(ctx);
    consumer_->replay_assignment();  // a consumer taken over from a restarted task: open what it holds
    apply_partition_changes(*task);
    std::vector<BusRecord> in;
    std::vector<Record> batch;
    const auto retry_timeout = std::chrono::milliseconds(plan_.common.get_long("errors.retry.timeout"));
    const auto max_delay = std::chrono::milliseconds(plan_.common.get_long("errors.retry.delay.max.ms"));
    // Runs put/flush, retrying a retriable failure within errors.retry.timeout.
    auto with_retries = [&](auto&& op) {
      auto deadline = std::chrono::steady_clock::now() + retry_timeout;
      auto delay = 300ms;
      for (int attempt = 1;; ++attempt) {
        try {
          op();
          return;
        } catch (const ConnectError& e) {
          bool forever = retry_timeout.count() < 0;
          if (!e.retriable() || (!forever && std::chrono::steady_clock::now() + delay > deadline) || stopping_.load()) throw;
          log_->warn("attempt {} failed, retrying in {} ms: {}", attempt, delay.count(), e.what());
          std::this_thread::sleep_for(delay);
          delay = std::min(delay * 2, std::chrono::duration_cast<std::chrono::milliseconds>(max_delay));
        }
      }
    };
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
        batch.clear();
        convert(in, batch);
        const auto started = std::chrono::steady_clock::now();
        if (!batch.empty()) with_retries([&] { task->put(batch); });
        with_retries([&] { task->flush(); });
        stats_.batches.fetch_add(1, std::memory_order_relaxed);
        stats_.batch_nanos.fetch_add(
            std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - started).count(),
            std::memory_order_relaxed);
        flush_dead_letters();
        stats_.written.fetch_add(batch.size(), std::memory_order_relaxed);
        consumer_->commit();
      }
      if (status == ConsumeStatus::End) break;
    }
    if (fetch_paused) consumer_->pause_fetching(false);  // a restart's new worker pauses again if it must
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
