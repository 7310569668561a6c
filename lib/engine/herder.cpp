#include "engine/herder.h"
#include "engine/task_slots.h"
#include "ops/run_monitor.h"

#include <algorithm>
#include <stdexcept>
#include <map>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>


namespace connectrun {

namespace {
std::map<std::string, std::string> raw_values(const ConnectorPlan& c) {
  std::map<std::string, std::string> out;
  for (auto& [k, e] : c.raw) out.emplace(k, e.value);
  return out;
}

// The worker section alone, as `validate` shows it: two plans with equal texts
// have the same worker configuration.
std::string worker_text(const JobPlan& p) {
  JobPlan w;
  w.worker = p.worker;
  w.client = p.client;
  return describe_effective(w);
}

bool same_subscription(const Subscription& a, const Subscription& b) {
  return a.topics == b.topics && a.topics_regex == b.topics_regex;
}

}  // namespace

std::vector<TaskSlot> task_slots(const ConnectorPlan& plan) {
  auto cfgs = connector_task_configs(*plan.plugin, plan.plugin_cfg, static_cast<int>(plan.common.get_long("tasks.max")));
  std::vector<TaskSlot> out;
  for (size_t i = 0; i < cfgs.size(); ++i) out.push_back(TaskSlot{static_cast<int>(i), static_cast<int>(cfgs.size()), std::move(cfgs[i])});
  return out;
}

std::vector<TaskWorker*> Herder::Entry::workers() const {
  std::vector<TaskWorker*> out;
  for (auto& w : sources) out.push_back(w.get());
  for (auto& w : sinks) out.push_back(w.get());
  return out;
}

bool Herder::Entry::finished() const {
  auto all = workers();
  return std::all_of(all.begin(), all.end(), [](TaskWorker* w) { return w->finished(); });
}

Herder::Herder(const JobPlan& plan, bool once, OffsetStore& store, TopicBus& bus, bool keep_open)
    : once_(once),
      store_(store),
      states_(store.file_path()),
      bus_(bus),
      traffic_bus_(bus),
      flush_timeout_(plan.worker.get_long("offset.flush.timeout.ms")),
      log_(spdlog::default_logger()),
      last_flush_(std::chrono::steady_clock::now()),
      keep_open_(keep_open) {
  plans_.push_back(std::make_unique<const JobPlan>(plan));
  for (auto& c : plans_.front()->connectors) entries_.push_back(Entry{&c, {}, {}, false, false, traffic_bus_.traffic(c.name)});
}

Herder::~Herder() {
  std::lock_guard lock(mu_);
  for (auto& e : entries_) {
    for (auto& w : e.sources) w->request_stop();
    for (auto& w : e.sinks) w->request_detach();
  }
  entries_.clear();  // sources first would be nicer, but every worker is stopped by now on a clean exit
}

bool Herder::runs_here(const Entry& e, int task) const {
  return !cluster_ || !e.plan->is_source || e.owned.count(task) > 0;
}

void Herder::create(Entry& e) {
  for (auto& slot : task_slots(*e.plan)) {
    if (!runs_here(e, slot.id)) continue;
    if (e.plan->is_source)
      e.sources.push_back(std::make_unique<SourceWorker>(*e.plan, std::move(slot), once_, store_, traffic_bus_, flush_timeout_));
    else e.sinks.push_back(std::make_unique<SinkWorker>(*e.plan, std::move(slot), once_, traffic_bus_));
  }
  for (TaskWorker* w : e.workers()) w->set_paused(e.paused);
}

void Herder::start(Entry& e) {
  for (TaskWorker* w : e.workers()) w->start();
}

void Herder::start_all() {
  std::lock_guard lock(mu_);
  for (auto& [name, state] : states_.load()) {
    Entry* e = find(name);
    if (!e) continue;  // no longer in the job: its state is dropped at the next save
    if (state == "STOPPED") {
      e->stopped = true;
      log_->info("connector '{}': STOPPED, as it was stopped over REST before (kept in {}); "
                 "PUT /connectors/{}/resume starts it", name, states_.path(), name);
    } else if (once_) {
      log_->warn("connector '{}' was paused over REST before (kept in {}); it runs: --once cannot resume it", name,
                 states_.path());
    } else {
      e->paused = true;
      log_->info("connector '{}': PAUSED, as it was paused over REST before (kept in {})", name, states_.path());
    }
  }
  for (auto& e : entries_)
    if (!e.plan->is_source && !e.stopped) create(e);
  // Kafka consumers end only when told to; the in-process bus's when no producer is open.
  if (keep_open_ && bus_.consumers_end_with_producers()) keepalive_ = bus_.producer("");
  for (auto& e : entries_)
    if (e.plan->is_source && !e.stopped) create(e);
  for (auto& e : entries_)
    if (!e.plan->is_source) start(e);
  for (auto& e : entries_)
    if (e.plan->is_source) start(e);
}

bool Herder::all_sources_finished() const {
  std::lock_guard lock(mu_);
  return std::all_of(entries_.begin(), entries_.end(), [](const Entry& e) { return !e.plan->is_source || e.finished(); });
}

bool Herder::all_finished() const {
  std::lock_guard lock(mu_);
  return std::all_of(entries_.begin(), entries_.end(), [](const Entry& e) { return e.finished(); });
}

void Herder::stop_sources() {
  std::lock_guard lock(mu_);
  if (keepalive_) keepalive_->close();
  for (auto& e : entries_) {
    for (TaskWorker* w : e.workers()) w->set_paused(false);
    for (auto& w : e.sources) w->request_stop();
  }
}

void Herder::join_all() {
  std::lock_guard lock(mu_);
  for (auto& e : entries_)
    for (auto& w : e.sources) w->join();
  for (auto& e : entries_)
    for (auto& w : e.sinks) w->join();
}

bool Herder::flush_locked() {
  // Dead letters are covered by no source offset: their topics' numbering is
  // stored as it stands (a dead letter written again after a crash gets a new offset).
  std::vector<std::string> dlq_topics;
  for (auto& e : entries_)
    if (!e.sinks.empty() && !e.plan->dlq_topic.empty()) dlq_topics.push_back(e.plan->dlq_topic);
  if (!dlq_topics.empty()) store_.put_next_offsets(bus_.next_offsets(dlq_topics));
  // What each source had stored before the write is what the write covers:
  // its task's commit() follows (SourceTask::commit).
  std::vector<std::pair<SourceWorker*, uint64_t>> covered;
  for (auto& e : entries_)
    for (auto& w : e.sources) covered.emplace_back(w.get(), w->offsets_stored());
  if (auto err = store_.flush()) {
    log_->error("cannot store offsets in {}: {}; the previous file is intact and the write is retried", store_.path(), *err);
    return false;
  }
  for (auto& [source, stored] : covered) source->offsets_flushed(stored);
  last_flush_ = std::chrono::steady_clock::now();
  return true;
}

bool Herder::flush_offsets() {
  std::lock_guard lock(mu_);
  return flush_locked();
}

double Herder::offset_flush_age_seconds() const {
  std::lock_guard lock(mu_);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - last_flush_).count();
}

