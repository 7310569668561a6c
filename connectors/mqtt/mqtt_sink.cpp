#include "connectors/mqtt/mqtt_sink.h"

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "connectors/mqtt/mqtt_client.h"

namespace connectrun::mqtt {

namespace {

using config::ConfigValue;
using config::KeyType;

// How long a flush waits for the broker's PUBACK/PUBCOMP of everything
// published (libmosquitto resends unacknowledged messages after a reconnection).
constexpr auto kFlushTimeout = std::chrono::seconds(60);

class MqttSinkTask : public SinkTask {
 public:
  void configure(const config::ConfigValues& cfg) override {
    settings_ = connection_settings(cfg);
    topic_ = cfg.get_string("mqtt.topic");
    retain_ = cfg.get_bool("mqtt.retained.enabled");
    max_bytes_ = static_cast<size_t>(cfg.get_long("mqtt.max.message.bytes"));
    // With several servers a lost connection fails over to the first that answers, in the
    // order of mqtt.server.uri (as Paho, which Confluent's connector uses, does). The new
    // client has none of the old one's unacknowledged messages, so the sink keeps a copy
    // of each until it is acknowledged and publishes them again. With one server
    // libmosquitto reconnects by itself and resends them: no copies are needed.
    failover_ = settings_.servers.size() > 1;
  }

  void start(SinkTaskContext& ctx) override {
    ctx_ = &ctx;
    if (settings_.client_id.empty()) settings_.client_id = "connectrun-" + ctx.connector_name;
    ctx.retry(fmt::format("connect to {}", settings_.servers.front().uri), [&] { open_connection(); });
  }

  void put(std::vector<Record>& batch) override {
    if (lost_.load()) fail_over();
    for (Record& r : batch) {
      std::string topic = topic_;
      if (topic.empty()) {
        if (auto* k = r.key.get_if<std::string>()) topic = *k;
        else if (auto* kb = r.key.get_if<Bytes>()) topic = kb->data;
      }
      if (topic.empty()) {
        ctx_->report(r, ConnectError(fmt::format(
                            "topic '{}' partition {} offset {}: no MQTT topic: set mqtt.topic, or give the record a "
                            "string key naming it", r.topic, r.partition.value_or(0), r.bus_offset)));
        continue;
      }
      const std::string* payload = nullptr;
      static const std::string kEmpty;
      if (auto* b = r.value.get_if<Bytes>()) payload = &b->data;
      else if (auto* s = r.value.get_if<std::string>()) payload = s;
      else if (r.value.is_null()) payload = &kEmpty;  // empty payload: clears a retained message
      if (!payload) {
        ctx_->report(r, ConnectError(fmt::format(
                            "topic '{}' partition {} offset {}: the value is {}, but the MQTT sink publishes bytes or "
                            "strings: use value.converter ByteArrayConverter (or StringConverter)",
                            r.topic, r.partition.value_or(0), r.bus_offset, r.value.java_class())));
        continue;
      }
      if (payload->size() > max_bytes_) {
        ctx_->report(r, ConnectError(fmt::format("topic '{}' partition {} offset {}: the payload of {} bytes is larger "
                                                 "than mqtt.max.message.bytes ({})", r.topic,
                                                 r.partition.value_or(0), r.bus_offset, payload->size(), max_bytes_)));
        continue;
      }
      int mid = 0;
      int rc = mosquitto_publish(client_->handle(), &mid, topic.c_str(), static_cast<int>(payload->size()),
                                 payload->data(), settings_.qos, retain_);
      if (rc == MOSQ_ERR_NO_CONN && failover_) {
        fail_over();
        rc = mosquitto_publish(client_->handle(), &mid, topic.c_str(), static_cast<int>(payload->size()),
                               payload->data(), settings_.qos, retain_);
      }
      if (rc == MOSQ_ERR_PAYLOAD_SIZE || rc == MOSQ_ERR_INVAL || rc == MOSQ_ERR_MALFORMED_UTF8 ||
          rc == MOSQ_ERR_OVERSIZE_PACKET) {
        ctx_->report(r, ConnectError(fmt::format("topic '{}' partition {} offset {}: cannot publish to MQTT topic "
                                                 "'{}': {}", r.topic, r.partition.value_or(0), r.bus_offset, topic,
                                                 mosquitto_strerror(rc))));
        continue;
      }
      // MOSQ_ERR_NO_CONN: libmosquitto queued a QoS 1/2 message; it is sent after the
      // reconnection. A QoS 0 message is dropped: fail, so the record is written again.
      if (rc != MOSQ_ERR_SUCCESS && (rc != MOSQ_ERR_NO_CONN || settings_.qos == 0))
        throw ConnectError(fmt::format("{}: publish to '{}': {}", client_->where(), topic, mosquitto_strerror(rc)),
                           true);
      remember(mid, topic, *payload);
    }
  }

