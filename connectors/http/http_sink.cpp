#include "connectors/http/http_sink.h"

#include <deque>
#include <map>
#include <memory>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "connectors/common/batcher.h"
#include "connectors/http/http_sender.h"
#include "connectors/http/http_sink_config.h"
#include "json/json_writer.h"

namespace connectrun::http {

namespace {

// Where a record sat on the bus: enough to acknowledge it, and to hand it to
// the errant record reporter (which finds the original by these coordinates).
struct Coord {
  uint32_t topic;  // index in HttpSinkTask::topics_
  int32_t partition;
  int64_t offset;
};

// One request's body and the records in it.
struct Batch {
  std::string body;
  std::vector<Coord> coords;
};

// The request body text of a record value, as Aiven's RecordValueConverter:
// a string as it is, a struct (and here also a map, an array, a number or a
// boolean) as compact JSON; bytes as they are.
void append_value(std::string& out, const Value& v) {
  if (auto* s = v.get_if<std::string>()) out += *s;
  else if (auto* b = v.get_if<Bytes>()) out += b->data;
  else append_schemaless_json(out, v);
}

class HttpSinkTask : public SinkTask {
 public:
  void configure(const config::ConfigValues& cfg) override {
    config_ = HttpSinkConfig::from(cfg);
    state_.emplace(common::BatchLimits{.max_records = config_.batching ? config_.batch_max_size : 1,
                                       .max_bytes = config_.batch_max_bytes,
                                       .linger = config_.batch_linger});
  }

  void start(SinkTaskContext& ctx) override {
    ctx_ = &ctx;
    sender_ = std::make_unique<HttpSender>(config_, ctx);
  }

  // Only buffers: sending happens in pre_commit/flush, which the engine
  // retries as a whole, so a retried put never buffers a record twice.
  void put(std::vector<Record>& batch) override {
    const auto now = common::BatchState::Clock::now();
    for (auto& r : batch) {
      if (r.value.is_null()) {
        ctx_->report(r, DataException("the record value is null (a tombstone): HttpSink sends values only"));
        continue;
      }
      scratch_.clear();
      append_value(scratch_, r.value);
      const size_t bytes = scratch_.size();
      if (!state_->fits(bytes)) close_open();
      if (config_.batching) open_.body += open_.coords.empty() ? config_.batch_prefix : config_.batch_separator;
      open_.body += scratch_;
      open_.coords.push_back(Coord{topic_index(r.topic), r.partition.value_or(0), r.bus_offset});
      state_->added(bytes, now);
      if (state_->full()) close_open();
    }
  }

  void flush() override {
    close_open();
    send_ready();
  }

  TopicPartitionOffsets pre_commit(const TopicPartitionOffsets& current) override {
    // A batch lingers only in a continuous run: at the end of a --once run,
    // or when the task is asked to stop, it goes now rather than being read again.
    if (!open_.coords.empty() && (state_->due(common::BatchState::Clock::now()) || ctx_->stop_requested() ||
                                  ctx_->stop_at_end_of_data))
      close_open();
    send_ready();
    if (open_.coords.empty()) return current;
    // Held back by a lingering batch: each partition up to its first record there.
    TopicPartitionOffsets out = current;
    std::map<std::pair<uint32_t, int32_t>, int64_t> first;
    for (auto& c : open_.coords) first.try_emplace({c.topic, c.partition}, c.offset);
    for (auto& [key, offset] : first) {
      auto it = out.find(TopicPartition{topics_[key.first], key.second});
      if (it == out.end()) continue;
      if (offset < 0) out.erase(it);  // no bus offset: keep the partition's last commit
      else it->second = std::min(it->second, offset);
    }
    return out;
  }

  void stop() override {
    if (ctx_ && requests_ > 0)
      ctx_->log->info("sent {} requests ({} records) to {}", requests_, records_, config_.url);
  }

 private:
  uint32_t topic_index(const std::string& topic) {
    if (last_topic_ < topics_.size() && topics_[last_topic_] == topic) return last_topic_;
    for (uint32_t i = 0; i < topics_.size(); ++i)
      if (topics_[i] == topic) return last_topic_ = i;
    topics_.push_back(topic);
    return last_topic_ = static_cast<uint32_t>(topics_.size() - 1);
  }

  void close_open() {
    if (open_.coords.empty()) return;
    if (config_.batching) open_.body += config_.batch_suffix;
    ready_.push_back(std::move(open_));
    open_ = Batch{};
    state_->clear();
  }

  // Sends the closed batches in order. A batch leaves the queue only once a
  // 2xx came back or its records went to the error policy; when sending
  // throws, it stays for the engine's retry.
  void send_ready() {
    while (!ready_.empty()) {
      Batch& b = ready_.front();
      if (auto rejected = sender_->send(b.body)) report(b, *rejected);
      ++requests_;
      records_ += b.coords.size();
      ready_.pop_front();
    }
  }

  // A 4xx: every record of the batch goes to the error policy (the dead
  // letter queue under errors.tolerance=all; a failure under none).
  void report(const Batch& b, const Rejection& rejected) {
    std::string body = rejected.body.substr(0, 1000);
    const ConnectError error(fmt::format("POST {} answered HTTP {} for a batch of {} record(s); response body: {}",
                                         config_.url, rejected.status, b.coords.size(), body));
    ctx_->log->warn("{}", error.what());
    for (auto& c : b.coords) {
      Record r;
      r.topic = topics_[c.topic];
      r.partition = c.partition;
      r.bus_offset = c.offset;
      r.is_source = false;
      ctx_->report(r, error);
    }
  }

  HttpSinkConfig config_;
  std::optional<common::BatchState> state_;
  SinkTaskContext* ctx_ = nullptr;
  std::unique_ptr<HttpSender> sender_;
  Batch open_;
  std::deque<Batch> ready_;
  std::string scratch_;
  std::vector<std::string> topics_;
  uint32_t last_topic_ = 0;
  uint64_t requests_ = 0, records_ = 0;
};

}  // namespace

PluginInfo http_sink_plugin() {
  PluginInfo p;
  p.name = "HttpSink";
  p.aliases = {"io.aiven.kafka.connect.http.HttpSinkConnector", "HttpSinkConnector"};
  p.kind = PluginKind::Sink;
  p.summary = "POSTs record values to an HTTP(S) URL, one per request or batched (Aiven's HTTP sink).";
  p.description =
      "Each request is a POST to http.url. Its body is the record value (a string as it is, bytes as they are, "
      "anything else as compact JSON); with batching.enabled, batch.prefix, the values joined by batch.separator, "
      "and batch.suffix. Connections are kept open and reused (HTTP/1.1 keep-alive, HTTP/2 over TLS where the "
      "server offers it). Connection errors, timeouts, 408, 429 and 5xx are retried max.retries times with "
      "exponential backoff and full jitter, or after the server's Retry-After; then the engine's "
      "errors.retry.timeout applies. Other 4xx answers send the batch's records to the error policy "
      "(errors.tolerance: the dead letter queue, or a failure). A record counts as delivered only once a 2xx "
      "answered its request. Null values (tombstones) go to the error policy.";
  define_http_sink_keys(p.spec);
  p.make_sink = [] { return std::make_unique<HttpSinkTask>(); };
  return p;
}

}  // namespace connectrun::http