void Herder::Totals::add(const TaskWorker& w, Ended how) {
  read += w.stats().read.load();
  written += w.stats().written.load();
  dead += w.stats().dead_lettered.load();
  skipped += w.skipped();
  if (how != Ended::Restarted) undelivered += w.stats().undelivered.load();
  seconds = std::max(seconds, w.seconds());
  if ((how == Ended::Running || how == Ended::GivenUp) && !failure) failure = w.failure();
}

Herder::Report Herder::report() const {
  std::lock_guard lock(mu_);
  Report r;
  // One summary line per connector (for cron mail). A failed record is either
  // dead-lettered or skipped; "skipped" counts those not dead-lettered.
  // A connector's tasks are summed; its time is its longest task's.
  for (bool sources : {true, false})
    for (auto& e : entries_) {
      if (e.plan->is_source != sources) continue;
      Totals t = e.retired;
      auto workers = e.workers();
      for (TaskWorker* w : workers) t.add(*w, Totals::Ended::Running);
      uint64_t skipped = t.skipped > t.dead ? t.skipped - t.dead : 0;
      log_summary(*log_, {e.plan->name, t.read, t.written, skipped, t.dead, t.undelivered, t.seconds, workers.size(), t.failure});
      if (t.failure) r.failed = true;
      if (t.undelivered) r.undelivered = true;
      if (skipped + t.dead > 0) r.records_skipped = true;
    }
  return r;
}

Herder::Entry* Herder::find(const std::string& name) {
  for (auto& e : entries_)
    if (e.plan->name == name) return &e;
  return nullptr;
}

const Herder::Entry* Herder::find(const std::string& name) const {
  for (auto& e : entries_)
    if (e.plan->name == name) return &e;
  return nullptr;
}

