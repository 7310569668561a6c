#include "connectors/mqtt/mqtt_client.h"

#include <charconv>
#include <cstring>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

namespace connectrun::mqtt {

namespace {

using config::ConfigValue;
using config::KeyType;

// libmosquitto keeps a process-wide init count; a function-local static makes
// the one call thread-safe (the library stays initialised until exit).
void init_library_once() {
  static const int rc = mosquitto_lib_init();
  (void)rc;
}

ServerUri parse_uri(const std::string& uri) {
  ServerUri s;
  s.uri = uri;
  std::string rest;
  if (uri.rfind("tcp://", 0) == 0) {
    rest = uri.substr(6);
  } else if (uri.rfind("ssl://", 0) == 0) {
    rest = uri.substr(6);
    s.tls = true;
    s.port = 8883;
  } else {
    throw config::ConfigError("mqtt.server.uri",
                              fmt::format("'{}' is not tcp://host:port or ssl://host:port", uri));
  }
  auto colon = rest.rfind(':');
  s.host = rest.substr(0, colon);
  if (colon != std::string::npos) {
    const std::string port = rest.substr(colon + 1);
    int p = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || end != port.data() + port.size() || p < 1 || p > 65535)
      throw config::ConfigError("mqtt.server.uri", fmt::format("'{}': the port '{}' is not 1-65535", uri, port));
    s.port = p;
  }
  if (s.host.empty()) throw config::ConfigError("mqtt.server.uri", fmt::format("'{}' names no host", uri));
  return s;
}

}  // namespace

void define_connection_keys(config::ConfigSpec& spec) {
  spec.define({.name = "mqtt.server.uri", .type = KeyType::List, .default_value = std::nullopt,
               .doc = "MQTT brokers to connect to, as tcp://host:port or ssl://host:port; the first that answers is "
                      "used (a lost connection is reopened to the same broker)."});
  spec.define({.name = "mqtt.username", .type = KeyType::String, .default_value = ConfigValue{std::string()},
               .doc = "Username to connect with, or blank to connect without a username."});
  spec.define({.name = "mqtt.password", .type = KeyType::Password, .default_value = ConfigValue{std::string()},
               .doc = "Password to connect with, or blank to connect without a password."});
  spec.define({.name = "mqtt.client.id", .type = KeyType::String, .default_value = ConfigValue{std::string()},
               .doc = "The MQTT client id; blank: connectrun-<connector name>. A persistent session "
                      "(mqtt.clean.session.enabled=false) is found again by this id."});
  spec.define({.name = "mqtt.clean.session.enabled", .type = KeyType::Boolean, .default_value = ConfigValue{true},
               .doc = "Sets whether the client and server should remember state across restarts and reconnects "
                      "(false: a persistent session)."});
  spec.define({.name = "mqtt.connect.timeout.seconds", .type = KeyType::Int, .default_value = ConfigValue{int64_t{30}},
               .doc = "How long to wait for the broker's CONNACK.", .validator = config::validators::at_least(1)});
  spec.define({.name = "mqtt.keepalive.interval.seconds", .type = KeyType::Int,
               .default_value = ConfigValue{int64_t{60}}, .doc = "Sets the \"keep alive\" interval.",
               .validator = config::validators::between(5, 65535)});
  spec.define({.name = "mqtt.qos", .type = KeyType::Int, .default_value = ConfigValue{int64_t{0}},
               .doc = "The MQTT quality of service: 0 (at most once), 1 (at least once) or 2 (exactly once between "
                      "client and broker).",
               .validator = config::validators::between(0, 2)});
  spec.define({.name = "mqtt.ssl.ca.location", .type = KeyType::String, .default_value = ConfigValue{std::string()},
               .doc = "PEM file of the CA certificates that validate the broker (ssl:// URIs); blank: the system's "
                      "CA certificates (/etc/ssl/certs). connectrun's key: Java trust stores are not read."});
  spec.define({.name = "mqtt.ssl.certificate.location", .type = KeyType::String,
               .default_value = ConfigValue{std::string()},
               .doc = "PEM client certificate (with mqtt.ssl.key.location) for brokers that ask for one. "
                      "connectrun's key."});
  spec.define({.name = "mqtt.ssl.key.location", .type = KeyType::String, .default_value = ConfigValue{std::string()},
               .doc = "PEM private key (unencrypted) of mqtt.ssl.certificate.location. connectrun's key."});
  spec.define({.name = "mqtt.ssl.verify.peer", .type = KeyType::Boolean, .default_value = ConfigValue{true},
               .doc = "Check the broker's certificate against the CA certificates (false: any certificate is "
                      "accepted — encrypted but not authenticated; for tests only). connectrun's key."});
  spec.define({.name = "mqtt.max.message.bytes", .type = KeyType::Long,
               .default_value = ConfigValue{int64_t{268435455}},
               .doc = "The largest MQTT payload taken (source) or published (sink); a larger message goes to the "
                      "error policy (errors.tolerance) instead of failing the task. Set it to the broker's "
                      "message_size_limit: brokers drop a larger MQTT 3.1.1 message silently. connectrun's key.",
               .validator = config::validators::at_least(1)});
  spec.define({.name = "mqtt.ssl.verify.hostname", .type = KeyType::Boolean, .default_value = ConfigValue{true},
               .doc = "Check that the broker's certificate names the host of the URI. connectrun's key."});
  for (const char* java_key : {"mqtt.ssl.trust.store.path", "mqtt.ssl.key.store.path"})
    spec.define({.name = java_key, .type = KeyType::String, .default_value = ConfigValue{std::string()},
                 .doc = "Java key/trust store: not supported by connectrun (use the mqtt.ssl.*.location PEM keys)."});
  for (const char* java_key : {"mqtt.ssl.trust.store.password", "mqtt.ssl.key.store.password", "mqtt.ssl.key.password"})
    spec.define({.name = java_key, .type = KeyType::Password, .default_value = ConfigValue{std::string()},
                 .doc = "Java key/trust store password: not supported by connectrun (use the mqtt.ssl.*.location "
                        "PEM keys)."});
}