  // Every record put so far got its PUBACK/PUBCOMP when this returns (QoS 0:
  // was written to the socket); the default pre_commit then commits them.
  void flush() override {
    const auto deadline = std::chrono::steady_clock::now() + kFlushTimeout;
    std::unique_lock lock(mu_);
    for (;;) {
      if (!cv_.wait_until(lock, deadline,
                          [&] { return pending_.empty() || ctx_->stop_requested() || lost_.load(); }))
        throw ConnectError(fmt::format("{}: {} message(s) not acknowledged by the broker within {} s",
                                       client_->where(), pending_.size(), kFlushTimeout.count()),
                           true);
      if (!lost_.load() || pending_.empty() || ctx_->stop_requested()) break;
      lock.unlock();
      fail_over();
      lock.lock();
    }
    if (!pending_.empty())
      throw ConnectError(fmt::format("stopping with {} message(s) not acknowledged by {}", pending_.size(),
                                     client_->where()));
  }

  void stop() override { client_.reset(); }

 private:
  // Records a published message until its acknowledgement.
  void remember(int mid, const std::string& topic, const std::string& payload) {
    std::lock_guard lock(mu_);
    if (acked_early_.erase(mid)) return;
    pending_.insert(mid);
    if (failover_ && settings_.qos > 0) copies_.emplace(mid, Outgoing{topic, payload});
  }

  // After a lost connection (several servers): a new client on the first server that
  // answers, and every unacknowledged message published again (duplicates possible,
  // losses not). Retried until it succeeds or the job stops.
  void fail_over() {
    const std::string from = client_ ? client_->where() : std::string("mqtt");
    client_.reset();  // stops the old network thread: no callback of it runs after this
    std::map<int, Outgoing> again;
    {
      std::lock_guard lock(mu_);
      again.swap(copies_);
      pending_.clear();
      acked_early_.clear();
      lost_ = false;
    }
    RetryPolicy p = ctx_->retry_policy;
    if (!p.retries()) p.timeout = std::chrono::milliseconds(-1);  // a lost connection is retried until stopped
    p.initial_delay = std::chrono::milliseconds(1000);
    p.max_delay = std::chrono::milliseconds(30000);
    connectrun::retry(p, fmt::format("fail over from {}", from), [&] { open_connection(); }, ctx_->stopping, ctx_->log.get());
    if (!client_)  // asked to stop before any server answered
      throw ConnectError(fmt::format("stopping before a server of mqtt.server.uri answered; {} message(s) not "
                                     "acknowledged", again.size()));
    for (auto& [old_mid, o] : again) {
      int mid = 0;
      int rc = mosquitto_publish(client_->handle(), &mid, o.topic.c_str(), static_cast<int>(o.payload.size()),
                                 o.payload.data(), settings_.qos, retain_);
      if (rc != MOSQ_ERR_SUCCESS && rc != MOSQ_ERR_NO_CONN)
        throw ConnectError(fmt::format("{}: publish again to '{}': {}", client_->where(), o.topic,
                                       mosquitto_strerror(rc)), true);
      remember(mid, o.topic, o.payload);
    }
    ctx_->log->info("failed over from {} to {}; published {} unacknowledged message(s) again", from,
                    client_->where(), again.size());
  }

