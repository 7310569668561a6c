// The RabbitMQ family: jcustenborder's kafka-connect-rabbitmq source and sink
// on Debian's librabbitmq (rabbitmq-c) (docs/connectors/rabbitmq.md).
#pragma once

#include "plugin/registry.h"

namespace connectrun::rabbitmq {

void register_family(PluginRegistry& registry);

}  // namespace connectrun::rabbitmq