MqttSettings connection_settings(const config::ConfigValues& cfg) {
  MqttSettings s;
  for (const auto& uri : cfg.get_list("mqtt.server.uri")) s.servers.push_back(parse_uri(uri));
  if (s.servers.empty()) throw config::ConfigError("mqtt.server.uri", "names no broker: give tcp://host:port");
  s.username = cfg.get_string("mqtt.username");
  s.password = cfg.get_string("mqtt.password");
  if (s.username.empty() && !s.password.empty())
    throw config::ConfigError("mqtt.password", "is set without mqtt.username: MQTT sends a password only with a user");
  s.client_id = cfg.get_string("mqtt.client.id");
  s.clean_session = cfg.get_bool("mqtt.clean.session.enabled");
  if (!s.clean_session && s.client_id.empty())
    throw config::ConfigError("mqtt.client.id", "must be set when mqtt.clean.session.enabled=false: the broker keeps "
                                                "the persistent session under this id");
  s.connect_timeout = std::chrono::seconds(cfg.get_long("mqtt.connect.timeout.seconds"));
  s.keepalive_seconds = cfg.get_int("mqtt.keepalive.interval.seconds");
  s.qos = cfg.get_int("mqtt.qos");
  s.ca_file = cfg.get_string("mqtt.ssl.ca.location");
  s.cert_file = cfg.get_string("mqtt.ssl.certificate.location");
  s.key_file = cfg.get_string("mqtt.ssl.key.location");
  s.verify_hostname = cfg.get_bool("mqtt.ssl.verify.hostname");
  s.verify_peer = cfg.get_bool("mqtt.ssl.verify.peer");
  if (s.cert_file.empty() != s.key_file.empty())
    throw config::ConfigError("mqtt.ssl.certificate.location",
                              "mqtt.ssl.certificate.location and mqtt.ssl.key.location go together: set both or neither");
  for (const char* java_key : {"mqtt.ssl.trust.store.path", "mqtt.ssl.key.store.path", "mqtt.ssl.trust.store.password",
                               "mqtt.ssl.key.store.password", "mqtt.ssl.key.password"})
    if (!cfg.get_string(java_key).empty())
      throw config::ConfigError(java_key, "Java key stores are not supported by connectrun: give PEM files with "
                                          "mqtt.ssl.ca.location, mqtt.ssl.certificate.location and mqtt.ssl.key.location");
  return s;
}

MqttClient::MqttClient(const MqttSettings& settings, Hooks hooks, std::shared_ptr<spdlog::logger> log)
    : settings_(settings), hooks_(std::move(hooks)), log_(std::move(log)) {
  init_library_once();
  mosq_.reset(mosquitto_new(settings_.client_id.empty() ? nullptr : settings_.client_id.c_str(),
                            settings_.clean_session, this));
  if (!mosq_) throw ConnectError("cannot create an MQTT client (out of memory, or an empty client id with a "
                                 "persistent session)");
  mosquitto_connect_callback_set(mosq_.get(), &MqttClient::connect_cb);
  mosquitto_disconnect_callback_set(mosq_.get(), &MqttClient::disconnect_cb);
  if (hooks_.on_publish) mosquitto_publish_callback_set(mosq_.get(), &MqttClient::publish_cb);
  if (hooks_.on_message) mosquitto_message_callback_set(mosq_.get(), &MqttClient::message_cb);
  // Reconnection after a lost connection (by the network thread): 1 s, doubling, at most 30 s.
  mosquitto_reconnect_delay_set(mosq_.get(), 1, 30, true);
  if (!settings_.username.empty())
    mosquitto_username_pw_set(mosq_.get(), settings_.username.c_str(),
                              settings_.password.empty() ? nullptr : settings_.password.c_str());
}

