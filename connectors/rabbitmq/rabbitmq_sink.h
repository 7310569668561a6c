// RabbitMQSink: jcustenborder's RabbitMQSinkConnector. Publishes each
// record's value to an exchange with publisher confirms and the mandatory
// flag; the records' positions are committed only once the broker confirmed them.
#pragma once

#include "plugin/registry.h"

namespace connectrun::rabbitmq {

PluginInfo rabbitmq_sink_plugin();

}  // namespace connectrun::rabbitmq
