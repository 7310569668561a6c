// Tells a Kafka client that no broker of bootstrap.servers has answered: after
// socket.connection.setup.timeout.ms (librdkafka's default, 30 s) without the
// cluster's metadata it logs one warning naming the address, and with --once
// it gives up (the run then ends with exit 1 instead of waiting for ever).
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "kafka/rdkafka_handles.h"

namespace spdlog { class logger; }

namespace connectrun {

class BrokerWatch {
 public:
  using Clock = std::chrono::steady_clock;
  // `settings`: the client's effective keys (bootstrap.servers, socket.connection.setup.timeout.ms).
  BrokerWatch(const std::vector<std::pair<std::string, std::string>>& settings, bool once);

  // Called from the client's own loop; cheap (looks at most every 200 ms).
  // Returns true once the client should give up (--once only): no broker was
  // reached within the bound.
  bool check(rd_kafka_t* rk, spdlog::logger& log);
  bool gave_up() const { return gave_up_; }
  // "no Kafka broker reachable at 127.0.0.1:9 within 30 s (socket.connection.setup.timeout.ms)"
  std::string reason() const;

 private:
  std::string bootstrap_;
  std::chrono::milliseconds bound_{30000};
  bool once_;
  Clock::time_point start_ = Clock::now(), next_look_ = start_;
  bool reached_ = false, warned_ = false, gave_up_ = false;
};

}  // namespace connectrun
