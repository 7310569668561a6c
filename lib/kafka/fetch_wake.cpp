#include "kafka/fetch_wake.h"

#include <cstdlib>
#include <string>

namespace connectrun {

namespace {
// A numeric property of `conf`, or `fallback` when unreadable.
uint64_t conf_number(const rd_kafka_conf_t* conf, const char* name, uint64_t fallback) {
  char buf[64];
  size_t size = sizeof buf;
  if (rd_kafka_conf_get(conf, name, buf, &size) != RD_KAFKA_CONF_OK) return fallback;
  char* end = nullptr;
  unsigned long long v = std::strtoull(buf, &end, 10);
  return end != buf ? v : fallback;
}
}  // namespace

void FetchWake::read_thresholds(const rd_kafka_conf_t* conf) {
  min_messages_ = conf_number(conf, "queued.min.messages", min_messages_);
  max_bytes_ = conf_number(conf, "queued.max.messages.kbytes", max_bytes_ / 1024) * 1024;
}

void FetchWake::attach(rd_kafka_t* rk) {
  rk_ = rk;
  queue_.reset(rd_kafka_queue_get_consumer(rk));
}

bool FetchWake::check() {
  if (!queue_) return false;
  const uint64_t queued = rd_kafka_queue_length(queue_.get());
  // The queue counts messages, not bytes: its bytes are estimated at the mean size taken so far.
  const uint64_t mean = taken_messages_ ? taken_bytes_ / taken_messages_ : 0;
  const uint64_t bytes = queued * mean;
  // Seen between polls, the queue may have been at a threshold when the fetcher looked, and has
  // been drained by up to a poll's batch since: half of one counts.
  if (queued >= min_messages_ / 2 || bytes >= max_bytes_ / 2) {
    held_ = true;
    return false;
  }
  // A quarter left: room to take while the fetch goes out, and one wake a fill.
  if (!held_ || queued > min_messages_ / 4 || bytes > max_bytes_ / 4) return false;
  held_ = false;
  wake();
  return true;
}

void FetchWake::wake() {
  rd_kafka_topic_partition_list_t* parts = nullptr;
  if (rd_kafka_assignment(rk_, &parts) != RD_KAFKA_RESP_ERR_NO_ERROR || !parts) return;
  RdPartitions list(parts);
  if (list->cnt == 0) return;
  for (int i = 0; i < list->cnt; ++i) list->elems[i].offset = RD_KAFKA_OFFSET_END;  // the latest offset
  // The request is sent before this waits; the wait is bounded so that a slow
  // broker holds the sink up no longer than its own fetch would have slept.
  rd_kafka_offsets_for_times(rk_, list.get(), 200);
  ++wakes_;
}

}  // namespace connectrun
