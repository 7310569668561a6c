#include "connectors/rabbitmq/rabbitmq_sink.h"

#include <algorithm>
#include <deque>
#include <set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "connectors/rabbitmq/amqp_connection.h"
#include "connectors/rabbitmq/amqp_message.h"

namespace connectrun::rabbitmq {

namespace {

using config::ConfigValue;
using config::KeyType;
using namespace std::chrono_literals;

// Confirms are read while publishing every this many messages, so the
// broker's acknowledgements never pile up unread.
constexpr size_t kReadConfirmsEvery = 512;
// At most this many messages are published and not yet confirmed: put waits
// for confirms beyond it, so a slow broker bounds memory instead of growing it.
constexpr size_t kMaxUnconfirmed = 16384;

struct Published {
  uint64_t seq = 0;  // publish sequence number on the current channel
  Record place;      // topic, partition, bus_offset of the record (for the errant record reporter)
  std::string body;
  std::vector<std::pair<std::string, Header>> headers;
  bool confirmed = false;
  std::optional<std::string> returned;  // why the broker returned it (unroutable)
};

class RabbitMQSinkTask : public SinkTask {
 public:
  void configure(const config::ConfigValues& cfg) override {
    settings_ = connection_settings(cfg);
    exchange_ = cfg.get_string("rabbitmq.exchange");
    routing_key_ = cfg.get_string("rabbitmq.routing.key");
    auto_create_ = cfg.get_bool("rabbitmq.auto.create");
    persistent_ = cfg.get_bool("rabbitmq.delivery.persistent");
    confirm_timeout_ = std::chrono::milliseconds(cfg.get_long("rabbitmq.confirm.timeout.ms"));
    max_bytes_ = static_cast<size_t>(cfg.get_long("rabbitmq.max.message.bytes"));
    for (const auto& h : cfg.get_list("rabbitmq.headers")) {
      auto colon = h.find(':');
      if (colon == std::string::npos || colon == 0)
        throw config::ConfigError("rabbitmq.headers",
                                  fmt::format("'{}' is not name:value (write headers as name1:value1,name2:value2)", h));
      static_headers_.emplace_back(h.substr(0, colon), h.substr(colon + 1));
    }
    if (auto_create_ && routing_key_.empty())
      throw config::ConfigError("rabbitmq.auto.create",
                                "needs rabbitmq.routing.key: it names the queue that is created and bound");
  }

  void start(SinkTaskContext& ctx) override {
    ctx_ = &ctx;
    ctx.retry(fmt::format("connect to {}", settings_.where()), [&] { open_connection(); });
  }

  void put(std::vector<Record>& batch) override {
    for (Record& r : batch) {
      Published p;
      p.place.topic = r.topic;
      p.place.partition = r.partition;
      p.place.bus_offset = r.bus_offset;
      p.place.is_source = false;
      if (auto* b = r.value.get_if<Bytes>()) {
        p.body = b->data;
      } else if (auto* s = r.value.get_if<std::string>()) {
        p.body = *s;
      } else {
        ctx_->report(r, ConnectError(fmt::format(
                            "topic '{}' partition {} offset {}: the value is {}, but the RabbitMQ sink publishes bytes "
                            "or strings: use value.converter ByteArrayConverter (or StringConverter), or ExtractField "
                            "to take one field", r.topic, r.partition.value_or(0), r.bus_offset,
                            r.value.is_null() ? "null" : r.value.java_class())));
        continue;
      }
      if (p.body.size() > max_bytes_) {
        ctx_->report(r, ConnectError(fmt::format("topic '{}' partition {} offset {}: the body of {} bytes is larger "
                                                 "than rabbitmq.max.message.bytes ({})", r.topic,
                                                 r.partition.value_or(0), r.bus_offset, p.body.size(), max_bytes_)));
        continue;
      }
      for (auto& h : r.headers) p.headers.emplace_back(h.key, h);
      outstanding_.push_back(std::move(p));
      ++unconfirmed_;
      publish_guarded(outstanding_.back());
      if (++since_read_ >= kReadConfirmsEvery) {
        since_read_ = 0;
        guarded([&] { read_confirms(0ms); });
      }
      if (unconfirmed_ >= kMaxUnconfirmed) await_confirms(kMaxUnconfirmed / 2);
    }
  }

  // Every record put so far is confirmed by the broker (or reported as
  // returned) when this returns. The engine calls it at the end of the input.
  void flush() override {
    await_confirms(0);
    release_confirmed();
  }

