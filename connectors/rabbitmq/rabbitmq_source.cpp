#include "connectors/rabbitmq/rabbitmq_source.h"

#include <deque>
#include <map>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "connectors/rabbitmq/amqp_connection.h"
#include "connectors/rabbitmq/amqp_message.h"
#include "json/json_writer.h"
#include "plugin/topic_name.h"

namespace connectrun::rabbitmq {

namespace {

using config::ConfigValue;
using config::KeyType;
using namespace std::chrono_literals;

// Most records one poll returns; a poll also returns once no message came
// for kBatchLinger after the first.
constexpr size_t kMaxBatch = 2048;
constexpr auto kBatchLinger = 20ms;
// --once: the queues are drained when they gave nothing for this long (or
// held no message at start).
constexpr auto kOnceIdle = 1000ms;
// Routing keys whose source partition is kept for reuse (records share it).
constexpr size_t kMaxPartitionCache = 1024;

struct Envelope {
  amqp_envelope_t e{};
  ~Envelope() { amqp_destroy_envelope(&e); }
};

class RabbitMQSourceTask : public SourceTask {
 public:
  void configure(const config::ConfigValues& cfg) override {
    settings_ = connection_settings(cfg);
    topic_ = cfg.get_string("kafka.topic");
    if (topic_.find("${") != std::string::npos)
      throw config::ConfigError("kafka.topic", "topic templates (${...}) are not supported by connectrun: name one "
                                               "topic, or route records with a transform such as RegexRouter");
    if (auto p = topic_name_problem(topic_)) throw config::ConfigError("kafka.topic", *p);
    queues_ = cfg.get_list("rabbitmq.queue");
    if (queues_.empty()) throw config::ConfigError("rabbitmq.queue", "names no queue: give at least one");
    prefetch_count_ = cfg.get_int("rabbitmq.prefetch.count");
    prefetch_global_ = cfg.get_bool("rabbitmq.prefetch.global");
  }

  void start(SourceTaskContext& ctx) override {
    ctx_ = &ctx;
    ctx.retry(fmt::format("connect to {}", settings_.where()), [&] { open(); });
    last_message_ = std::chrono::steady_clock::now();
  }

  bool wants_commit_record() const override { return true; }

  // The Java connector's shapes: partition {"routingKey": R}, offset
  // {"deliveryTag": N}. Informative only (the broker keeps the position), so
  // only `offsets set` asks.
  std::optional<std::string> check_offset(const Value& partition, const Value& offset) const override {
    const Value* key = partition.find("routingKey");
    if (!partition.is<MapEntries>() || partition.as<MapEntries>().size() != 1 || !key || !key->is<std::string>())
      return fmt::format("a partition is {{\"routingKey\":\"KEY\"}} (a message's routing key), got {}",
                         to_schemaless_json(partition));
    const Value* tag = offset.find("deliveryTag");
    if (!offset.is<MapEntries>() || offset.as<MapEntries>().size() != 1 || !tag)
      return fmt::format("an offset is {{\"deliveryTag\":N}} (N: an AMQP delivery tag), got {}",
                         to_schemaless_json(offset));
    if (!tag->is<int64_t>() || tag->as<int64_t>() < 0)
      return fmt::format("\"deliveryTag\" must be a whole number (0 or more), got {}", to_schemaless_json(*tag));
    return std::nullopt;
  }

  PollStatus poll(std::vector<Record>& out, std::chrono::milliseconds max_wait) override {
    send_acks();
    if (!conn_) recover("the connection was lost");
    try {
      consume(out, max_wait);
    } catch (const ConnectError& e) {
      if (!e.retriable()) throw;
      recover(e.what());
    }
    if (!out.empty()) return PollStatus::Ok;
    if (ctx_->stop_at_end_of_data &&
        (empty_at_start_ || std::chrono::steady_clock::now() - last_message_ >= kOnceIdle))
      return PollStatus::Exhausted;
    return PollStatus::Ok;
  }

