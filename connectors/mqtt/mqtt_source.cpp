#include "connectors/mqtt/mqtt_source.h"

#include <condition_variable>
#include <deque>
#include <mutex>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "connectors/mqtt/mqtt_client.h"
#include "plugin/topic_name.h"

namespace connectrun::mqtt {

namespace {

using config::ConfigValue;
using config::KeyType;
using namespace std::chrono_literals;

// Most records one poll returns.
constexpr size_t kMaxBatch = 2048;
// Messages received and not yet polled; at this many the network thread waits
// (so the broker's flow control holds the rest back).
constexpr size_t kMaxBuffered = 10000;
// --once: the subscriptions are drained when no message came for this long
// after the broker confirmed them (retained messages come right after that).
constexpr auto kOnceIdle = 1000ms;

struct Message {
  std::string topic, payload;
  int mid = 0;
};

class MqttSourceTask : public SourceTask {
 public:
  void configure(const config::ConfigValues& cfg) override {
    settings_ = connection_settings(cfg);
    topic_ = cfg.get_string("kafka.topic");
    if (auto p = topic_name_problem(topic_)) throw config::ConfigError("kafka.topic", *p);
    filters_ = cfg.get_list("mqtt.topics");
    if (filters_.empty()) throw config::ConfigError("mqtt.topics", "names no topic: give at least one topic filter");
    for (const auto& f : filters_) {
      bool valid = false;
      if (mosquitto_sub_topic_check(f.c_str()) == MOSQ_ERR_SUCCESS) valid = true;
      if (!valid)
        throw config::ConfigError("mqtt.topics", fmt::format("'{}' is not a valid MQTT topic filter ('+' and '#' "
                                                             "stand alone between '/', '#' only last)", f));
    }
  }

  void start(SourceTaskContext& ctx) override {
    ctx_ = &ctx;
    if (settings_.client_id.empty()) settings_.client_id = "connectrun-" + ctx.connector_name;
    if (settings_.qos >= 1 && !settings_.clean_session)
      ctx.log->warn("messages are acknowledged on receipt by libmosquitto 2.0; a crash between receipt and delivery "
                    "loses them (see docs/connectors/mqtt.md)");
    ctx.retry(fmt::format("connect to {}", settings_.servers.front().uri), [&] { open(); });
    last_message_ = std::chrono::steady_clock::now();
  }

  PollStatus poll(std::vector<Record>& out, std::chrono::milliseconds max_wait) override {
    std::deque<Message> taken;
    bool subscribed;
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::min<std::chrono::milliseconds>(max_wait, 1000ms),
                   [&] { return !buffer_.empty() || ctx_->stop_requested(); });
      while (!buffer_.empty() && taken.size() < kMaxBatch) {
        taken.push_back(std::move(buffer_.front()));
        buffer_.pop_front();
      }
      subscribed = subscribed_;
    }
    cv_.notify_all();  // room in the buffer again
    const auto now = std::chrono::steady_clock::now();
    if (taken.empty()) {
      if (ctx_->stop_at_end_of_data && subscribed && now - last_message_ >= kOnceIdle) return PollStatus::Exhausted;
      return PollStatus::Ok;
    }
    last_message_ = now;
    const int64_t wall = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch()).count();
    for (auto& m : taken) {
      Record& r = out.emplace_back();
      r.topic = topic_;
      r.source_partition = partition_;
      r.source_offset = Value(MapEntries{{Value("messageId"), Value(int64_t{m.mid})}});
      r.key_schema = key_schema_;
      r.key = Value(std::move(m.topic));
      r.value_schema = value_schema_;
      r.value = Value(Bytes{std::move(m.payload)});
      r.timestamp = wall;
    }
    return PollStatus::Ok;
  }

  void stop() override {
    {
      std::lock_guard lock(mu_);
      closing_ = true;
    }
    cv_.notify_all();
    client_.reset();
  }

 private:
  void open() {
    MqttClient::Hooks hooks;
    hooks.on_connected = [this](mosquitto* m) {
      for (const auto& f : filters_) {
        int rc = mosquitto_subscribe(m, nullptr, f.c_str(), settings_.qos);
        if (rc != MOSQ_ERR_SUCCESS) ctx_->log->error("cannot subscribe to '{}': {}", f, mosquitto_strerror(rc));
      }
    };
    hooks.on_message = [this](const mosquitto_message& msg) {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [&] { return buffer_.size() < kMaxBuffered || closing_; });
      if (closing_) return;
      buffer_.push_back({msg.topic, std::string(static_cast<const char*>(msg.payload),
                                                static_cast<size_t>(msg.payloadlen)), msg.mid});
      lock.unlock();
      cv_.notify_all();
    };
    client_.reset();
    auto client = std::make_unique<MqttClient>(settings_, std::move(hooks), ctx_->log);
    client->connect();
    client_ = std::move(client);
    {
      // SUBSCRIBE went out in on_connected before the broker sends anything
      // for it; what is retained arrives right after its SUBACK.
      std::lock_guard lock(mu_);
      subscribed_ = true;
    }
    partition_ = std::make_shared<const Value>(
        MapEntries{{Value("mqtt.server.uri"), Value(client_->where().substr(5))}});
    ctx_->log->info("subscribed to {} with QoS {} ({}session)", fmt::join(filters_, ", "), settings_.qos,
                    settings_.clean_session ? "clean " : "persistent ");
  }

  MqttSettings settings_;
  std::string topic_;
  std::vector<std::string> filters_;
  SourceTaskContext* ctx_ = nullptr;
  const SchemaPtr key_schema_ = schemas::string();
  const SchemaPtr value_schema_ = schemas::bytes();
  std::shared_ptr<const Value> partition_;
  std::chrono::steady_clock::time_point last_message_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Message> buffer_;  // received by the network thread, not polled yet
  bool subscribed_ = false, closing_ = false;
  std::unique_ptr<MqttClient> client_;  // last: destroyed (network thread stopped) first
};

}  // namespace

PluginInfo mqtt_source_plugin() {
  PluginInfo p;
  p.name = "MqttSource";
  p.aliases = {"io.confluent.connect.mqtt.MqttSourceConnector", "MqttSourceConnector"};
  p.kind = PluginKind::Source;
  p.summary = "Subscribes to MQTT topics into a topic (key: the MQTT topic; value: the payload bytes).";
  p.description =
      "Each MQTT message becomes one record: the key is its MQTT topic (schema STRING), the value its payload "
      "(schema BYTES), the timestamp the time it was read. The source partition is {\"mqtt.server.uri\": U}, the "
      "offset {\"messageId\": N} (informative: MQTT has no position to resume from). libmosquitto 2.0 acknowledges "
      "a QoS 1/2 message (PUBACK/PUBREC) on receipt, before its record is delivered: a crash in between loses "
      "it, even with mqtt.clean.session.enabled=false (docs/connectors/mqtt.md). A lost connection is reopened "
      "with backoff (1 s doubling to 30 s) and the topics subscribed again. With --once the task is exhausted when "
      "no message came for 1 second.";
  define_connection_keys(p.spec);
  p.spec.define({.name = "mqtt.topics", .type = KeyType::List, .default_value = std::nullopt,
                 .doc = "The MQTT topic filters to subscribe to (+ and # wildcards allowed)."});
  p.spec.define({.name = "kafka.topic", .type = KeyType::String, .default_value = std::nullopt,
                 .doc = "The Kafka topic to write the messages to."});
  p.make_source = [] { return std::make_unique<MqttSourceTask>(); };
  return p;
}

}  // namespace connectrun::mqtt
