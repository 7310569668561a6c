#include "kafka/broker_watch.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace connectrun {

BrokerWatch::BrokerWatch(const std::vector<std::pair<std::string, std::string>>& settings, bool once) : once_(once) {
  for (auto& [k, v] : settings) {
    if (k == "bootstrap.servers") bootstrap_ = v;
    if (k == "socket.connection.setup.timeout.ms") {
      try {
        bound_ = std::chrono::milliseconds(std::stol(v));
      } catch (const std::exception&) {
      }  // librdkafka refused it at validate time already
    }
  }
}

std::string BrokerWatch::reason() const {
  return fmt::format("no Kafka broker reachable at {} within {} s (socket.connection.setup.timeout.ms)", bootstrap_,
                     std::chrono::duration<double>(bound_).count());
}

bool BrokerWatch::check(rd_kafka_t* rk, spdlog::logger& log) {
  if (reached_ || gave_up_) return gave_up_;
  auto now = Clock::now();
  if (now < next_look_) return false;
  next_look_ = now + std::chrono::milliseconds(200);
  // The cluster id comes with the first metadata answer: some broker answered.
  // With a timeout of 0 only the cached value is read.
  if (char* id = rd_kafka_clusterid(rk, 0)) {
    rd_kafka_mem_free(rk, id);
    reached_ = true;
    if (warned_) log.info("Kafka broker reachable at {} now", bootstrap_);
    return false;
  }
  if (now - start_ < bound_) return false;
  if (once_) {
    gave_up_ = true;
    log.error("{}; --once gives up: what was read is not delivered and is read again next run", reason());
  } else if (!warned_) {
    log.warn("{}; records wait until one answers (is bootstrap.servers right, is the broker up?)", reason());
  }
  warned_ = true;
  return gave_up_;
}

}  // namespace connectrun