  // Publishing does not wait for confirms: the positions returned stop, in
  // each partition, at its first record the broker has not confirmed yet, and
  // move on at a later call once it has (the engine calls again while idle).
  TopicPartitionOffsets pre_commit(const TopicPartitionOffsets& current) override {
    guarded([&] { read_confirms(0ms); });
    release_confirmed();
    TopicPartitionOffsets safe = current;
    std::set<TopicPartition> held;
    for (const auto& p : outstanding_) {
      TopicPartition tp{p.place.topic, p.place.partition.value_or(0)};
      if (held.insert(tp).second) safe[tp] = p.place.bus_offset;
      if (held.size() == current.size()) break;
    }
    return safe;
  }

  void stop() override { conn_.reset(); }

 private:
  // Reads confirms until at most `target` messages are unconfirmed, or fails
  // (retriable) after rabbitmq.confirm.timeout.ms.
  void await_confirms(size_t target) {
    const auto deadline = std::chrono::steady_clock::now() + confirm_timeout_;
    while (unconfirmed_ > target) {
      const auto now = std::chrono::steady_clock::now();
      if (now >= deadline)
        throw ConnectError(fmt::format("{}: no publisher confirm within rabbitmq.confirm.timeout.ms ({} ms)",
                                       settings_.where(), confirm_timeout_.count()),
                           true);
      guarded([&] { read_confirms(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now), target); });
    }
  }

  // Drops the confirmed messages at the front, reporting those the broker
  // returned (before any position past them is committed).
  void release_confirmed() {
    while (!outstanding_.empty() && outstanding_.front().confirmed) {
      const Published& p = outstanding_.front();
      if (p.returned)
        ctx_->report(p.place, ConnectError(fmt::format("topic '{}' partition {} offset {}: {}", p.place.topic,
                                                       p.place.partition.value_or(0), p.place.bus_offset, *p.returned)));
      outstanding_.pop_front();
    }
  }

  void open_connection() {
    auto conn = std::make_unique<AmqpConnection>(settings_);
    amqp_connection_state_t s = conn->state();
    const amqp_channel_t ch = AmqpConnection::kChannel;
    if (auto_create_) {
      if (!exchange_.empty()) {
        amqp_exchange_declare(s, ch, amqp_cstring_bytes(exchange_.c_str()), amqp_cstring_bytes("direct"), 0,
                              /*durable=*/1, 0, 0, amqp_empty_table);
        conn->check(amqp_get_rpc_reply(s), fmt::format("declare exchange '{}' (rabbitmq.auto.create)", exchange_));
      }
      amqp_queue_declare(s, ch, amqp_cstring_bytes(routing_key_.c_str()), 0, /*durable=*/1, 0, 0, amqp_empty_table);
      conn->check(amqp_get_rpc_reply(s), fmt::format("declare queue '{}' (rabbitmq.auto.create)", routing_key_));
      if (!exchange_.empty()) {
        amqp_queue_bind(s, ch, amqp_cstring_bytes(routing_key_.c_str()), amqp_cstring_bytes(exchange_.c_str()),
                        amqp_cstring_bytes(routing_key_.c_str()), amqp_empty_table);
        conn->check(amqp_get_rpc_reply(s), fmt::format("bind queue '{}' to exchange '{}' (rabbitmq.auto.create)",
                                                       routing_key_, exchange_));
      }
    } else if (!exchange_.empty()) {
      // Passive: a missing exchange is named now, not at the first publish.
      amqp_exchange_declare(s, ch, amqp_cstring_bytes(exchange_.c_str()), amqp_cstring_bytes("direct"), 1, 0, 0, 0,
                            amqp_empty_table);
      conn->check(amqp_get_rpc_reply(s), fmt::format("find exchange '{}' (rabbitmq.exchange; rabbitmq.auto.create "
                                                     "creates it)", exchange_));
    }
    amqp_confirm_select(s, ch);
    conn->check(amqp_get_rpc_reply(s), "turn on publisher confirms");
    conn_ = std::move(conn);
    next_seq_ = 1;
    ctx_->log->info("publishing to exchange '{}' with routing key '{}' ({})", exchange_, routing_key_,
                    settings_.where());
  }

  // Runs `op`; a lost connection is reopened (rabbitmq.automatic.recovery.enabled)
  // and every unconfirmed message published again (duplicates, never losses).
  template <class F>
  void guarded(F&& op) {
    for (;;) {
      try {
        if (!conn_) recover("the connection was lost");
        op();
        return;
      } catch (const ConnectError& e) {
        if (!e.retriable() || !settings_.automatic_recovery) throw;
        recover(e.what());
      }
    }
  }

  // As guarded, but a reconnection already published `p` again (it is
  // outstanding and unconfirmed): it is not published a second time.
  void publish_guarded(Published& p) {
    try {
      if (!conn_) recover("the connection was lost");  // publishes p too
      else publish(p);
    } catch (const ConnectError& e) {
      if (!e.retriable() || !settings_.automatic_recovery) throw;
      recover(e.what());
    }
  }