  void commit_record(const Record& record, const RecordMetadata*) override {
    // Records come back in poll order, once each (offset_only ones never):
    // the front of in_flight_ is this record's delivery.
    if (in_flight_.empty()) return;
    const Delivery d = in_flight_.front();
    in_flight_.pop_front();
    const Value* tag = record.source_offset.find("deliveryTag");
    if (!tag || !tag->is<int64_t>() || static_cast<uint64_t>(tag->as<int64_t>()) != d.tag) {
      ctx_->log->error("commit_record out of step (delivery tag {} expected); not acknowledging", d.tag);
      return;
    }
    // A delivery of an earlier connection is back in its queue already (it
    // is delivered again: a duplicate, never a loss).
    if (d.generation == generation_ && conn_) ack_upto_ = d.tag;
  }

  void commit() override { send_acks(); }

  void stop() override {
    try {
      send_acks();
    } catch (const std::exception& e) {
      if (ctx_) ctx_->log->warn("acknowledging at stop: {}", e.what());
    }
    conn_.reset();  // unacknowledged deliveries go back to their queues
  }

 private:
  struct Delivery {
    uint64_t generation;
    uint64_t tag;
  };

  void open() {
    auto conn = std::make_unique<AmqpConnection>(settings_);
    amqp_connection_state_t s = conn->state();
    if (prefetch_count_ > 0 || prefetch_global_) {
      amqp_basic_qos(s, AmqpConnection::kChannel, 0, static_cast<uint16_t>(std::min(prefetch_count_, 65535)),
                     prefetch_global_);
      conn->check(amqp_get_rpc_reply(s), "set rabbitmq.prefetch.count");
    }
    uint64_t waiting = 0;
    std::map<std::string, std::string> tags;
    for (const auto& q : queues_) {
      const std::string what = fmt::format("consume from queue '{}' (rabbitmq.queue)", q);
      if (ctx_->stop_at_end_of_data) {
        // Passive: only asks whether it exists and how many messages wait.
        auto* ok = amqp_queue_declare(s, AmqpConnection::kChannel, amqp_cstring_bytes(q.c_str()), 1, 0, 0, 0,
                                      amqp_empty_table);
        conn->check(amqp_get_rpc_reply(s), what);
        waiting += ok->message_count;
      }
      auto* ok = amqp_basic_consume(s, AmqpConnection::kChannel, amqp_cstring_bytes(q.c_str()), amqp_empty_bytes, 0,
                                    /*no_ack=*/0, 0, amqp_empty_table);
      conn->check(amqp_get_rpc_reply(s), what);
      tags[to_string(ok->consumer_tag)] = q;
    }
    conn_ = std::move(conn);
    consumer_queues_ = std::move(tags);
    ++generation_;
    ack_upto_ = 0;
    if (ctx_->stop_at_end_of_data && !started_) empty_at_start_ = waiting == 0;
    started_ = true;
    ctx_->log->info("consuming from {} ({})", fmt::join(queues_, ", "), settings_.where());
  }

  // The connection failed mid-run: reconnect with backoff, or fail.
  void recover(const std::string& why) {
    conn_.reset();
    if (!settings_.automatic_recovery)
      throw ConnectError(fmt::format("{} (rabbitmq.automatic.recovery.enabled is false)", why));
    ctx_->log->warn("{}; reconnecting (unacknowledged messages are delivered again)", why);
    connectrun::retry(settings_.recovery_policy(ctx_->retry_policy), fmt::format("reconnect to {}", settings_.where()),
                      [&] { open(); }, ctx_->stopping, ctx_->log.get());
  }

  void send_acks() {
    if (ack_upto_ == 0 || !conn_) return;
    // multiple: every delivery up to this tag; all were committed (in order).
    int status = amqp_basic_ack(conn_->state(), AmqpConnection::kChannel, ack_upto_, /*multiple=*/1);
    ack_upto_ = 0;
    if (status != AMQP_STATUS_OK) {
      ctx_->log->warn("cannot acknowledge on {}: {}; the messages will be delivered again", settings_.where(),
                      amqp_error_string2(status));
      conn_.reset();
    }
  }

