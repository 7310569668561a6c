#include "kafka/topic_setup.h"

#include <algorithm>
#include <thread>

namespace connectrun {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

int request_ms(Clock::time_point deadline) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return static_cast<int>(std::clamp<int64_t>(ms, 0, 5000));
}

std::chrono::milliseconds start_bound(const std::vector<std::pair<std::string, std::string>>& admin_settings) {
  for (auto& [k, v] : admin_settings)
    if (k == "socket.timeout.ms") {
      try {
        return std::chrono::milliseconds(std::stol(v));
      } catch (const std::exception&) {
      }
    }
  return 60s;
}

Metadata wait_for_metadata(rd_kafka_t* rk, Clock::time_point deadline,
                           const std::function<void(const std::string&)>& waiting, std::string& error) {
  bool said = false;
  for (;;) {
    const rd_kafka_metadata_t* md = nullptr;
    auto err = rd_kafka_metadata(rk, 1, nullptr, &md, std::max(request_ms(deadline), 1));
    if (!err) return Metadata(md, rd_kafka_metadata_destroy);
    if (Clock::now() >= deadline) {
      error = rd_kafka_err2str(err);
      return Metadata(nullptr, rd_kafka_metadata_destroy);
    }
    if (!said && waiting) waiting(rd_kafka_err2str(err));
    said = true;
    std::this_thread::sleep_for(500ms);
  }
}

const rd_kafka_metadata_topic_t* find_topic(const rd_kafka_metadata_t* md, const std::string& topic) {
  for (int i = 0; i < md->topic_cnt; ++i)
    if (topic == md->topics[i].topic && md->topics[i].err == RD_KAFKA_RESP_ERR_NO_ERROR) return &md->topics[i];
  return nullptr;
}

CreateOutcome create_topic(rd_kafka_t* rk, const NewTopic& topic, std::chrono::milliseconds timeout, std::string& error) {
  char err[512];
  std::unique_ptr<rd_kafka_NewTopic_t, RdKafkaDeleter> nt(
      rd_kafka_NewTopic_new(topic.name.c_str(), topic.partitions, topic.replication, err, sizeof err));
  if (!nt) {
    error = err;
    return CreateOutcome::Failed;
  }
  for (auto& [k, v] : topic.configs) rd_kafka_NewTopic_set_config(nt.get(), k.c_str(), v.c_str());
  std::unique_ptr<rd_kafka_queue_t, RdKafkaDeleter> q(rd_kafka_queue_new(rk));
  std::unique_ptr<rd_kafka_AdminOptions_t, RdKafkaDeleter> ao(rd_kafka_AdminOptions_new(rk, RD_KAFKA_ADMIN_OP_CREATETOPICS));
  const int ms = static_cast<int>(timeout.count());
  rd_kafka_AdminOptions_set_request_timeout(ao.get(), ms, err, sizeof err);
  rd_kafka_NewTopic_t* nts[] = {nt.get()};
  rd_kafka_CreateTopics(rk, nts, 1, ao.get(), q.get());
  std::unique_ptr<rd_kafka_event_t, RdKafkaDeleter> ev(rd_kafka_queue_poll(q.get(), ms + 5000));
  if (!ev) {
    error = "no answer";
    return CreateOutcome::Failed;
  }
  if (rd_kafka_event_error(ev.get())) {
    error = rd_kafka_event_error_string(ev.get());
    return CreateOutcome::Failed;
  }
  size_t n = 0;
  const rd_kafka_CreateTopics_result_t* res = rd_kafka_event_CreateTopics_result(ev.get());
  const rd_kafka_topic_result_t** results = res ? rd_kafka_CreateTopics_result_topics(res, &n) : nullptr;
  auto code = n == 1 ? rd_kafka_topic_result_error(results[0]) : RD_KAFKA_RESP_ERR__FAIL;
  if (code == RD_KAFKA_RESP_ERR_NO_ERROR) return CreateOutcome::Created;
  if (code == RD_KAFKA_RESP_ERR_TOPIC_ALREADY_EXISTS) return CreateOutcome::Exists;  // another worker created it meanwhile
  if (code == RD_KAFKA_RESP_ERR_INVALID_REPLICATION_FACTOR) return CreateOutcome::TooFewBrokers;
  error = n == 1 && rd_kafka_topic_result_error_string(results[0]) ? rd_kafka_topic_result_error_string(results[0])
                                                                    : rd_kafka_err2str(code);
  return CreateOutcome::Failed;
}

}  // namespace connectrun