  void recover(const std::string& why) {
    conn_.reset();
    ctx_->log->warn("{}; reconnecting and publishing the unconfirmed messages again", why);
    connectrun::retry(settings_.recovery_policy(ctx_->retry_policy), fmt::format("reconnect to {}", settings_.where()),
                      [&] { open_connection(); }, ctx_->stopping, ctx_->log.get());
    // The new channel numbers from 1: a confirmed message keeps no number, so
    // mark()'s walk in rising order is not cut short by an old, higher one.
    for (auto& p : outstanding_) {
      if (p.confirmed) p.seq = 0;
      else publish(p);
    }
  }

  void publish(Published& p) {
    std::vector<amqp_table_entry_t> entries;
    entries.reserve(p.headers.size() + static_headers_.size());
    for (auto& [name, h] : p.headers)
      if (auto f = header_field(h.value, h.schema))
        entries.push_back(amqp_table_entry_t{amqp_bytes_t{name.size(), name.data()}, *f});
    for (auto& [name, value] : static_headers_) {
      amqp_field_value_t f{};
      f.kind = AMQP_FIELD_KIND_UTF8;
      f.value.bytes = amqp_bytes_t{value.size(), value.data()};
      entries.push_back(amqp_table_entry_t{amqp_bytes_t{name.size(), name.data()}, f});
    }
    amqp_basic_properties_t props{};
    if (persistent_) {
      props._flags |= AMQP_BASIC_DELIVERY_MODE_FLAG;
      props.delivery_mode = AMQP_DELIVERY_PERSISTENT;
    }
    if (!entries.empty()) {
      props._flags |= AMQP_BASIC_HEADERS_FLAG;
      props.headers = amqp_table_t{static_cast<int>(entries.size()), entries.data()};
    }
    p.seq = next_seq_++;
    p.returned.reset();
    conn_->check_status(amqp_basic_publish(conn_->state(), AmqpConnection::kChannel,
                                           amqp_cstring_bytes(exchange_.c_str()),
                                           amqp_cstring_bytes(routing_key_.c_str()), /*mandatory=*/1, 0, &props,
                                           amqp_bytes_t{p.body.size(), p.body.data()}),
                        "publish");
  }

  // Reads what the broker sent (acks, nacks, returns) for up to `wait`, or
  // until at most `target` messages are unconfirmed.
  void read_confirms(std::chrono::milliseconds wait, size_t target = 0) {
    amqp_connection_state_t s = conn_->state();
    auto left = wait;
    const auto until = std::chrono::steady_clock::now() + wait;
    for (;;) {
      timeval tv{static_cast<time_t>(left.count() / 1000), static_cast<suseconds_t>((left.count() % 1000) * 1000)};
      amqp_frame_t frame;
      amqp_maybe_release_buffers(s);
      int status = amqp_simple_wait_frame_noblock(s, &frame, &tv);
      if (status == AMQP_STATUS_TIMEOUT) return;
      conn_->check_status(status, "read publisher confirms");
      if (frame.frame_type == AMQP_FRAME_METHOD) on_method(frame.payload.method);
      if (unconfirmed_ <= target) return;
      left = std::max(0ms, std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now()));
    }
  }

  void on_method(const amqp_method_t& m) {
    switch (m.id) {
      case AMQP_BASIC_ACK_METHOD: {
        auto* ack = static_cast<amqp_basic_ack_t*>(m.decoded);
        mark(ack->delivery_tag, ack->multiple, [&](Published& p) {
          p.confirmed = true;
          --unconfirmed_;
          // A return comes right before the confirm of the message it returns.
          if (pending_return_ && p.seq == ack->delivery_tag) p.returned = std::move(pending_return_);
        });
        pending_return_.reset();
        return;
      }
      case AMQP_BASIC_NACK_METHOD: {
        auto* nack = static_cast<amqp_basic_nack_t*>(m.decoded);
        throw ConnectError(fmt::format("{}: the broker could not take message {} (basic.nack, an internal error); "
                                       "it and the records after it are written again after the restart",
                                       settings_.where(), nack->delivery_tag));
      }
      case AMQP_BASIC_RETURN_METHOD: {
        auto* ret = static_cast<amqp_basic_return_t*>(m.decoded);
        pending_return_ = fmt::format("the broker returned the message: {} {} (exchange '{}', routing key '{}'): no "
                                      "queue is bound for it; bind one, or set rabbitmq.auto.create=true",
                                      ret->reply_code, to_string(ret->reply_text), to_string(ret->exchange),
                                      to_string(ret->routing_key));
        amqp_message_t msg;  // the returned content follows; read and dropped
        conn_->check(amqp_read_message(conn_->state(), AmqpConnection::kChannel, &msg, 0), "read a returned message");
        amqp_destroy_message(&msg);
        return;
      }
      case AMQP_CHANNEL_CLOSE_METHOD:
      case AMQP_CONNECTION_CLOSE_METHOD:
        conn_->closed_by_broker(m, "publish");
      default:
        return;
    }
  }