  void consume(std::vector<Record>& out, std::chrono::milliseconds max_wait) {
    amqp_connection_state_t s = conn_->state();
    auto now = std::chrono::steady_clock::now();
    auto wait = std::min<std::chrono::milliseconds>(max_wait, 1000ms);
    if (ctx_->stop_at_end_of_data) wait = std::min<std::chrono::milliseconds>(wait, kOnceIdle);
    auto deadline = now + wait;
    const int64_t wall = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::system_clock::now().time_since_epoch()).count();
    while (out.size() < kMaxBatch && !ctx_->stop_requested()) {
      now = std::chrono::steady_clock::now();
      if (now >= deadline && !amqp_data_in_buffer(s)) break;
      auto left = std::chrono::duration_cast<std::chrono::microseconds>(std::max(deadline - now, now - now));
      timeval tv{static_cast<time_t>(left.count() / 1000000), static_cast<suseconds_t>(left.count() % 1000000)};
      amqp_maybe_release_buffers(s);
      Envelope env;
      amqp_rpc_reply_t r = amqp_consume_message(s, &env.e, &tv, 0);
      if (r.reply_type == AMQP_RESPONSE_NORMAL) {
        take(out, env.e, wall);
        last_message_ = std::chrono::steady_clock::now();
        deadline = std::min(deadline, last_message_ + kBatchLinger);
        continue;
      }
      if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_TIMEOUT) break;
      if (r.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION && r.library_error == AMQP_STATUS_UNEXPECTED_STATE) {
        other_frame();
        continue;
      }
      conn_->check(r, "consume");
    }
  }

  // A frame other than a delivery: the broker closing the channel or the
  // connection, or cancelling a consumer (its queue was deleted).
  void other_frame() {
    amqp_frame_t frame;
    conn_->check_status(amqp_simple_wait_frame(conn_->state(), &frame), "read from the broker");
    if (frame.frame_type != AMQP_FRAME_METHOD) return;
    const amqp_method_t& m = frame.payload.method;
    if (m.id == AMQP_BASIC_CANCEL_METHOD) {
      auto* cancel = static_cast<amqp_basic_cancel_t*>(m.decoded);
      auto q = consumer_queues_.find(to_string(cancel->consumer_tag));
      throw ConnectError(fmt::format("{}: the broker cancelled the consumer of queue '{}' (deleted?)",
                                     settings_.where(), q == consumer_queues_.end() ? "?" : q->second),
                         true);
    }
    if (m.id == AMQP_CHANNEL_CLOSE_METHOD || m.id == AMQP_CONNECTION_CLOSE_METHOD) conn_->closed_by_broker(m, "consume");
  }

  void take(std::vector<Record>& out, const amqp_envelope_t& e, int64_t wall) {
    Record& r = out.emplace_back();
    r.topic = topic_;
    r.source_partition = partition_of(view(e.routing_key));
    MapEntries offset;
    offset.emplace_back("deliveryTag", static_cast<int64_t>(e.delivery_tag));
    r.source_offset = Value(std::move(offset));
    try {
      ConvertedMessage m = convert_delivery(e);
      r.key_schema = message_key_schema();
      r.key = std::move(m.key);
      r.value_schema = message_value_schema();
      r.value = std::move(m.value);
      r.headers = std::move(m.headers);
      r.timestamp = m.timestamp.value_or(wall);
    } catch (const DataException& err) {
      auto q = consumer_queues_.find(to_string(e.consumer_tag));
      const std::string position = fmt::format("queue '{}' delivery tag {}",
                                               q == consumer_queues_.end() ? "?" : q->second, e.delivery_tag);
      // Not tolerated: throws, the message stays unacknowledged and is
      // delivered again after the restart. Tolerated: rejected without
      // requeueing, so the queue's dead-letter exchange (if any) gets it.
      ctx_->report_error(position, ConnectError(fmt::format("{}: the message cannot become a record: {}", position,
                                                            err.what())));
      conn_->check_status(amqp_basic_nack(conn_->state(), AmqpConnection::kChannel, e.delivery_tag, 0, 0),
                          "reject a message");
      r.offset_only = true;
      return;
    }
    in_flight_.push_back({generation_, e.delivery_tag});
  }

