#include "connectors/rabbitmq/amqp_connection.h"

#include <amqp_ssl_socket.h>
#include <amqp_tcp_socket.h>

#include <fmt/format.h>

namespace connectrun::rabbitmq {

using config::ConfigValue;
using config::KeyType;
namespace validators = config::validators;

void define_connection_keys(config::ConfigSpec& spec) {
  spec.define({.name = "rabbitmq.host", .type = KeyType::String, .default_value = ConfigValue{std::string("localhost")},
               .doc = "The RabbitMQ host to connect to."});
  spec.define({.name = "rabbitmq.port", .type = KeyType::Int, .default_value = ConfigValue{int64_t{5672}},
               .doc = "The RabbitMQ port to connect to (5671 is the usual TLS port).",
               .validator = validators::between(1, 65535)});
  spec.define({.name = "rabbitmq.username", .type = KeyType::String, .default_value = ConfigValue{std::string("guest")},
               .doc = "The username to authenticate to RabbitMQ with (SASL PLAIN)."});
  spec.define({.name = "rabbitmq.password", .type = KeyType::Password, .default_value = ConfigValue{std::string("guest")},
               .doc = "The password to authenticate to RabbitMQ with."});
  spec.define({.name = "rabbitmq.virtual.host", .type = KeyType::String, .default_value = ConfigValue{std::string("/")},
               .doc = "The virtual host to use when connecting to the broker."});
  spec.define({.name = "rabbitmq.requested.channel.max", .type = KeyType::Int,
               .default_value = ConfigValue{int64_t{2047}},
               .doc = "Initially requested maximum channel number; 0 for unlimited. connectrun uses one channel.",
               .validator = validators::between(0, 65535)});
  spec.define({.name = "rabbitmq.requested.frame.max", .type = KeyType::Int, .default_value = ConfigValue{int64_t{0}},
               .doc = "Initially requested maximum frame size, in bytes. 0 (the Java client's 'unlimited') asks for "
                      "rabbitmq-c's default of 131072; otherwise at least 4096.",
               .validator = validators::at_least(0)});
  spec.define({.name = "rabbitmq.connection.timeout.ms", .type = KeyType::Int,
               .default_value = ConfigValue{int64_t{60000}},
               .doc = "TCP (and TLS) connection establishment timeout in milliseconds; 0 for none.",
               .validator = validators::at_least(0)});
  spec.define({.name = "rabbitmq.handshake.timeout.ms", .type = KeyType::Int,
               .default_value = ConfigValue{int64_t{10000}},
               .doc = "The AMQP 0-9-1 protocol handshake (login) timeout, in milliseconds.",
               .validator = validators::at_least(1)});
  spec.define({.name = "rabbitmq.shutdown.timeout.ms", .type = KeyType::Int,
               .default_value = ConfigValue{int64_t{10000}},
               .doc = "How long closing the channel and connection (and any other call waiting for the broker's "
                      "answer) may take, in milliseconds.",
               .validator = validators::at_least(1)});
  spec.define({.name = "rabbitmq.requested.heartbeat.seconds", .type = KeyType::Int,
               .default_value = ConfigValue{int64_t{60}},
               .doc = "The requested heartbeat timeout in seconds; 0 disables heartbeats.",
               .validator = validators::between(0, 65535)});
  spec.define({.name = "rabbitmq.automatic.recovery.enabled", .type = KeyType::Boolean,
               .default_value = ConfigValue{true},
               .doc = "Reconnect (and consume again) when the connection is lost mid-run, with exponential backoff "
                      "of at most rabbitmq.network.recovery.interval.ms, for errors.retry.timeout when that is set, "
                      "else for as long as it takes. false: a lost connection fails the task."});
  spec.define({.name = "rabbitmq.topology.recovery.enabled", .type = KeyType::Boolean,
               .default_value = ConfigValue{true},
               .doc = "Consumers (and, with rabbitmq.auto.create, the exchange and queue) are set up again after a "
                      "reconnection. false is not supported by connectrun (a recovered source would consume nothing)."});
  spec.define({.name = "rabbitmq.network.recovery.interval.ms", .type = KeyType::Int,
               .default_value = ConfigValue{int64_t{10000}},
               .doc = "The longest wait between two reconnection attempts, in milliseconds.",
               .validator = validators::at_least(1)});
  spec.define({.name = "rabbitmq.ssl", .type = KeyType::Boolean, .default_value = ConfigValue{false},
               .doc = "Connect with TLS (the themeetgroup fork's key). Without rabbitmq.ssl.ca.location the system's "
                      "trusted certificates are not loaded: set it to your CA bundle (e.g. /etc/ssl/certs/ca-certificates.crt)."});
  spec.define({.name = "rabbitmq.ssl.ca.location", .type = KeyType::String, .default_value = ConfigValue{std::string()},
               .doc = "PEM file of the CA certificates that verify the broker (connectrun's key: the Java connector "
                      "uses the JVM's trust store).",
               .file_use = config::FileUse::Reads});
  spec.define({.name = "rabbitmq.ssl.certificate.location", .type = KeyType::String,
               .default_value = ConfigValue{std::string()},
               .doc = "PEM client certificate, for brokers that require one (with rabbitmq.ssl.key.location).",
               .file_use = config::FileUse::Reads});
  spec.define({.name = "rabbitmq.ssl.key.location", .type = KeyType::String, .default_value = ConfigValue{std::string()},
               .doc = "PEM private key of the client certificate.", .file_use = config::FileUse::Reads});
  spec.define({.name = "rabbitmq.ssl.key.password", .type = KeyType::Password,
               .default_value = ConfigValue{std::string()}, .doc = "Password of rabbitmq.ssl.key.location, if any."});
  spec.define({.name = "rabbitmq.ssl.verify.peer", .type = KeyType::Boolean, .default_value = ConfigValue{true},
               .doc = "Verify the broker's certificate chain."});
  spec.define({.name = "rabbitmq.ssl.verify.hostname", .type = KeyType::Boolean, .default_value = ConfigValue{true},
               .doc = "Verify that the broker's certificate names rabbitmq.host."});
}

ConnectionSettings connection_settings(const config::ConfigValues& cfg) {
  ConnectionSettings s;
  s.host = cfg.get_string("rabbitmq.host");
  s.port = cfg.get_int("rabbitmq.port");
  s.username = cfg.get_string("rabbitmq.username");
  s.password = cfg.get_string("rabbitmq.password");
  s.virtual_host = cfg.get_string("rabbitmq.virtual.host");
  s.channel_max = cfg.get_int("rabbitmq.requested.channel.max");
  s.frame_max = cfg.get_int("rabbitmq.requested.frame.max");
  if (s.frame_max != 0 && s.frame_max < 4096)
    throw config::ConfigError("rabbitmq.requested.frame.max",
                              fmt::format("is {}, below AMQP's smallest frame (4096 bytes): use 0 or at least 4096",
                                          s.frame_max));
  s.heartbeat_seconds = cfg.get_int("rabbitmq.requested.heartbeat.seconds");
  s.connection_timeout = std::chrono::milliseconds(cfg.get_long("rabbitmq.connection.timeout.ms"));
  s.handshake_timeout = std::chrono::milliseconds(cfg.get_long("rabbitmq.handshake.timeout.ms"));
  s.shutdown_timeout = std::chrono::milliseconds(cfg.get_long("rabbitmq.shutdown.timeout.ms"));
  s.automatic_recovery = cfg.get_bool("rabbitmq.automatic.recovery.enabled");
  if (!cfg.get_bool("rabbitmq.topology.recovery.enabled"))
    throw config::ConfigError("rabbitmq.topology.recovery.enabled",
                              "false is not supported by connectrun: after a reconnection the consumers are always "
                              "set up again (remove the key, or set it to true)");
  s.network_recovery_interval = std::chrono::milliseconds(cfg.get_long("rabbitmq.network.recovery.interval.ms"));
  s.tls.enabled = cfg.get_bool("rabbitmq.ssl");
  s.tls.ca_file = cfg.get_string("rabbitmq.ssl.ca.location");
  s.tls.cert_file = cfg.get_string("rabbitmq.ssl.certificate.location");
  s.tls.key_file = cfg.get_string("rabbitmq.ssl.key.location");
  s.tls.key_password = cfg.get_string("rabbitmq.ssl.key.password");
  s.tls.verify_peer = cfg.get_bool("rabbitmq.ssl.verify.peer");
  s.tls.verify_hostname = cfg.get_bool("rabbitmq.ssl.verify.hostname");
  if (s.tls.cert_file.empty() != s.tls.key_file.empty())
    throw config::ConfigError(s.tls.cert_file.empty() ? "rabbitmq.ssl.certificate.location" : "rabbitmq.ssl.key.location",
                              "rabbitmq.ssl.certificate.location and rabbitmq.ssl.key.location go together: set both "
                              "or neither");
  return s;
}

std::string ConnectionSettings::where() const {
  return fmt::format("rabbitmq {}:{} vhost {}", host, port, virtual_host);
}

RetryPolicy ConnectionSettings::recovery_policy(const RetryPolicy& connector) const {
  RetryPolicy p = connector;
  if (!p.retries()) p.timeout = std::chrono::milliseconds(-1);
  p.max_delay = network_recovery_interval;
  return p;
}

std::string to_string(amqp_bytes_t b) { return std::string(view(b)); }

namespace {
timeval to_timeval(std::chrono::milliseconds ms) {
  return timeval{static_cast<time_t>(ms.count() / 1000), static_cast<suseconds_t>((ms.count() % 1000) * 1000)};
}
}  // namespace

AmqpConnection::AmqpConnection(const ConnectionSettings& settings)
    : settings_(settings), conn_(amqp_new_connection()) {
  if (!conn_) throw ConnectError("rabbitmq: out of memory creating a connection");
  const std::string where = settings_.where();
  amqp_socket_t* socket = nullptr;
  if (settings_.tls.enabled) {
    socket = amqp_ssl_socket_new(conn_.get());
    if (!socket) throw ConnectError(fmt::format("{}: cannot create a TLS socket", where));
    amqp_ssl_socket_set_verify_peer(socket, settings_.tls.verify_peer);
    amqp_ssl_socket_set_verify_hostname(socket, settings_.tls.verify_hostname);
    if (!settings_.tls.ca_file.empty() && amqp_ssl_socket_set_cacert(socket, settings_.tls.ca_file.c_str()) != AMQP_STATUS_OK)
      throw ConnectError(fmt::format("{}: cannot load the CA certificates of rabbitmq.ssl.ca.location ({})", where,
                                     settings_.tls.ca_file));
    if (!settings_.tls.key_password.empty())
      amqp_ssl_socket_set_key_passwd(socket, settings_.tls.key_password.c_str());
    if (!settings_.tls.cert_file.empty() &&
        amqp_ssl_socket_set_key(socket, settings_.tls.cert_file.c_str(), settings_.tls.key_file.c_str()) != AMQP_STATUS_OK)
      throw ConnectError(fmt::format("{}: cannot load the client certificate {} with key {}", where,
                                     settings_.tls.cert_file, settings_.tls.key_file));
  } else {
    socket = amqp_tcp_socket_new(conn_.get());
    if (!socket) throw ConnectError(fmt::format("{}: cannot create a socket", where));
  }
  timeval open_timeout = to_timeval(settings_.connection_timeout);
  int status = amqp_socket_open_noblock(socket, settings_.host.c_str(), settings_.port,
                                        settings_.connection_timeout.count() > 0 ? &open_timeout : nullptr);
  if (status != AMQP_STATUS_OK)
  {
    const bool tls_failed = status == AMQP_STATUS_SSL_ERROR || status == AMQP_STATUS_SSL_CONNECTION_FAILED ||
                            status == AMQP_STATUS_SSL_HOSTNAME_VERIFY_FAILED ||
                            status == AMQP_STATUS_SSL_PEER_VERIFY_FAILED;
    throw ConnectError(fmt::format("cannot connect to {}: {}{}", where, amqp_error_string2(status),
                                   tls_failed ? " (the TLS handshake failed: is the broker's certificate signed by the "
                                                "CA of rabbitmq.ssl.ca.location, does it name rabbitmq.host (see "
                                                "rabbitmq.ssl.verify.hostname), and is the port a TLS listener?)"
                                              : ""),
                       !tls_failed);
  }
  timeval handshake = to_timeval(settings_.handshake_timeout);
  amqp_set_handshake_timeout(conn_.get(), &handshake);
  timeval rpc = to_timeval(settings_.shutdown_timeout);
  amqp_set_rpc_timeout(conn_.get(), &rpc);
  amqp_rpc_reply_t login =
      amqp_login(conn_.get(), settings_.virtual_host.c_str(), settings_.channel_max,
                 settings_.frame_max == 0 ? AMQP_DEFAULT_FRAME_SIZE : settings_.frame_max, settings_.heartbeat_seconds,
                 AMQP_SASL_METHOD_PLAIN, settings_.username.c_str(), settings_.password.c_str());
  if (login.reply_type == AMQP_RESPONSE_SERVER_EXCEPTION && login.reply.id == AMQP_CONNECTION_CLOSE_METHOD) {
    auto* close = static_cast<amqp_connection_close_t*>(login.reply.decoded);
    const std::string text = to_string(close->reply_text);
    broken_ = true;
    if (close->reply_code == AMQP_ACCESS_REFUSED)
      throw ConnectError(fmt::format("{} refused the login of user '{}' ({}): check rabbitmq.username and "
                                     "rabbitmq.password", where, settings_.username, text));
    if (close->reply_code == AMQP_NOT_ALLOWED)
      throw ConnectError(fmt::format("{} does not let user '{}' into virtual host '{}' ({}): check "
                                     "rabbitmq.virtual.host and the user's permissions", where, settings_.username,
                                     settings_.virtual_host, text));
    throw ConnectError(fmt::format("{} closed the connection at login: {} {}", where, close->reply_code, text),
                       close->reply_code == AMQP_CONNECTION_FORCED);
  }
  if (login.reply_type == AMQP_RESPONSE_LIBRARY_EXCEPTION) {
    broken_ = true;
    if (login.library_error == AMQP_STATUS_CONNECTION_CLOSED || login.library_error == AMQP_STATUS_SOCKET_CLOSED)
      throw ConnectError(fmt::format("{} closed the connection at login: check rabbitmq.username, rabbitmq.password "
                                     "and rabbitmq.virtual.host ({})", where, amqp_error_string2(login.library_error)));
    throw ConnectError(fmt::format("cannot log in to {}: {}", where, amqp_error_string2(login.library_error)), true);
  }
  check(login, "log in");
  logged_in_ = true;
  amqp_channel_open(conn_.get(), kChannel);
  check(amqp_get_rpc_reply(conn_.get()), "open a channel");
  channel_open_ = true;
}

AmqpConnection::~AmqpConnection() {
  // A clean close hands unacknowledged deliveries back to their queues at
  // once; a broken connection is only dropped (the broker notices).
  if (!broken_) {
    if (channel_open_) amqp_channel_close(conn_.get(), kChannel, AMQP_REPLY_SUCCESS);
    if (logged_in_) amqp_connection_close(conn_.get(), AMQP_REPLY_SUCCESS);
  }
}

void AmqpConnection::check(amqp_rpc_reply_t reply, std::string_view what) {
  const std::string where = settings_.where();
  switch (reply.reply_type) {
    case AMQP_RESPONSE_NORMAL:
      return;
    case AMQP_RESPONSE_NONE:
      broken_ = true;
      throw ConnectError(fmt::format("{}: cannot {}: no reply from the broker", where, what), true);
    case AMQP_RESPONSE_LIBRARY_EXCEPTION:
      broken_ = true;
      throw ConnectError(fmt::format("{}: cannot {}: {}", where, what, amqp_error_string2(reply.library_error)), true);
    case AMQP_RESPONSE_SERVER_EXCEPTION:
      closed_by_broker(reply.reply, what);
  }
  broken_ = true;
  throw ConnectError(fmt::format("{}: cannot {}: unexpected reply", where, what), true);
}

void AmqpConnection::check_status(int status, std::string_view what) {
  if (status == AMQP_STATUS_OK) return;
  broken_ = true;
  throw ConnectError(fmt::format("{}: cannot {}: {}", settings_.where(), what, amqp_error_string2(status)), true);
}

void AmqpConnection::closed_by_broker(const amqp_method_t& method, std::string_view what) {
  const std::string where = settings_.where();
  broken_ = true;
  if (method.id == AMQP_CHANNEL_CLOSE_METHOD) {
    auto* close = static_cast<amqp_channel_close_t*>(method.decoded);
    amqp_channel_close_ok_t ok{};
    amqp_send_method(conn_.get(), kChannel, AMQP_CHANNEL_CLOSE_OK_METHOD, &ok);
    channel_open_ = false;
    broken_ = false;  // the connection itself is fine: close it cleanly
    // 404 (no such queue or exchange), 403 (no permission), 406
    // (precondition): the configuration is wrong, retrying cannot help.
    const bool config_problem = close->reply_code == AMQP_NOT_FOUND || close->reply_code == AMQP_ACCESS_REFUSED ||
                                close->reply_code == AMQP_PRECONDITION_FAILED || close->reply_code == AMQP_RESOURCE_LOCKED;
    throw ConnectError(fmt::format("{}: cannot {}: the broker closed the channel: {} {}", where, what,
                                   close->reply_code, to_string(close->reply_text)),
                       !config_problem);
  }
  if (method.id == AMQP_CONNECTION_CLOSE_METHOD) {
    auto* close = static_cast<amqp_connection_close_t*>(method.decoded);
    amqp_connection_close_ok_t ok{};
    amqp_send_method(conn_.get(), 0, AMQP_CONNECTION_CLOSE_OK_METHOD, &ok);
    // 320 CONNECTION_FORCED: the broker is shutting down or an operator
    // closed us; reconnecting is right. Others are protocol errors.
    throw ConnectError(fmt::format("{}: cannot {}: the broker closed the connection: {} {}", where, what,
                                   close->reply_code, to_string(close->reply_text)),
                       true);
  }
  throw ConnectError(fmt::format("{}: cannot {}: unexpected method 0x{:08x} from the broker", where, what, method.id),
                     true);
}

}  // namespace connectrun::rabbitmq
