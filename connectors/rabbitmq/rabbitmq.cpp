#include "connectors/rabbitmq/rabbitmq.h"

#include "connectors/rabbitmq/rabbitmq_sink.h"
#include "connectors/rabbitmq/rabbitmq_source.h"

namespace connectrun::rabbitmq {

void register_family(PluginRegistry& registry) {
  registry.add(rabbitmq_source_plugin());
  registry.add(rabbitmq_sink_plugin());
}

}  // namespace connectrun::rabbitmq