ConnectorSnapshot Herder::snapshot_of(const Entry& e) const {
  ConnectorSnapshot s;
  s.name = e.plan->name;
  s.is_source = e.plan->is_source;
  s.plan = e.plan;
  uint64_t batch_nanos = 0;
  double progress_sum = 0;
  bool progress_known = s.is_source;
  for (TaskWorker* w : e.workers()) {
    double p = w->stats().progress.load(std::memory_order_relaxed);
    if (p < 0) progress_known = false;
    progress_sum += p;
    TaskSnapshot t;
    t.id = w->task_id();
    if (auto f = w->failure()) {
      t.state = "FAILED";
      t.trace = *f;
      if (!s.trace) s.trace = *f;
    } else if (w->finished()) {
      t.state = "UNASSIGNED";
    } else {
      t.state = e.paused ? "PAUSED" : "RUNNING";
    }
    t.read = w->stats().read.load();
    t.written = w->stats().written.load();
    s.read += t.read;
    s.written += t.written;
    s.errors += w->skipped();
    s.dead_lettered += w->stats().dead_lettered.load();
    s.batches += w->stats().batches.load();
    batch_nanos += w->stats().batch_nanos.load();
    s.tasks.push_back(std::move(t));
  }
  if (cluster_ && e.plan->is_source && !e.stopped) {
    // The tasks the group gave other processes (or none yet): this process
    // knows only that it does not run them (docs/scaling.md).
    for (auto& ref : layout_)
      if (ref.connector == e.plan->name && !e.owned.count(ref.task)) {
        TaskSnapshot t;
        t.id = ref.task;
        t.state = "UNASSIGNED";
        t.elsewhere = true;
        s.tasks.push_back(std::move(t));
      }
    std::sort(s.tasks.begin(), s.tasks.end(), [](auto& a, auto& b) { return a.id < b.id; });
  }
  if (e.stopped) s.state = "STOPPED";
  else if (s.trace) s.state = "FAILED";
  else if (e.finished()) s.state = "UNASSIGNED";
  else s.state = e.paused ? "PAUSED" : "RUNNING";
  s.batch_seconds = static_cast<double>(batch_nanos) / 1e9;
  if (progress_known && !s.tasks.empty()) s.progress = progress_sum / static_cast<double>(s.tasks.size());
  s.bytes = e.traffic->bytes.load(std::memory_order_relaxed);
  if (!s.is_source) s.lag = bus_.sink_lag(s.name);
  return s;
}

std::vector<std::string> Herder::names() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> out;
  for (auto& e : entries_) out.push_back(e.plan->name);
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<ConnectorSnapshot> Herder::snapshots() const {
  std::lock_guard lock(mu_);
  std::vector<ConnectorSnapshot> out;
  for (auto& e : entries_) out.push_back(snapshot_of(e));
  return out;
}

std::optional<ConnectorSnapshot> Herder::snapshot(const std::string& name) const {
  std::lock_guard lock(mu_);
  const Entry* e = find(name);
  if (!e) return std::nullopt;
  return snapshot_of(*e);
}

std::optional<std::vector<OffsetEntry>> Herder::offsets(const std::string& name) const {
  const ConnectorPlan* plan = nullptr;
  {
    std::lock_guard lock(mu_);
    const Entry* e = find(name);
    if (!e) return std::nullopt;
    plan = e->plan;  // every plan generation stays alive
  }
  std::vector<OffsetEntry> out;
  if (!plan->is_source) {
    // A sink's offsets are its consumer group's committed ones (Kafka bus
    // only: the in-process bus keeps none). Asked outside the lock: it is a
    // round trip to the cluster.
    for (auto& o : bus_.sink_positions(name)) out.push_back(sink_offset_entry(name, o.topic, o.partition, o.offset));
    return out;
  }
  for (auto& o : store_.entries())
    if (o.connector == name) out.push_back(o);
  return out;
}

bool Herder::pause(const std::string& name) {
  std::lock_guard lock(mu_);
  Entry* e = find(name);
  if (!e) return false;
  if (!e->paused) log_->info("connector '{}': paused", name);
  e->paused = true;
  if (e->stopped) start_stopped(*e);  // Kafka: a stopped connector paused gets its tasks, paused
  for (TaskWorker* w : e->workers()) w->set_paused(true);
  save_states();
  return true;
}

bool Herder::resume(const std::string& name) {
  std::lock_guard lock(mu_);
  Entry* e = find(name);
  if (!e) return false;
  if (e->paused) log_->info("connector '{}': resumed", name);
  e->paused = false;
  if (e->stopped) start_stopped(*e);
  for (TaskWorker* w : e->workers()) w->set_paused(false);
  save_states();
  return true;
}