  std::shared_ptr<const Value> partition_of(std::string_view routing_key) {
    auto it = partitions_.find(routing_key);
    if (it != partitions_.end()) return it->second;
    auto p = std::make_shared<const Value>(MapEntries{{Value("routingKey"), Value(std::string(routing_key))}});
    if (partitions_.size() < kMaxPartitionCache) partitions_.emplace(std::string(routing_key), p);
    return p;
  }

  ConnectionSettings settings_;
  std::string topic_;
  std::vector<std::string> queues_;
  int prefetch_count_ = 0;
  bool prefetch_global_ = false;
  SourceTaskContext* ctx_ = nullptr;
  std::unique_ptr<AmqpConnection> conn_;
  std::map<std::string, std::string> consumer_queues_;  // consumer tag → queue
  uint64_t generation_ = 0;  // connections opened so far: delivery tags count per channel
  uint64_t ack_upto_ = 0;    // highest committed delivery tag not acknowledged yet (0: none)
  std::deque<Delivery> in_flight_;  // polled, not yet committed, in poll order
  std::map<std::string, std::shared_ptr<const Value>, std::less<>> partitions_;
  std::chrono::steady_clock::time_point last_message_;
  bool started_ = false, empty_at_start_ = false;
};

}  // namespace

PluginInfo rabbitmq_source_plugin() {
  PluginInfo p;
  p.name = "RabbitMQSource";
  p.aliases = {"com.github.jcustenborder.kafka.connect.rabbitmq.RabbitMQSourceConnector", "RabbitMQSourceConnector"};
  p.kind = PluginKind::Source;
  p.summary = "Consumes RabbitMQ queues into a topic; a message is acknowledged only after its record was delivered.";
  p.description =
      "Each message becomes one record as jcustenborder's connector makes it: the key is the Struct "
      "com.github.jcustenborder.kafka.connect.rabbitmq.MessageKey {messageId}, the value the Struct "
      "com.github.jcustenborder.kafka.connect.rabbitmq.Message {consumerTag, envelope {deliveryTag, isRedeliver, "
      "exchange, routingKey}, basicProperties {contentType, contentEncoding, headers, deliveryMode, priority, "
      "correlationId, replyTo, expiration, messageId, timestamp, type, userId, appId}, body (bytes)}; take the body "
      "alone with ExtractField$Value field=body. The timestamp is the message's timestamp property, else the time it "
      "was read; the message's headers are also record headers. The source partition is {\"routingKey\": R}, the "
      "offset {\"deliveryTag\": N} (informative: the broker keeps the position). A message is acknowledged "
      "(basic.ack, multiple) only after its record was delivered; a message that cannot become a record goes to "
      "errors.tolerance (none: the task fails and the message is delivered again; all: it is rejected without "
      "requeueing, to the queue's dead-letter exchange). With --once the task is exhausted when its queues held "
      "nothing at start or gave nothing for 1 second.";
  define_connection_keys(p.spec);
  p.spec.define({.name = "kafka.topic", .type = KeyType::String, .default_value = std::nullopt,
                 .doc = "Kafka topic to write the messages to."});
  p.spec.define({.name = "rabbitmq.queue", .type = KeyType::List, .default_value = std::nullopt,
                 .doc = "The queues to consume from (they must exist)."});
  p.spec.define({.name = "rabbitmq.prefetch.count", .type = KeyType::Int, .default_value = ConfigValue{int64_t{0}},
                 .doc = "Maximum number of unacknowledged messages the broker delivers (basic.qos); 0 for unlimited. "
                        "Messages are acknowledged only after delivery, so this also bounds what is in flight.",
                 .validator = config::validators::between(0, 65535)});
  p.spec.define({.name = "rabbitmq.prefetch.global", .type = KeyType::Boolean, .default_value = ConfigValue{false},
                 .doc = "Apply rabbitmq.prefetch.count to the whole channel rather than to each consumer."});
  p.make_source = [] { return std::make_unique<RabbitMQSourceTask>(); };
  return p;
}

}  // namespace connectrun::rabbitmq
