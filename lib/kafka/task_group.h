// A cluster of connectrun processes (worker key group.id, docs/scaling.md):
// which process runs which source task is the assignment of a Kafka consumer
// group over the task topic, one partition per source task. Kafka's group
// coordinator does the membership, the failure detection (session.timeout.ms)
// and the rebalancing; this is only the glue. The topic holds no records.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace connectrun {

struct JobPlan;

class TaskGroup {
 public:
  virtual ~TaskGroup() = default;
  // Called on the group's thread, inside the rebalance: `revoked` must have
  // stopped the tasks and stored their offsets when it returns, because the
  // partitions go to another process only then.
  struct Handlers {
    std::function<void(const std::vector<int>&)> assigned;
    std::function<void(const std::vector<int>&)> revoked;
  };
  // Subscribes; the group's thread polls until leave().
  virtual void join(Handlers handlers) = 0;
  // Leaves the group: what this process holds is revoked (the handler runs),
  // then the thread ends. Idempotent.
  virtual void leave() = 0;
  virtual const std::string& topic() const = 0;
};

// The task topic: task.assignment.topic or <group.id>-tasks.
std::string task_topic_name(const JobPlan& plan);

// Reaches the cluster (retrying while no broker answers, for up to the admin
// client's socket.timeout.ms), creates the task topic with `partitions`
// partitions when missing, refuses one with another count. Throws
// ConnectError saying what to do. `worker_id` is the group member's client.id.
std::unique_ptr<TaskGroup> make_task_group(const JobPlan& plan, int partitions, const std::string& worker_id);

}  // namespace connectrun
