// What the RabbitMQ source and sink share: the connection keys of
// jcustenborder's RabbitMQConnectorConfig (plus TLS), and one AMQP 0-9-1
// connection with one channel, opened, logged in and closed with RAII.
#pragma once

#include <amqp.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "config/spec.h"
#include "plugin/connector.h"

namespace connectrun::rabbitmq {

struct TlsSettings {
  bool enabled = false;
  std::string ca_file, cert_file, key_file, key_password;
  bool verify_peer = true, verify_hostname = true;
};

struct ConnectionSettings {
  std::string host = "localhost";
  int port = 5672;
  std::string username = "guest", password = "guest", virtual_host = "/";
  int channel_max = 2047;
  int frame_max = 0;           // 0: rabbitmq-c's default (128 KiB), as "unlimited" has no meaning for it
  int heartbeat_seconds = 60;
  std::chrono::milliseconds connection_timeout{60000}, handshake_timeout{10000}, shutdown_timeout{10000};
  bool automatic_recovery = true;
  std::chrono::milliseconds network_recovery_interval{10000};
  TlsSettings tls;
  std::string where() const;  // "rabbitmq 127.0.0.1:5672 vhost /"
  // The backoff for reconnecting after a connection was lost mid-run
  // (rabbitmq.automatic.recovery.enabled): within errors.retry.timeout when
  // it is set, else forever as the Java client does, at most
  // rabbitmq.network.recovery.interval.ms between tries.
  RetryPolicy recovery_policy(const RetryPolicy& connector) const;
};

// Declares the connection keys (the same in the source and the sink).
void define_connection_keys(config::ConfigSpec& spec);
// Reads them; throws config::ConfigError for what the spec cannot check.
ConnectionSettings connection_settings(const config::ConfigValues& cfg);

std::string to_string(amqp_bytes_t b);
inline std::string_view view(amqp_bytes_t b) { return {static_cast<const char*>(b.bytes), b.len}; }

// One connection, channel 1 open. Construction connects and logs in; throws
// ConnectError, retriable when the broker may come back (refused, timed out,
// closed while starting), not for wrong credentials or a missing vhost.
class AmqpConnection {
 public:
  static constexpr amqp_channel_t kChannel = 1;
  explicit AmqpConnection(const ConnectionSettings& settings);
  ~AmqpConnection();
  AmqpConnection(const AmqpConnection&) = delete;
  AmqpConnection& operator=(const AmqpConnection&) = delete;

  amqp_connection_state_t state() const { return conn_.get(); }
  // Throws ConnectError for a failed synchronous call (`what`: "consume from
  // queue 'q'"), naming what the broker answered. A channel or connection
  // closed by the broker leaves this connection unusable (broken()).
  void check(amqp_rpc_reply_t reply, std::string_view what);
  // For calls returning a status (publish, ack): throws when it is not OK.
  void check_status(int status, std::string_view what);
  // A method frame the broker sent unasked (channel.close, connection.close):
  // answers it and throws the ConnectError it means.
  [[noreturn]] void closed_by_broker(const amqp_method_t& method, std::string_view what);
  bool broken() const { return broken_; }
  const ConnectionSettings& settings() const { return settings_; }

 private:
  struct Deleter {
    void operator()(amqp_connection_state_t c) const { amqp_destroy_connection(c); }
  };
  ConnectionSettings settings_;
  std::unique_ptr<amqp_connection_state_t_, Deleter> conn_;
  bool logged_in_ = false, channel_open_ = false, broken_ = false;
};

}  // namespace connectrun::rabbitmq
