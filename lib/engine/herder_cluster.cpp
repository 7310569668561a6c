// The Herder in a cluster of processes (group.id, docs/scaling.md): source
// tasks start when the task group assigns their partitions and stop, their
// offsets stored, when it revokes them.
#include <algorithm>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "engine/herder.h"
#include "engine/task_slots.h"

namespace connectrun {

std::vector<SourceTaskRef> source_task_layout(const JobPlan& plan) {
  std::vector<SourceTaskRef> out;
  for (auto& c : plan.connectors)
    if (c.is_source)
      for (auto& slot : task_slots(c)) out.push_back({c.name, slot.id});
  return out;
}

void Herder::set_cluster_mode() {
  std::lock_guard lock(mu_);
  cluster_ = true;
  layout_ = source_task_layout(*plans_.front());
}

namespace {
std::string task_list(const std::vector<SourceTaskRef>& tasks) {
  std::string out;
  for (auto& t : tasks) out += fmt::format("{}{}/{}", out.empty() ? "" : ", ", t.connector, t.task);
  return out;
}
}  // namespace

void Herder::assign_sources(const std::vector<int>& partitions) {
  if (partitions.empty()) return;
  // Read outside the lock (a round trip to the cluster): the offsets the
  // tasks' last owners stored before the group let them go.
  try {
    store_.refresh();
  } catch (const std::exception& e) {
    log_->error("cluster: cannot read the offsets topic again before starting the tasks given to this process "
                "({}); they resume from the offsets read earlier, so records after those are produced again",
                e.what());
  }
  std::lock_guard lock(mu_);
  std::vector<SourceTaskRef> started;
  for (int p : partitions) {
    if (p < 0 || static_cast<size_t>(p) >= layout_.size()) continue;  // the topic is checked at start: cannot happen
    const SourceTaskRef& ref = layout_[static_cast<size_t>(p)];
    Entry* e = find(ref.connector);
    if (!e || !e->owned.insert(ref.task).second) continue;
    started.push_back(ref);
    if (e->stopped) continue;  // stopped over REST: its tasks start when it is resumed
    for (auto& slot : task_slots(*e->plan)) {
      if (slot.id != ref.task) continue;
      auto w = std::make_unique<SourceWorker>(*e->plan, std::move(slot), once_, store_, traffic_bus_, flush_timeout_);
      w->set_paused(e->paused);
      w->start();
      e->sources.push_back(std::move(w));
    }
  }
  if (!started.empty()) log_->info("cluster: this process now runs source task(s) {}", task_list(started));
}

void Herder::revoke_sources(const std::vector<int>& partitions) {
  std::lock_guard lock(mu_);
  std::vector<SourceTaskRef> stopped;
  std::vector<std::unique_ptr<SourceWorker>> leaving;
  for (int p : partitions) {
    if (p < 0 || static_cast<size_t>(p) >= layout_.size()) continue;
    const SourceTaskRef& ref = layout_[static_cast<size_t>(p)];
    Entry* e = find(ref.connector);
    if (!e || e->owned.erase(ref.task) == 0) continue;
    stopped.push_back(ref);
    for (auto it = e->sources.begin(); it != e->sources.end();) {
      if ((*it)->task_id() != ref.task) {
        ++it;
        continue;
      }
      (*it)->set_paused(false);
      (*it)->request_stop();
      leaving.push_back(std::move(*it));
      it = e->sources.erase(it);
    }
  }
  if (stopped.empty()) return;
  for (auto& w : leaving) {
    w->join();
    Entry* e = find(w->name());
    if (!e) continue;
    e->retired.add(*w, Totals::Ended::GivenUp);
  }
  // Stored before the group hands the tasks to another process, which reads them first.
  if (!flush_locked()) log_->error("cluster: the offsets of the tasks this process gives up could not be stored; "
                                   "their next owner produces again what came after the last stored ones");
  log_->info("cluster: this process no longer runs source task(s) {}", task_list(stopped));
}

}  // namespace connectrun
