// The Kafka topic bus, as the engine sees it: a TopicBus whose source
// connectors produce to a Kafka cluster and whose sink connectors consume from
// it in the group connect-<name>. The clients are in kafka_clients.h.
#pragma once

#include <memory>

#include "bus/bus.h"

namespace connectrun {

struct JobPlan;

// The plan must outlive the bus (the Herder keeps every generation alive).
std::unique_ptr<TopicBus> make_kafka_bus(const JobPlan& plan, bool once);

}  // namespace connectrun