  template <class F>
  void mark(uint64_t tag, bool multiple, F&& f) {
    // outstanding_ is in publish order, so its sequence numbers rise.
    for (auto& p : outstanding_) {
      if (p.seq > tag) break;
      if (!p.confirmed && (multiple || p.seq == tag)) f(p);
    }
  }

  ConnectionSettings settings_;
  std::string exchange_, routing_key_;
  bool auto_create_ = false, persistent_ = true;
  std::chrono::milliseconds confirm_timeout_{30000};
  size_t max_bytes_ = 0;
  std::vector<std::pair<std::string, std::string>> static_headers_;
  SinkTaskContext* ctx_ = nullptr;
  std::unique_ptr<AmqpConnection> conn_;
  uint64_t next_seq_ = 1;
  size_t since_read_ = 0;
  std::deque<Published> outstanding_;  // published in order; the front is the oldest not yet released
  size_t unconfirmed_ = 0;             // of outstanding_, not yet confirmed
  std::optional<std::string> pending_return_;
};

}  // namespace

PluginInfo rabbitmq_sink_plugin() {
  PluginInfo p;
  p.name = "RabbitMQSink";
  p.aliases = {"com.github.jcustenborder.kafka.connect.rabbitmq.RabbitMQSinkConnector", "RabbitMQSinkConnector"};
  p.kind = PluginKind::Sink;
  p.summary = "Publishes record values to a RabbitMQ exchange with publisher confirms; committed once confirmed.";
  p.description =
      "Each record's value (bytes, as ByteArrayConverter gives them, or a string, sent as UTF-8) is published to "
      "rabbitmq.exchange with rabbitmq.routing.key, mandatory, persistent unless rabbitmq.delivery.persistent=false, "
      "with the record's headers (and rabbitmq.headers) as message headers. The channel is in confirm mode: a "
      "record's position is committed only after the broker confirmed its message. A message no queue is bound for "
      "is returned by the broker and goes to errors.tolerance (none: the task fails; all: skipped, to the dead "
      "letter queue if one is set), as does a value that is neither bytes nor a string. A lost connection is "
      "reopened and what was not confirmed is published again.";
  define_connection_keys(p.spec);
  p.spec.define({.name = "rabbitmq.exchange", .type = KeyType::String, .default_value = ConfigValue{std::string()},
                 .doc = "The exchange to publish to; empty: the default exchange, where the routing key names a queue."});
  p.spec.define({.name = "rabbitmq.routing.key", .type = KeyType::String, .default_value = std::nullopt,
                 .doc = "The routing key used for publishing the messages."});
  p.spec.define({.name = "rabbitmq.auto.create", .type = KeyType::Boolean, .default_value = ConfigValue{false},
                 .doc = "Declare what the messages go to: the exchange (durable, direct) when rabbitmq.exchange is "
                        "set, a durable queue named after rabbitmq.routing.key, and its binding. false: a missing "
                        "exchange fails the task at start, naming it."});
  p.spec.define({.name = "rabbitmq.headers", .type = KeyType::List, .default_value = ConfigValue{std::vector<std::string>{}},
                 .doc = "Headers set on every message, as name1:value1,name2:value2 (the themeetgroup fork's key)."});
  p.spec.define({.name = "rabbitmq.delivery.persistent", .type = KeyType::Boolean, .default_value = ConfigValue{true},
                 .doc = "Publish persistent messages (delivery mode 2), so a confirmed message to a durable queue "
                        "survives a broker restart. Not in the Java connector, which publishes transient messages."});
  p.spec.define({.name = "rabbitmq.confirm.timeout.ms", .type = KeyType::Int,
                 .default_value = ConfigValue{int64_t{30000}},
                 .doc = "How long a flush waits for the broker's publisher confirms before it fails (retriable "
                        "within errors.retry.timeout). Not in the Java connector, which does not use confirms.",
                 .validator = config::validators::at_least(1)});
  p.spec.define({.name = "rabbitmq.max.message.bytes", .type = KeyType::Long,
                 .default_value = ConfigValue{int64_t{134217728}},
                 .doc = "The largest message body published; a larger record goes to the error policy "
                        "(errors.tolerance: skipped, or the dead letter queue) instead of failing the task. Set it "
                        "to the broker's max_message_size (RabbitMQ's default: 134217728): above it the broker "
                        "closes the channel (406 PRECONDITION_FAILED). connectrun's key.",
                 .validator = config::validators::at_least(1)});
  p.make_sink = [] { return std::make_unique<RabbitMQSinkTask>(); };
  return p;
}

}  // namespace connectrun::rabbitmq
