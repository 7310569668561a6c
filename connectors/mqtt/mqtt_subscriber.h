// MqttSource's own MQTT 3.1.1 client (the subscribing side only). Neither
// Debian 12 library can hold back an acknowledgement: libmosquitto 2.0 sends
// PUBACK/PUBREC on receipt (manual acks came in 2.1) and Paho C 1.3 sends
// PUBACK before it hands the message over. Here a QoS 1 message is answered
// with PUBACK, a QoS 2 one with PUBREC, only when ack() is called — after
// its record was delivered — so a persistent session gets every message that
// was not delivered again after a crash. Single-threaded: the task's thread
// drives it (receive, ack, keep-alive), so there is no network thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "connectors/mqtt/mqtt_stream.h"

namespace connectrun::mqtt {

struct SubscriberOptions {
  std::string host;
  int port = 1883;
  std::string uri;  // as configured, for messages
  const TlsOptions* tls = nullptr;  // null: plain TCP
  std::string client_id, username, password;
  bool clean_session = true;
  int keepalive_seconds = 60;
  std::chrono::seconds connect_timeout{30};
  std::vector<std::string> filters;
  int qos = 0;
};

struct Incoming {
  std::string topic, payload;
  uint16_t packet_id = 0;  // 0 for QoS 0
  int qos = 0;
  bool retained = false, duplicate = false;
};

class Subscriber {
 public:
  using Clock = std::chrono::steady_clock;
  // Connects, sends CONNECT and SUBSCRIBE and waits for CONNACK and SUBACK.
  // Throws ConnectError: retriable for network faults and timeouts; not for
  // a refused login or subscription.
  explicit Subscriber(const SubscriberOptions& options);
  ~Subscriber();  // sends DISCONNECT (best effort)
  Subscriber(const Subscriber&) = delete;
  Subscriber& operator=(const Subscriber&) = delete;

  bool session_present() const { return session_present_; }
  // Appends the PUBLISH packets that arrive until `deadline` or until `max`
  // were taken (returns early once something arrived and nothing more is
  // buffered). Answers PUBREL and sends keep-alive pings meanwhile. Throws
  // ConnectError (retriable) when the connection is lost.
  void receive(std::vector<Incoming>& out, size_t max, Clock::time_point deadline);
  // Queues the acknowledgement of a received message (PUBACK for QoS 1,
  // PUBREC for QoS 2); flush() sends what is queued.
  void ack(uint16_t packet_id, int qos);
  void flush();
  // PUBRECs sent whose PUBREL has not come yet (QoS 2).
  size_t pending_releases() const { return awaiting_rel_; }

 private:
  void send_packet(uint8_t header, const std::string& body);
  // Reads one whole packet (header byte, body) unless `deadline` passes first.
  bool read_packet(uint8_t& header, std::string& body, Clock::time_point deadline);
  void keep_alive();
  // Handles one packet from the broker; true when it was a PUBLISH (appended to out).
  bool handle(uint8_t header, const std::string& body, std::vector<Incoming>& out);

  SubscriberOptions opt_;
  std::unique_ptr<Stream> stream_;
  std::string inbuf_;      // bytes read, not parsed yet
  size_t inpos_ = 0;
  std::string outbuf_;     // acknowledgements queued by ack()
  bool session_present_ = false;
  Clock::time_point last_sent_, ping_sent_{};
  bool ping_outstanding_ = false;
  size_t awaiting_rel_ = 0;
  std::vector<Incoming> early_;  // PUBLISHes that came before the SUBACK
};

}  // namespace connectrun::mqtt
