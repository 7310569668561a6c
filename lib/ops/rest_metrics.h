// The Prometheus text of GET /metrics (exposition format 0.0.4): connectors'
// counters and states, the process's standard metrics, the build, and the bus
// clients' statistics. Every series (name and labels) appears once.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/herder.h"

namespace connectrun::rest {

// `librdkafka_version` labels connectrun_build_info (the REST module does not link librdkafka).
std::string metrics_text(const std::vector<ConnectorSnapshot>& all, double offset_flush_age_seconds,
                         const std::vector<std::pair<std::string, double>>& client_metrics,
                         std::string_view librdkafka_version);

// process_cpu_seconds_total, process_resident_memory_bytes,
// process_start_time_seconds, process_open_fds (from /proc/self, as
// Prometheus's client libraries give them); nothing for what cannot be read.
std::string process_metrics_text();

}  // namespace connectrun::rest
