#include "connectors/mqtt/mqtt_source.h"

#include <deque>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "connectors/mqtt/mqtt_client.h"
#include "connectors/mqtt/mqtt_subscriber.h"
#include "json/json_writer.h"
#include "plugin/retry.h"
#include "plugin/topic_name.h"

namespace connectrun::mqtt {

namespace {

using config::ConfigValue;
using config::KeyType;
using namespace std::chrono_literals;

// Most records one poll returns.
constexpr size_t kMaxBatch = 2048;
// --once: the subscriptions are drained when no message came for this long
// after the broker confirmed them (retained messages come right after that).
constexpr auto kOnceIdle = 1000ms;
// stop(): how long to wait for the PUBRELs of QoS 2 messages already PUBREC'd.
constexpr auto kReleaseWait = 1000ms;

// A record polled and not committed yet: what acknowledges its message.
struct PendingAck {
  uint64_t generation;  // the connection it came on; acks never go to a later one
  uint16_t packet_id;
  int qos;
};

class MqttSourceTask : public SourceTask {
 public:
  void configure(const config::ConfigValues& cfg) override {
    settings_ = connection_settings(cfg);
    topic_ = cfg.get_string("kafka.topic");
    if (auto p = topic_name_problem(topic_)) throw config::ConfigError("kafka.topic", *p);
    filters_ = cfg.get_list("mqtt.topics");
    if (filters_.empty()) throw config::ConfigError("mqtt.topics", "names no topic: give at least one topic filter");
    for (const auto& f : filters_)
      if (mosquitto_sub_topic_check(f.c_str()) != MOSQ_ERR_SUCCESS)
        throw config::ConfigError("mqtt.topics", fmt::format("'{}' is not a valid MQTT topic filter ('+' and '#' "
                                                             "stand alone between '/', '#' only last)", f));
    max_bytes_ = static_cast<size_t>(cfg.get_long("mqtt.max.message.bytes"));
  }

  void start(SourceTaskContext& ctx) override {
    ctx_ = &ctx;
    if (settings_.client_id.empty()) settings_.client_id = "connectrun-" + ctx.connector_name;
    ctx.retry(fmt::format("connect to {}", settings_.servers.front().uri), [&] { open(); });
    last_message_ = std::chrono::steady_clock::now();
  }

  bool wants_commit_record() const override { return true; }

  // Kafka's MQTT source shapes: partition {"mqtt.server.uri": U}, offset
  // {"messageId": N}. Informative only (MQTT has no position to resume
  // from), so only `offsets set` asks.
  std::optional<std::string> check_offset(const Value& partition, const Value& offset) const override {
    const Value* uri = partition.find("mqtt.server.uri");
    if (!partition.is<MapEntries>() || partition.as<MapEntries>().size() != 1 || !uri || !uri->is<std::string>())
      return fmt::format("a partition is {{\"mqtt.server.uri\":\"URI\"}} (one of mqtt.server.uri), got {}",
                         to_schemaless_json(partition));
    bool mine = false;
    for (const auto& server : settings_.servers) mine = mine || server.uri == uri->as<std::string>();
    if (!mine)
      return fmt::format("an offset for '{}' would never be used: it is not one of mqtt.server.uri",
                         uri->as<std::string>());
    const Value* id = offset.find("messageId");
    if (!offset.is<MapEntries>() || offset.as<MapEntries>().size() != 1 || !id)
      return fmt::format("an offset is {{\"messageId\":N}} (N: an MQTT packet id, 0..65535), got {}",
                         to_schemaless_json(offset));
    if (!id->is<int64_t>() || id->as<int64_t>() < 0 || id->as<int64_t>() > 65535)
      return fmt::format("\"messageId\" must be an MQTT packet id (0..65535), got {}", to_schemaless_json(*id));
    return std::nullopt;
  }

  PollStatus poll(std::vector<Record>& out, std::chrono::milliseconds max_wait) override {
    if (!sub_) reconnect();
    std::vector<Incoming> batch;
    try {
      sub_->receive(batch, kMaxBatch, Subscriber::Clock::now() + std::min<std::chrono::milliseconds>(max_wait, 1000ms));
    } catch (const ConnectError& e) {
      lost(e);  // what came before the loss is still delivered; its acks are dropped (redelivered instead)
    }
    const auto now = std::chrono::steady_clock::now();
    if (batch.empty()) {
      if (ctx_->stop_at_end_of_data && sub_ && now - last_message_ >= kOnceIdle) return PollStatus::Exhausted;
      return PollStatus::Ok;
    }
    last_message_ = now;
    const int64_t wall = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch()).count();
    for (auto& m : batch) {
      Record& r = out.emplace_back();
      r.topic = topic_;
      r.source_partition = partition_;
      r.source_offset = Value(MapEntries{{Value("messageId"), Value(int64_t{m.packet_id})}});
      if (m.payload.size() > max_bytes_) {
        // The error policy decides (it throws when not tolerated): skipped, it is acknowledged at once, as
        // MQTT has no way to refuse a message.
        ctx_->report_error(fmt::format("mqtt topic {} message id {}", m.topic, m.packet_id),
                           ConnectError(fmt::format("its payload of {} bytes is larger than mqtt.max.message.bytes "
                                                    "({})", m.payload.size(), max_bytes_)));
        r.offset_only = true;
        if (sub_) sub_->ack(m.packet_id, m.qos);
        continue;
      }
      pending_.push_back({generation_, m.packet_id, m.qos});
      r.key_schema = key_schema_;
      r.key = Value(std::move(m.topic));
      r.value_schema = value_schema_;
      r.value = Value(Bytes{std::move(m.payload)});
      r.timestamp = wall;
    }
    return PollStatus::Ok;
  }