void Herder::stop(Entry& e) {
  for (auto& w : e.sources) {
    w->set_paused(false);
    w->request_stop();
  }
  for (auto& w : e.sinks) w->request_detach();
  for (TaskWorker* w : e.workers()) w->join();
  flush_locked();
}

void Herder::restart_locked(Entry& e, const ConnectorPlan& plan) {
  if (e.stopped) {  // reconfigured while stopped: it stays stopped (Kafka's target state)
    e.plan = &plan;
    return;
  }
  log_->info("connector '{}': restarting", plan.name);
  auto slots = task_slots(plan);
  if (plan.is_source) {
    // The new producers open before the old ones close: the in-process bus's
    // sinks never see every producer closed.
    std::vector<std::unique_ptr<SourceWorker>> fresh;
    for (auto& slot : slots)
      if (runs_here(e, slot.id)) fresh.push_back(std::make_unique<SourceWorker>(plan, std::move(slot), once_, store_, traffic_bus_, flush_timeout_));
    stop(e);
    for (auto& w : e.sources) e.retired.add(*w, Totals::Ended::Restarted);
    e.sources = std::move(fresh);
  } else {
    stop(e);
    // The consumers are kept (with what they hold) unless a task failed, the
    // topics changed or the number of tasks did (the partitions' split would).
    const bool keep = same_subscription(e.plan->subscription, plan.subscription) && slots.size() == e.sinks.size() &&
                      std::none_of(e.sinks.begin(), e.sinks.end(), [](auto& w) { return w->failure().has_value(); });
    auto old = std::move(e.sinks);
    e.sinks.clear();
    for (auto& w : old) e.retired.add(*w, Totals::Ended::Restarted);
    for (size_t i = 0; i < slots.size(); ++i)
      e.sinks.push_back(std::make_unique<SinkWorker>(plan, std::move(slots[i]), once_, traffic_bus_,
                                                     keep ? old[i]->release_consumer() : nullptr));
    old.clear();  // after the new consumers subscribed
  }
  e.plan = &plan;
  for (TaskWorker* w : e.workers()) w->set_paused(e.paused);
  start(e);
  log_->info("connector '{}': restarted", plan.name);
}

bool Herder::restart(const std::string& name) {
  std::lock_guard lock(mu_);
  Entry* e = find(name);
  if (!e) return false;
  if (e->stopped) {
    start_stopped(*e);
    save_states();
  } else {
    restart_locked(*e, *e->plan);
  }
  return true;
}

void Herder::start_stopped(Entry& e) {
  log_->info("connector '{}': starting (was stopped)", e.plan->name);
  e.stopped = false;
  create(e);
  start(e);
}

bool Herder::stop_connector(const std::string& name) {
  std::lock_guard lock(mu_);
  Entry* e = find(name);
  if (!e) return false;
  if (e->stopped) return true;
  log_->info("connector '{}': stopping (REST)", name);
  stop(*e);
  for (TaskWorker* w : e->workers()) e->retired.add(*w, Totals::Ended::Stopped);
  e->sources.clear();
  e->sinks.clear();
  e->stopped = true;
  e->paused = false;
  save_states();
  log_->info("connector '{}': stopped", name);
  return true;
}

void Herder::save_states() {
  std::map<std::string, std::string> states;
  for (auto& e : entries_)
    if (e.stopped || e.paused) states.emplace(e.plan->name, e.stopped ? "STOPPED" : "PAUSED");
  if (auto err = states_.save(states))
    log_->error("cannot keep the connectors' states in {} ({}): after a restart of connectrun every connector runs",
                states_.path(), *err);
}

std::optional<std::vector<std::string>> Herder::active_topics(const std::string& name) const {
  std::lock_guard lock(mu_);
  const Entry* e = find(name);
  if (!e) return std::nullopt;
  return e->traffic->topics();
}

bool Herder::reset_active_topics(const std::string& name) {
  std::lock_guard lock(mu_);
  Entry* e = find(name);
  if (!e) return false;
  e->traffic->reset_topics();
  return true;
}

std::optional<std::vector<config::ConfigValues>> Herder::task_configs(const std::string& name) const {
  std::lock_guard lock(mu_);
  const Entry* e = find(name);
  if (!e) return std::nullopt;
  std::vector<config::ConfigValues> out;
  if (e->stopped) return out;  // a stopped connector has no tasks (Kafka empties its task configs)
  for (auto& slot : task_slots(*e->plan)) out.push_back(std::move(slot.cfg));
  return out;
}

