// FetchWake: a consumer's fetching started again as soon as its queue has room.
//
// librdkafka stops fetching a partition while the consumer's queue holds
// queued.min.messages messages (or queued.max.messages.kbytes), and a consumer
// that subscribes or assigns forwards every partition's queue to that one queue,
// so the check counts all partitions together. Once the sink has drained the
// queue, nothing wakes the broker's thread: it looks at its partitions again at
// its next timeout, up to a second later (librdkafka 2.0.2's fixed back-off;
// fetch.queue.backoff.ms from 2.1 on, 1,000 ms by default). On a backlog the
// sink then waits most of the time.
//
// Any request for a broker wakes its thread, which then sees room and fetches.
// So when the queue, once seen at half a threshold, has drained to a quarter,
// FetchWake asks the partitions' leaders for their end offsets (ListOffsets:
// read-only, one request per leader), and ignores the answer. Resuming the
// partitions would also wake them, but in librdkafka 2.0.2 a resume starts the
// partition's fetch again from where it was assigned.
#pragma once

#include <cstddef>
#include <cstdint>

#include "kafka/rdkafka_handles.h"

namespace connectrun {

class FetchWake {
 public:
  // The thresholds as set in `conf` (librdkafka's defaults unless the user set them).
  void read_thresholds(const rd_kafka_conf_t* conf);
  // The consumer's own queue, once the consumer is made.
  void attach(rd_kafka_t* rk);
  // One message taken from the queue: its size, for the bytes the queue holds.
  void taken(size_t bytes) {
    ++taken_messages_;
    taken_bytes_ += bytes;
  }
  // Before each poll: true when it sent a wake-up.
  bool check();

  size_t wakes() const { return wakes_; }
  rd_kafka_queue_t* queue() const { return queue_.get(); }

 private:
  void wake();

  rd_kafka_t* rk_ = nullptr;
  std::unique_ptr<rd_kafka_queue_t, RdKafkaDeleter> queue_;
  size_t min_messages_ = 100000;
  uint64_t max_bytes_ = uint64_t{65536} * 1024;
  uint64_t taken_messages_ = 0;
  uint64_t taken_bytes_ = 0;
  bool held_ = false;  // the queue was seen at a threshold: the fetchers may be asleep
  size_t wakes_ = 0;
};

}  // namespace connectrun