  // The record was delivered (or dropped under the error policy): now its message is acknowledged.
  void commit_record(const Record&, const RecordMetadata*) override {
    if (pending_.empty()) return;
    const PendingAck a = pending_.front();
    pending_.pop_front();
    if (sub_ && a.generation == generation_) sub_->ack(a.packet_id, a.qos);
  }

  void commit() override { send_acks(); }

  void stop() override {
    if (!sub_) return;
    try {
      sub_->flush();
      // QoS 2: answer the PUBRELs of what was just PUBREC'd, so the broker can forget them.
      const auto until = Subscriber::Clock::now() + kReleaseWait;
      std::vector<Incoming> ignored;  // not acknowledged: the persistent session keeps them
      while (sub_->pending_releases() > 0 && Subscriber::Clock::now() < until)
        sub_->receive(ignored, 1, until);
    } catch (const ConnectError& e) {
      ctx_->log->warn("closing the connection to {}: {}", where_, e.what());
    }
    sub_.reset();
  }

 private:
  void open() {
    std::string failures;
    for (const auto& server : settings_.servers) {
      SubscriberOptions o;
      o.host = server.host;
      o.port = server.port;
      o.uri = server.uri;
      o.tls = server.tls ? &tls_ : nullptr;
      o.client_id = settings_.client_id;
      o.username = settings_.username;
      o.password = settings_.password;
      o.clean_session = settings_.clean_session;
      o.keepalive_seconds = settings_.keepalive_seconds;
      o.connect_timeout = settings_.connect_timeout;
      o.filters = filters_;
      o.qos = settings_.qos;
      tls_ = {settings_.ca_file, settings_.cert_file, settings_.key_file, settings_.verify_peer,
              settings_.verify_hostname};
      try {
        sub_ = std::make_unique<Subscriber>(o);
      } catch (const ConnectError& e) {
        if (!e.retriable()) throw;
        failures += (failures.empty() ? "" : "; ") + std::string(e.what());
        continue;
      }
      ++generation_;
      where_ = server.uri;
      partition_ = std::make_shared<const Value>(MapEntries{{Value("mqtt.server.uri"), Value(server.uri)}});
      ctx_->log->info("connected to {}:{} ({}); subscribed to {} with QoS {} ({}session{})", server.host, server.port,
                      server.uri, fmt::join(filters_, ", "), settings_.qos,
                      settings_.clean_session ? "clean " : "persistent ",
                      sub_->session_present() ? ", resumed" : "");
      return;
    }
    throw ConnectError(failures, true);
  }

  void lost(const ConnectError& e) {
    if (!e.retriable()) throw e;
    ctx_->log->warn("lost the connection to {} ({}); reconnecting", where_, e.what());
    sub_.reset();
  }

  void reconnect() {
    RetryPolicy p = ctx_->retry_policy;
    if (!p.retries()) p.timeout = std::chrono::milliseconds(-1);  // a lost connection is retried until stopped
    p.initial_delay = 1000ms;
    p.max_delay = 30000ms;
    connectrun::retry(p, fmt::format("reconnect to {}", where_), [&] { open(); }, ctx_->stopping, ctx_->log.get());
    ctx_->log->info("reconnected to {}", where_);
  }

  void send_acks() {
    if (!sub_) return;
    try {
      sub_->flush();
    } catch (const ConnectError& e) {
      lost(e);
    }
  }

  MqttSettings settings_;
  TlsOptions tls_;
  std::string topic_, where_;
  std::vector<std::string> filters_;
  size_t max_bytes_ = 0;
  SourceTaskContext* ctx_ = nullptr;
  const SchemaPtr key_schema_ = schemas::string();
  const SchemaPtr value_schema_ = schemas::bytes();
  std::shared_ptr<const Value> partition_;
  std::chrono::steady_clock::time_point last_message_;
  std::deque<PendingAck> pending_;  // polled records not committed yet, in poll order
  uint64_t generation_ = 0;          // counts connections
  std::unique_ptr<Subscriber> sub_;
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
      "offset {\"messageId\": N} (informative: MQTT has no position to resume from). A QoS 1/2 message is "
      "acknowledged (PUBACK/PUBREC) only after its record was delivered, by connectrun's own MQTT 3.1.1 client: "
      "with mqtt.clean.session.enabled=false the broker sends what was not delivered again after a crash. A "
      "message larger than mqtt.max.message.bytes goes to the error policy (errors.tolerance). A lost connection "
      "is reopened with backoff (1 s doubling to 30 s) and the topics subscribed again. With --once the task is "
      "exhausted when no message came for 1 second.";
  define_connection_keys(p.spec);
  p.spec.define({.name = "mqtt.topics", .type = KeyType::List, .default_value = std::nullopt,
                 .doc = "The MQTT topic filters to subscribe to (+ and # wildcards allowed)."});
  p.spec.define({.name = "kafka.topic", .type = KeyType::String, .default_value = std::nullopt,
                 .doc = "The Kafka topic to write the messages to."});
  p.make_source = [] { return std::make_unique<MqttSourceTask>(); };
  return p;
}

}  // namespace connectrun::mqtt