  void open_connection() {
    MqttClient::Hooks hooks;
    hooks.on_publish = [this](int mid) {
      {
        std::lock_guard lock(mu_);
        // The acknowledgement can come before put() recorded the id.
        if (!pending_.erase(mid)) acked_early_.insert(mid);
        else copies_.erase(mid);
      }
      cv_.notify_all();
    };
    if (failover_)
      hooks.on_lost = [this] {
        {
          std::lock_guard lock(mu_);  // with cv_'s predicate: a flush waiting sees it
          lost_ = true;
        }
        cv_.notify_all();
      };
    client_.reset();
    auto client = std::make_unique<MqttClient>(settings_, std::move(hooks), ctx_->log);
    client->connect();
    client_ = std::move(client);
    ctx_->log->info("publishing {} with QoS {}{}", topic_.empty() ? "to the topic named by each record's key"
                                                                   : fmt::format("to '{}'", topic_),
                    settings_.qos, retain_ ? ", retained" : "");
  }

  MqttSettings settings_;
  std::string topic_;
  bool retain_ = false;
  size_t max_bytes_ = 0;
  SinkTaskContext* ctx_ = nullptr;
  std::mutex mu_;
  std::condition_variable cv_;
  std::set<int> pending_;      // published, not acknowledged yet (message ids)
  std::set<int> acked_early_;  // acknowledged before put() recorded them
  struct Outgoing {
    std::string topic, payload;
  };
  bool failover_ = false;               // more than one server in mqtt.server.uri
  std::map<int, Outgoing> copies_;      // failover_ and QoS 1/2: pending messages, to publish again
  std::atomic<bool> lost_{false};       // failover_: the connection was lost; fail over at the next call
  std::unique_ptr<MqttClient> client_;  // last: destroyed (network thread stopped) first
};

}  // namespace

PluginInfo mqtt_sink_plugin() {
  PluginInfo p;
  p.name = "MqttSink";
  p.aliases = {"io.confluent.connect.mqtt.MqttSinkConnector", "MqttSinkConnector"};
  p.kind = PluginKind::Sink;
  p.summary = "Publishes record values to MQTT topics; committed once the broker acknowledged them (PUBACK/PUBCOMP).";
  p.description =
      "Each record's value (bytes, as ByteArrayConverter gives them, or a string, sent as UTF-8; null: an empty "
      "payload) is published with mqtt.qos to mqtt.topic, or, when mqtt.topic is blank, to the MQTT topic the "
      "record's key names (a string). A record's position is committed only after the broker acknowledged its "
      "message (PUBACK for QoS 1, PUBCOMP for QoS 2; QoS 0: once written). A record without a topic, a value that is "
      "neither bytes nor a string, or an invalid topic goes to errors.tolerance. With one server a lost connection "
      "is reopened by libmosquitto, which sends the unacknowledged messages again; with several, the sink fails "
      "over to the first of mqtt.server.uri that answers and publishes the unacknowledged messages again there.";
  define_connection_keys(p.spec);
  p.spec.define({.name = "mqtt.topic", .type = KeyType::String, .default_value = ConfigValue{std::string()},
                 .doc = "The MQTT topic to publish to; blank: the topic is each record's key (a string). "
                        "connectrun's key."});
  p.spec.define({.name = "mqtt.retained.enabled", .type = KeyType::Boolean, .default_value = ConfigValue{false},
                 .doc = "Publish retained messages: the broker keeps the last one of each topic for new subscribers."});
  p.make_sink = [] { return std::make_unique<MqttSinkTask>(); };
  return p;
}

}  // namespace connectrun::mqtt