void Herder::request_reopen() {
  std::lock_guard lock(mu_);
  for (auto& e : entries_)
    for (auto* w : e.workers()) w->request_reopen();
}

std::optional<std::string> Herder::refusal(const JobPlan& next) const {
  std::lock_guard lock(mu_);
  return refusal_locked(next);
}

std::optional<std::string> Herder::refusal_locked(const JobPlan& next) const {
  // The task topic's partitions stand for the source tasks as they were at start.
  if (cluster_ && source_task_layout(next) != layout_)
    return std::string(
        "the change adds, removes or reorders source tasks (connectors, tasks.max), which a cluster (group.id) "
        "cannot apply while it runs: the task topic has one partition per source task as at start. The running "
        "configuration is kept; stop every process, re-create the task topic with the new number of source tasks "
        "(or name a new one with task.assignment.topic) and start them again with the new job");
  return std::nullopt;
}

void Herder::apply(JobPlan next_plan, const char* why, const std::map<std::string, std::string>& initial_states) {
  std::lock_guard lock(mu_);
  // Thrown: a reload logs it (REST asked refusal() before writing the job files).
  if (auto why_not = refusal_locked(next_plan)) throw std::runtime_error(*why_not);
  const bool worker_changed = worker_text(next_plan) != worker_text(*plans_.front());
  if (worker_changed)
    log_->error("{}: the worker section changed; worker settings (bootstrap.servers, the offsets file, "
                "listeners, …) apply only when connectrun is restarted: the old ones stay in force", why);
  plans_.push_back(std::make_unique<const JobPlan>(std::move(next_plan)));
  const JobPlan& next = *plans_.back();
  // New bus clients take their connector's keys from the new plan, unless the
  // worker's changed: they would mix old and new worker keys.
  if (!worker_changed) bus_.plan_changed(next);
  std::set<std::string> next_names;
  for (auto& c : next.connectors) next_names.insert(c.name);
  std::vector<std::string> removed, added, changed, unchanged;
  // Removed (or changed between source and sink): stopped and dropped.
  for (auto it = entries_.begin(); it != entries_.end();) {
    auto n = std::find_if(next.connectors.begin(), next.connectors.end(), [&](auto& c) { return c.name == it->plan->name; });
    if (n == next.connectors.end() || n->is_source != it->plan->is_source) {
      log_->info("{}: stopping connector '{}'", why, it->plan->name);
      stop(*it);
      traffic_bus_.forget(it->plan->name);
      if (n == next.connectors.end()) removed.push_back(it->plan->name);
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
  std::vector<std::string> fresh;
  for (auto& c : next.connectors) {
    Entry* e = find(c.name);
    if (!e) {
      entries_.push_back(Entry{&c, {}, {}, false, false, traffic_bus_.traffic(c.name)});
      added.push_back(c.name);
      continue;
    }
    if (raw_values(c) == raw_values(*e->plan)) {
      e->plan = &c;  // same configuration; the running worker keeps its own (equal) plan
      unchanged.push_back(c.name);
      continue;
    }
    changed.push_back(c.name);
    restart_locked(*e, c);
  }
  // Added: sinks created before sources, as at start.
  for (bool sources : {false, true})
    for (auto& name : added) {
      Entry* e = find(name);
      if (e->plan->is_source != sources) continue;
      auto initial = initial_states.find(name);
      if (initial != initial_states.end() && initial->second == "STOPPED") {
        e->stopped = true;  // no tasks until resumed
        continue;
      }
      if (initial != initial_states.end() && initial->second == "PAUSED") e->paused = true;
      try {
        create(*e);
        fresh.push_back(name);
      } catch (const std::exception& ex) {
        log_->error("{}: connector '{}' cannot be started: {}", why, name, ex.what());
        entries_.erase(entries_.begin() + (e - entries_.data()));
      }
    }
  for (auto& name : fresh) start(*find(name));
  auto list = [](const std::vector<std::string>& v) {
    std::string s;
    for (auto& n : v) s += (s.empty() ? "" : ", ") + n;
    return s.empty() ? std::string("none") : s;
  };
  // A removed connector's state goes with it (Kafka deletes it too); an added one's initial state is kept.
  if (!removed.empty() || !initial_states.empty()) save_states();
  log_->info("{}: restarted: {}; started: {}; stopped: {}; unchanged: {}", why, list(changed), list(added), list(removed),
             list(unchanged));
}

}  // namespace connectrun