MqttClient::~MqttClient() {
  if (loop_running_) {
    mosquitto_disconnect(mosq_.get());
    mosquitto_loop_stop(mosq_.get(), false);
  }
}

void MqttClient::connect() {
  std::string failures;
  for (const auto& server : settings_.servers) {
    where_ = fmt::format("mqtt {}", server.uri);
    if (server.tls) {
      int rc = mosquitto_tls_set(mosq_.get(), settings_.ca_file.empty() ? nullptr : settings_.ca_file.c_str(),
                                 settings_.ca_file.empty() ? "/etc/ssl/certs" : nullptr,
                                 settings_.cert_file.empty() ? nullptr : settings_.cert_file.c_str(),
                                 settings_.key_file.empty() ? nullptr : settings_.key_file.c_str(), nullptr);
      if (rc != MOSQ_ERR_SUCCESS)
        throw ConnectError(fmt::format("{}: cannot set up TLS: {} (check mqtt.ssl.*.location)", where_,
                                       mosquitto_strerror(rc)));
      mosquitto_tls_insecure_set(mosq_.get(), !settings_.verify_hostname || !settings_.verify_peer);
      if (!settings_.verify_peer) mosquitto_tls_opts_set(mosq_.get(), 0, nullptr, nullptr);  // SSL_VERIFY_NONE
    }
    int rc = mosquitto_connect(mosq_.get(), server.host.c_str(), server.port, settings_.keepalive_seconds);
    if (rc != MOSQ_ERR_SUCCESS) {
      std::string why = rc == MOSQ_ERR_ERRNO ? std::string(std::strerror(errno)) : mosquitto_strerror(rc);
      if (rc == MOSQ_ERR_TLS)
        why += " (the TLS handshake failed: is the broker's certificate signed by the CA of mqtt.ssl.ca.location "
               "and does it name the host? see also mqtt.ssl.verify.hostname)";
      failures += fmt::format("{}cannot connect to {}:{} ({}): {}", failures.empty() ? "" : "; ", server.host,
                              server.port, server.uri, why);
      continue;
    }
    rc = mosquitto_loop_start(mosq_.get());
    if (rc != MOSQ_ERR_SUCCESS) throw ConnectError(fmt::format("{}: cannot start the MQTT network thread: {}", where_,
                                                               mosquitto_strerror(rc)));
    loop_running_ = true;
    std::unique_lock lock(mu_);
    if (!cv_.wait_for(lock, settings_.connect_timeout, [&] { return connack_ >= 0; }))
      throw ConnectError(fmt::format("{}:{} ({}): no CONNACK within mqtt.connect.timeout.seconds ({} s)", server.host,
                                     server.port, server.uri, settings_.connect_timeout.count()),
                         true);
    if (connack_ != 0)
      throw ConnectError(fmt::format("{}:{} ({}) refused the connection: {} (check mqtt.username / mqtt.password / "
                                     "mqtt.client.id)",
                                     server.host, server.port, server.uri, mosquitto_connack_string(connack_)));
    connected_once_ = true;
    log_->info("connected to {}:{} ({})", server.host, server.port, server.uri);
    return;
  }
  throw ConnectError(failures, true);
}

void MqttClient::connect_cb(mosquitto* m, void* self, int rc) {
  auto* c = static_cast<MqttClient*>(self);
  bool first;
  {
    std::lock_guard lock(c->mu_);
    first = c->connack_ < 0;
    c->connack_ = rc;
  }
  c->cv_.notify_all();
  if (rc != 0) {
    if (!first) c->log_->error("{} refused the reconnection: {}", c->where_, mosquitto_connack_string(rc));
    // Stops the network thread's reconnecting: a refused login does not heal by itself.
    mosquitto_disconnect(m);
    return;
  }
  if (!first) c->log_->info("reconnected to {}", c->where_);
  if (c->hooks_.on_connected) c->hooks_.on_connected(m);
}

void MqttClient::disconnect_cb(mosquitto*, void* self, int rc) {
  auto* c = static_cast<MqttClient*>(self);
  if (rc != 0 && c->connected_once_) {
    c->log_->warn("lost the connection to {} ({}); reconnecting", c->where_, mosquitto_strerror(rc));
    if (c->hooks_.on_lost) c->hooks_.on_lost();
  }
}

void MqttClient::publish_cb(mosquitto*, void* self, int mid) { static_cast<MqttClient*>(self)->hooks_.on_publish(mid); }

void MqttClient::message_cb(mosquitto*, void* self, const mosquitto_message* msg) {
  static_cast<MqttClient*>(self)->hooks_.on_message(*msg);
}

}  // namespace connectrun::mqtt
