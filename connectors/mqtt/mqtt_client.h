// What the MQTT source and sink share: the connection keys of Confluent's
// MQTT connectors (plus connectrun's PEM TLS keys), and one libmosquitto
// client with its network thread, created, connected and destroyed with RAII.
#pragma once

#include <mosquitto.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "config/spec.h"
#include "plugin/connector.h"

namespace connectrun::mqtt {

struct ServerUri {
  std::string uri;  // as written: tcp://host:port or ssl://host:port
  std::string host;
  int port = 1883;
  bool tls = false;
};

struct MqttSettings {
  std::vector<ServerUri> servers;
  std::string username, password, client_id;
  bool clean_session = true;
  std::chrono::seconds connect_timeout{30};
  int keepalive_seconds = 60;
  int qos = 0;
  std::string ca_file, cert_file, key_file;
  bool verify_hostname = true, verify_peer = true;
};

// Declares the connection keys (the same in the source and the sink).
void define_connection_keys(config::ConfigSpec& spec);
// Reads them; throws config::ConfigError for what the spec cannot check.
MqttSettings connection_settings(const config::ConfigValues& cfg);

// One libmosquitto client with its network thread (mosquitto_loop_start),
// which also reconnects after a lost connection. The hooks run on that thread.
class MqttClient {
 public:
  struct Hooks {
    std::function<void(mosquitto*)> on_connected;                  // after each accepted CONNACK
    std::function<void(int mid)> on_publish;                      // PUBACK / PUBCOMP (QoS 0: sent)
    std::function<void(const mosquitto_message&)> on_message;
    std::function<void()> on_lost;                                // a connection that was up is lost
  };
  MqttClient(const MqttSettings& settings, Hooks hooks, std::shared_ptr<spdlog::logger> log);
  ~MqttClient();
  MqttClient(const MqttClient&) = delete;
  MqttClient& operator=(const MqttClient&) = delete;

  // Connects to the first server of mqtt.server.uri that answers and waits
  // for its CONNACK. Throws ConnectError: retriable when no server could be
  // reached or answered in time, not when the broker refused the login.
  void connect();
  mosquitto* handle() const { return mosq_.get(); }
  const std::string& where() const { return where_; }  // "mqtt tcp://127.0.0.1:1883"

 private:
  static void connect_cb(mosquitto*, void* self, int rc);
  static void disconnect_cb(mosquitto*, void* self, int rc);
  static void publish_cb(mosquitto*, void* self, int mid);
  static void message_cb(mosquitto*, void* self, const mosquitto_message* msg);

  struct Deleter {
    void operator()(mosquitto* m) const { mosquitto_destroy(m); }
  };
  MqttSettings settings_;
  Hooks hooks_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<mosquitto, Deleter> mosq_;
  std::string where_;
  bool loop_running_ = false;
  std::mutex mu_;
  std::condition_variable cv_;
  int connack_ = -1;  // -1: none yet
  std::atomic<bool> connected_once_{false};
};

}  // namespace connectrun::mqtt
