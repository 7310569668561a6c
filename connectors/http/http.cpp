#include "connectors/http/http.h"

#include "connectors/http/http_sink.h"

namespace connectrun::http {

void register_family(PluginRegistry& registry) { registry.add(http_sink_plugin()); }

}  // namespace connectrun::http
