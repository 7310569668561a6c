// RabbitMQSource: jcustenborder's RabbitMQSourceConnector. Consumes from
// queues; each message becomes a record shaped as that connector's
// MessageConverter makes it, and is acknowledged (basic.ack) only once its
// record was delivered (commit_record).
#pragma once

#include "plugin/registry.h"

namespace connectrun::rabbitmq {

PluginInfo rabbitmq_source_plugin();

}  // namespace connectrun::rabbitmq
