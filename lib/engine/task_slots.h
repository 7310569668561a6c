// A connector's tasks: tasks.max split by the plugin (Kafka's
// Connector.taskConfigs), numbered 0 … count-1.
#pragma once

#include <vector>

#include "engine/task_worker.h"

namespace connectrun {

std::vector<TaskSlot> task_slots(const ConnectorPlan& plan);

}  // namespace connectrun
